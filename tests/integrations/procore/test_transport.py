"""Rate limits and faults: what is waited out, what is retried, and what is raised at once."""

from __future__ import annotations

import pytest
import requests
import responses

from integrations.models import ApiAttempt
from integrations.procore import ErrorKind, RetryPolicy
from integrations.procore.errors import (
    RateLimitedError,
    RequestTimeoutError,
    UnavailableError,
    ValidationError,
)
from tests.integrations.procore.conftest import API, T0, add_tokens, api_requests, rate_headers

pytestmark = pytest.mark.django_db

TOO_MANY = {
    "errors": "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
}


def test_429_with_retry_after_waits_that_long_then_succeeds(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(
        f"{API}/companies",
        status=429,
        json=TOO_MANY,
        headers={"Retry-After": "7", **rate_headers(0, reset=T0 + 30)},
    )
    rsps.get(f"{API}/companies", json=[{"id": 1}], headers=rate_headers(24, reset=T0 + 40))

    assert list(make_client().list_companies()) == [{"id": 1}]
    assert len(clock.sleeps) == 1
    # Retry-After wins over X-Rate-Limit-Reset; the jitter adds at most a quarter (≤ 1 s).
    assert 7 <= clock.sleeps[0] <= 8
    statuses = list(ApiAttempt.objects.order_by("id").values_list("status_code", "attempt"))
    assert statuses[-2:] == [(429, 1), (200, 2)]


def test_429_without_retry_after_waits_until_the_reset_time(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(
        f"{API}/companies",
        status=429,
        json=TOO_MANY,
        headers={
            "X-Rate-Limit-Limit": "25",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(T0 + 9)),
        },
    )
    rsps.get(f"{API}/companies", json=[], headers=rate_headers(24, reset=T0 + 20))

    list(make_client().list_companies())
    assert len(clock.sleeps) == 1
    assert 9 <= clock.sleeps[0] <= 10
    assert clock.now >= T0 + 9


def test_429_on_a_create_is_waited_out_too_because_nothing_was_done(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.post(f"{API}/webhooks/hooks", status=429, json=TOO_MANY, headers={"Retry-After": "2"})
    rsps.post(f"{API}/webhooks/hooks", status=201, json={"id": 11})
    hook = make_client().create_hook(
        namespace="acme-erp", destination_url="https://p/x", destination_headers={}
    )
    assert hook == {"id": 11}
    assert len(api_requests(rsps)) == 2


def test_a_reset_far_away_is_handed_back_instead_of_slept_through(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(
        f"{API}/companies",
        status=429,
        json=TOO_MANY,
        headers={
            "X-Rate-Limit-Limit": "3600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": str(int(T0 + 3000)),
        },
    )
    with pytest.raises(RateLimitedError) as caught:
        list(make_client().list_companies())
    assert caught.value.retryable
    assert caught.value.retry_after >= 3000
    assert clock.sleeps == []


def test_the_client_slows_down_before_the_limit(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(f"{API}/companies", json=[], headers=rate_headers(0, reset=T0 + 6))
    rsps.get(f"{API}/companies", json=[], headers=rate_headers(24, reset=T0 + 16))
    client = make_client()

    list(client.list_companies())
    assert clock.sleeps == []
    list(client.list_companies())  # the budget is spent: wait for the window, don't earn a 429
    assert len(clock.sleeps) == 1 and 6 <= clock.sleeps[0] <= 6.2
    assert all(c.response.status_code == 200 for c in api_requests(rsps))


def test_the_last_few_calls_of_a_window_are_spread_out(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    served = []

    def answer(request):
        served.append(clock.now)
        return (200, rate_headers(20 - len(served), limit=20, reset=T0 + 8), "[]")

    rsps.add_callback(responses.GET, f"{API}/companies", callback=answer)
    client = make_client()
    for _ in range(20):
        list(client.list_companies())
    # 18 go at once; the last 2 of the 20 share the 8 s left, 4 s apart, instead of idling.
    assert clock.sleeps == [pytest.approx(4.0)]
    list(client.list_companies())  # the 21st waits for the next window
    assert clock.now >= T0 + 8
    assert len(served) == 21


def test_another_worker_spending_the_same_budget_makes_this_one_pace_itself(
    rsps, clock, make_client
):
    add_tokens(rsps, clock, "tok-1")
    # Procore counts 10 calls per call of ours: nine other workers share the budget.
    served = []

    def answer(request):
        served.append(clock.now)
        return (200, rate_headers(100 - 10 * len(served), limit=100, reset=T0 + 10), "[]")

    rsps.add_callback(responses.GET, f"{API}/companies", callback=answer)
    client = make_client()
    for _ in range(5):
        list(client.list_companies())
    # After the first answer it claims a tenth of what is left (9 of 90 calls) and spreads
    # them over the 10 s of the window: one call every 10/9 s, not five at once.
    assert clock.sleeps == [pytest.approx(10 / 9, abs=0.01)] * 3
    assert clock.now < T0 + 10


def test_503_honours_retry_after(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(
        f"{API}/companies", status=503, body="Service Unavailable", headers={"Retry-After": "12"}
    )
    rsps.get(f"{API}/companies", json=[{"id": 1}])

    assert list(make_client().list_companies()) == [{"id": 1}]
    assert len(clock.sleeps) == 1 and clock.sleeps[0] >= 12


def test_503_on_a_create_is_not_repeated_but_says_when_to_come_back(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.post(
        f"{API}/companies/5982324300/staged_records", status=503, headers={"Retry-After": "30"}
    )
    with pytest.raises(UnavailableError) as caught:
        make_client().create_staged_record({"item_type": "vendor", "origin_id": "V-1"})
    assert caught.value.retryable and caught.value.retry_after == 30
    assert len(api_requests(rsps)) == 1


def test_a_timeout_on_a_read_is_handed_back_not_repeated_within_the_call(rsps, clock, make_client):
    """A timeout already held the worker for a whole read timeout: the call gives up at once,
    retryable, and the work row comes back later with backoff (a slow Procore must not hold a
    worker for minutes)."""
    add_tokens(rsps, clock, "tok-1")
    rsps.get(f"{API}/companies", body=requests.exceptions.ReadTimeout("read timed out"))
    rsps.get(f"{API}/companies", json=[{"id": 1}])

    with pytest.raises(RequestTimeoutError) as caught:
        list(make_client().list_companies())
    assert caught.value.retryable
    assert clock.sleeps == []
    assert len(api_requests(rsps)) == 1
    assert ApiAttempt.objects.filter(error="timeout").count() == 1


def test_a_timeout_on_a_create_is_raised_not_repeated(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.post(f"{API}/webhooks/hooks", body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(RequestTimeoutError) as caught:
        make_client().create_hook(
            namespace="n", destination_url="https://p/x", destination_headers={}
        )
    assert caught.value.kind == ErrorKind.TIMEOUT and caught.value.retryable
    assert len(api_requests(rsps)) == 1


def test_a_500_that_recovers(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(f"{API}/vendors/sync", status=500, json={"errors": "Internal Server Error"})
    rsps.patch(f"{API}/vendors/sync", status=502, body="Bad Gateway")
    rsps.patch(
        f"{API}/vendors/sync", json={"entities": [{"id": 1, "origin_id": "V-1"}], "errors": []}
    )

    result = make_client().sync_vendors([{"origin_id": "V-1", "name": "Acme"}])
    assert result.ok and result.entities == [{"id": 1, "origin_id": "V-1"}]
    assert len(clock.sleeps) == 2
    assert 0.25 <= clock.sleeps[0] <= 0.5 and 0.5 <= clock.sleeps[1] <= 1.0


def test_a_sync_that_creates_without_origin_id_is_not_repeated_after_a_500(
    rsps, clock, make_client
):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(f"{API}/vendors/sync", status=500, json={"errors": "Internal Server Error"})
    with pytest.raises(UnavailableError):
        make_client().sync_vendors([{"name": "No origin id: a create"}])
    assert len(api_requests(rsps)) == 1


def test_retries_are_bounded(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.get(
        f"{API}/companies", status=500, json={"errors": "boom"}, headers={"X-Request-Id": "req-500"}
    )
    with pytest.raises(UnavailableError) as caught:
        list(make_client(retry=RetryPolicy(max_retries=3)).list_companies())
    assert len(api_requests(rsps)) == 4
    assert caught.value.request_id == "req-500"


def test_a_422_is_permanent_and_not_retried(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(
        f"{API}/companies/5982324300/erp_request_details/9",
        status=422,
        json={"errors": {"status": ["is not included in the list"]}},
        headers={"X-Request-Id": "req-422"},
    )
    with pytest.raises(ValidationError) as caught:
        make_client().close_request_detail(9, status="success")
    exc = caught.value
    assert not exc.retryable
    assert (exc.status, exc.request_id) == (422, "req-422")
    assert exc.message == "status: is not included in the list"
    assert "req-422" in str(exc)
    assert len(api_requests(rsps)) == 1
    assert clock.sleeps == []


def test_the_client_stays_under_the_sandbox_spike_limit(sandbox_client, settings):
    settings.PROCORE_SANDBOX = {"rate_limit_spike": 4, "rate_limit_spike_window": 1}
    for _ in range(6):  # the fifth has to wait for the next window
        list(sandbox_client.list_staged_records(item_type="vendor"))
    attempts = ApiAttempt.objects.exclude(path="/oauth/token").order_by("id")
    assert [a.status_code for a in attempts] == [200] * 6
    assert [a.rate_limit_remaining for a in attempts][:4] == [3, 2, 1, 0]


def test_a_503_on_a_create_is_not_repeated(sandbox_client, settings):
    sandbox_client.tokens.token()
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 5}
    with pytest.raises(UnavailableError) as caught:
        sandbox_client.create_staged_record({"item_type": "vendor", "origin_id": "V-1", "data": {}})
    assert caught.value.retry_after == 5
    assert ApiAttempt.objects.exclude(path="/oauth/token").count() == 1
