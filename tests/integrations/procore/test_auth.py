"""Tokens: fetched with client credentials, cached encrypted, renewed before expiry and on 401."""

from __future__ import annotations

import os
import threading
import time

import pytest
import responses
from django.db import connection as db_connection
from django.db import connections

from integrations.models import ApiAttempt, Connection
from integrations.procore.auth import ConnectionTokenProvider, token_expiry
from integrations.procore.errors import BadCredentialsError, ConfigurationError, UnavailableError
from tests.factories import ConnectionFactory
from tests.integrations.procore.conftest import (
    API,
    TOKEN_URL,
    add_tokens,
    api_requests,
    token_requests,
)

pytestmark = pytest.mark.django_db


def test_token_is_fetched_once_and_reused_across_calls_and_clients(
    rsps, clock, connection, make_client
):
    add_tokens(rsps, clock, "tok-1", "tok-2")
    rsps.get(f"{API}/companies", json=[])

    client = make_client()
    list(client.list_companies())
    list(client.list_companies())
    # A new client (another task in the same worker) reads the cached token from the row.
    list(make_client(Connection.objects.get(pk=connection.pk)).list_companies())

    assert len(token_requests(rsps)) == 1
    body = token_requests(rsps)[0].request.body
    assert "grant_type=client_credentials" in body
    assert all(c.request.headers["Authorization"] == "Bearer tok-1" for c in api_requests(rsps))


def test_cached_token_is_encrypted_at_rest(rsps, clock, connection, make_client):
    add_tokens(rsps, clock, "tok-plain-value")
    rsps.get(f"{API}/companies", json=[])
    list(make_client().list_companies())

    with db_connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token FROM integrations_connection WHERE id = %s", [connection.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("enc1:")
    assert "tok-plain-value" not in stored
    assert Connection.objects.get(pk=connection.pk).access_token == "tok-plain-value"


def test_a_new_token_records_when_it_changed_and_a_reused_one_does_not(
    rsps, clock, connection, make_client
):
    """Pages say "set · changed …" for the token; only a fetch from the login host changes it."""
    add_tokens(rsps, clock, "tok-1")
    rsps.get(f"{API}/companies", json=[])
    assert Connection.objects.get(pk=connection.pk).access_token_changed_at is None

    client = make_client()
    list(client.list_companies())
    fetched = Connection.objects.get(pk=connection.pk).access_token_changed_at
    assert fetched is not None
    assert connection.access_token_changed_at == fetched  # the caller's row agrees

    list(make_client(Connection.objects.get(pk=connection.pk)).list_companies())
    assert Connection.objects.get(pk=connection.pk).access_token_changed_at == fetched
    assert len(token_requests(rsps)) == 1


def test_token_is_renewed_shortly_before_it_expires(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1", "tok-2", expires_in=5400)
    rsps.get(f"{API}/companies", json=[])
    client = make_client()

    list(client.list_companies())
    clock.now += 5400 - 120  # two minutes left: still used
    list(client.list_companies())
    clock.now += 90  # thirty seconds left: renewed first
    list(client.list_companies())

    assert len(token_requests(rsps)) == 2
    used = [c.request.headers["Authorization"] for c in api_requests(rsps)]
    assert used == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_created_at_from_procore_is_honoured(clock):
    # Procore handed back a token it issued 5000 s ago: 400 s of life left, not 5400.
    expires = token_expiry({"expires_in": 5400, "created_at": int(clock.now) - 5000}, now=clock.now)
    assert expires.timestamp() == pytest.approx(clock.now + 400)
    # A server clock ahead of ours does not stretch the lifetime.
    ahead = token_expiry({"expires_in": 5400, "created_at": int(clock.now) + 600}, now=clock.now)
    assert ahead.timestamp() == pytest.approx(clock.now + 5400)


def test_401_fetches_a_new_token_once_and_repeats_the_call(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-old", "tok-new")
    rsps.get(f"{API}/companies", status=401, json={"errors": "access token has expired"})
    rsps.get(f"{API}/companies", json=[{"id": 1}])

    assert list(make_client().list_companies()) == [{"id": 1}]
    used = [c.request.headers["Authorization"] for c in api_requests(rsps)]
    assert used == ["Bearer tok-old", "Bearer tok-new"]
    assert len(token_requests(rsps)) == 2


def test_a_second_401_is_bad_credentials_not_a_loop(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1", "tok-2", "tok-3")
    rsps.get(f"{API}/companies", status=401, json={"errors": "Unauthorized"})

    with pytest.raises(BadCredentialsError) as caught:
        list(make_client().list_companies())
    assert caught.value.status == 401
    assert len(api_requests(rsps)) == 2
    assert len(token_requests(rsps)) == 2


def test_refused_client_credentials_raise_bad_credentials_and_are_recorded(
    rsps, connection, make_client
):
    rsps.post(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": "Client authentication failed"},
        headers={"X-Request-Id": "req-token-1"},
    )
    with pytest.raises(BadCredentialsError) as caught:
        list(make_client().list_companies())
    assert "Client authentication failed" in str(caught.value)
    assert caught.value.request_id == "req-token-1"
    assert api_requests(rsps) == []
    attempt = ApiAttempt.objects.get()
    assert (attempt.method, attempt.path, attempt.status_code) == ("POST", "/oauth/token", 401)
    assert attempt.request_id == "req-token-1"


def test_plain_http_is_refused_for_hosts_other_than_loopback(db, make_client):
    remote = ConnectionFactory(
        login_base_url="http://login.procore.example", api_base_url="https://api.example"
    )
    with pytest.raises(ConfigurationError, match="plain HTTP"):
        ConnectionTokenProvider(remote, recorder=None).token()
    with pytest.raises(ConfigurationError, match="plain HTTP"):
        list(
            make_client(
                ConnectionFactory(api_base_url="http://api.procore.example")
            ).list_companies()
        )


def test_insecure_transport_is_only_allowed_during_a_loopback_token_request(
    rsps, clock, make_client
):
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    add_tokens(rsps, clock, "tok-1")
    rsps.get(f"{API}/companies", json=[])
    list(make_client().list_companies())
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_production_environment_uses_procore_hosts_over_https(rsps, clock, make_client):
    conn = ConnectionFactory(environment="production", login_base_url="", api_base_url="")
    rsps.post(
        "https://login.procore.com/oauth/token",
        json={"access_token": "tok-p", "token_type": "bearer", "expires_in": 5400},
    )
    rsps.get("https://api.procore.com/rest/v1.0/companies", json=[])
    list(make_client(conn).list_companies())
    assert [c.request.url.split("?")[0] for c in rsps.calls] == [
        "https://login.procore.com/oauth/token",
        "https://api.procore.com/rest/v1.0/companies",
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_fetch_a_token_at_the_same_time(connection):
    """Both workers need a token at once; the second waits on the lock and reuses the first's."""
    fetches = []

    def slow_token(request):
        fetches.append(time.monotonic())
        time.sleep(0.3)
        return (
            200,
            {"Content-Type": "application/json"},
            '{"access_token": "tok-shared","token_type": "bearer", "expires_in": 5400}',
        )

    got: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            row = Connection.objects.select_related("company").get(pk=connection.pk)
            got.append(ConnectionTokenProvider(row, recorder=None).token())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, TOKEN_URL, callback=slow_token)
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)

    assert not errors, errors
    assert got == ["tok-shared", "tok-shared"]
    assert len(fetches) == 1


def test_a_503_from_the_login_host_says_when_to_come_back(sandbox_client, settings):
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 5}
    with pytest.raises(UnavailableError) as caught:
        sandbox_client.tokens.token()
    assert caught.value.retryable and caught.value.retry_after == 5
