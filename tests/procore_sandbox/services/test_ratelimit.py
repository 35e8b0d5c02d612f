"""The sandbox's rate limits, as Procore's: the headers on every answer, a spike and an hourly
limit, one budget per company."""

from __future__ import annotations

import time

from procore_sandbox.services.tenants import company_create

VENDORS = "/rest/v1.0/vendors"


RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


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
