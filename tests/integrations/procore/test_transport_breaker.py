"""The client asks the company's Procore breaker before every call and reports every answer:
a Procore that keeps timing out is left alone, without another request."""

from __future__ import annotations

import pytest
import requests

from integrations.breakers import Breaker, BreakerPolicy, DatabaseBreakerStorage
from integrations.procore.errors import ProcorePaused, RequestTimeoutError
from tests.integrations.procore.conftest import API, add_tokens, api_requests

POLICY = BreakerPolicy(threshold=3, cooldown=30.0, max_cooldown=100.0, probe_timeout=60.0)


@pytest.mark.django_db
def test_a_procore_that_times_out_is_left_alone_without_another_request(
    rsps, clock, make_client, connection
):
    """Three calls time out; the fourth does not go out at all: it fails at once, retryable,
    with how long to wait, and the work that needed it waits that long."""
    add_tokens(rsps, clock, "tok-1")
    rsps.get(f"{API}/companies", body=requests.exceptions.ReadTimeout("read timed out"))
    breaker = Breaker(
        key=f"procore:{connection.company_id}",
        label="Procore for Acme",
        storage=DatabaseBreakerStorage(connection.company_id, "procore"),
        policy=POLICY,
        clock=clock,
    )
    client = make_client(breaker=breaker)
    for _ in range(3):
        with pytest.raises(RequestTimeoutError):
            list(client.list_companies())
    sent = len(api_requests(rsps))
    with pytest.raises(ProcorePaused) as paused:
        list(client.list_companies())
    assert len(api_requests(rsps)) == sent == 3
    assert paused.value.retryable and 29 <= paused.value.retry_after <= 30


@pytest.mark.django_db
def test_refusals_are_answers_and_keep_the_breaker_closed(rsps, clock, make_client, connection):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(f"{API}/vendors/sync", status=422, json={"errors": "bad"})
    breaker = Breaker(
        key=f"procore:{connection.company_id}",
        label="x",
        storage=DatabaseBreakerStorage(connection.company_id, "procore"),
        policy=POLICY,
        clock=clock,
    )
    client = make_client(breaker=breaker)
    for _ in range(5):
        with pytest.raises(Exception):  # noqa: B017 - a 422 of any class
            client.sync_vendors([{"origin_id": "1", "name": "x"}])
    breaker.before_call()  # still closed
