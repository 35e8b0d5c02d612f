"""Procore-Company-Id, rate limits and injected faults (procore-erp-api.md §e, §g)."""

from __future__ import annotations

import time

from procore_sandbox.services.tenants import company_create

VENDORS = "/rest/v1.0/vendors"
RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


def test_missing_company_header_is_refused_with_procores_message(procore):
    response = procore.get("/rest/v1.0/companies", company_header=False)
    assert response.status_code == 400
    assert response.json() == {"errors": "Missing Procore-Company-Id header!"}


def test_company_without_the_app_gets_403(procore, transactional_db):
    stranger = company_create(name="Not installed")
    procore.company_id = stranger.id
    response = procore.get(VENDORS, params={"company_id": stranger.id})
    assert response.status_code == 403
    assert response.json() == {"errors": "App is not connected to this company"}


def test_company_in_the_path_must_be_the_headers(procore, transactional_db):
    stranger = company_create(name="Other")
    response = procore.get(f"/rest/v1.0/companies/{stranger.id}/erp_request_details")
    assert response.status_code == 403


def test_every_response_carries_the_rate_limit_headers(procore):
    ok = procore.get(VENDORS, params={"company_id": procore.company_id})
    not_found = procore.get("/rest/v1.0/companies/{company_id}/erp_requests/999")
    unauthorized = procore.get(VENDORS, token="nope")
    for response in (ok, not_found, unauthorized):
        assert all(name in response.headers for name in RATE_HEADERS), response.headers
    assert (ok.status_code, not_found.status_code, unauthorized.status_code) == (200, 404, 401)


def test_spike_limit_answers_429_with_retry_after(procore, settings):
    settings.PROCORE_SANDBOX = {"rate_limit_spike": 3, "rate_limit_spike_window": 10}
    params = {"company_id": procore.company_id}
    remaining = [
        int(procore.get(VENDORS, params=params).headers["X-Rate-Limit-Remaining"]) for _ in range(3)
    ]
    refused = procore.get(VENDORS, params=params)
    assert remaining == [2, 1, 0]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert int(refused.headers["X-Rate-Limit-Reset"]) >= int(time.time())


def test_hourly_limit_is_reported_when_it_is_the_closer_one(procore, settings):
    settings.PROCORE_SANDBOX = {"rate_limit_hourly": 5, "rate_limit_spike": 4}
    params = {"company_id": procore.company_id}
    first = procore.get(VENDORS, params=params)
    assert first.headers["X-Rate-Limit-Limit"] == "4"
    for _ in range(3):
        last = procore.get(VENDORS, params=params)
    assert last.headers["X-Rate-Limit-Limit"] == "4"
    settings.PROCORE_SANDBOX = {"rate_limit_hourly": 5, "rate_limit_spike": 100}
    fifth = procore.get(VENDORS, params=params)
    refused = procore.get(VENDORS, params=params)
    assert (fifth.headers["X-Rate-Limit-Limit"], fifth.headers["X-Rate-Limit-Remaining"]) == (
        "5",
        "0",
    )
    assert refused.status_code == 429
    assert "an hour" in refused.json()["errors"]
    assert int(refused.headers["Retry-After"]) > 3000


def test_each_company_has_its_own_budget(procore, settings, transactional_db):
    from procore_sandbox.services.tenants import app_install

    other = company_create(name="Other")
    app_install(company=other, client_id="portal-app", client_secret="portal-secret")
    settings.PROCORE_SANDBOX = {"rate_limit_spike": 1}
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 200
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 429
    procore.company_id = other.id
    assert procore.get(VENDORS, params={"company_id": other.id}).status_code == 200


def test_fault_shares_answer_500_and_503_with_retry_after(procore, settings):
    params = {"company_id": procore.company_id}
    settings.PROCORE_SANDBOX = {"fault_500_share": 1.0}
    assert procore.get(VENDORS, params=params).status_code == 500
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 7}
    unavailable = procore.get(VENDORS, params=params)
    assert unavailable.status_code == 503
    assert unavailable.headers["Retry-After"] == "7"
    settings.PROCORE_SANDBOX = {"fault_500_share": 0.5, "fault_503_share": 0.0}
    statuses = {procore.get(VENDORS, params=params).status_code for _ in range(40)}
    assert statuses == {200, 500}


def test_latency_is_added(procore, settings):
    settings.PROCORE_SANDBOX = {"latency_ms": 250}
    started = time.monotonic()
    procore.get(VENDORS, params={"company_id": procore.company_id})
    assert time.monotonic() - started >= 0.25


def test_knobs_set_at_run_time_apply_to_the_next_request(procore):
    from procore_sandbox.services.knobs import knob_reset, knob_set

    knob_set(name="fault_503_share", value="1")
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 503
    knob_reset(name="fault_503_share")
    assert procore.get(VENDORS, params={"company_id": procore.company_id}).status_code == 200
