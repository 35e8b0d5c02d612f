"""No token or secret ever reaches a log line or an ApiAttempt row."""

from __future__ import annotations

import logging

import pytest

from integrations.models import ApiAttempt
from integrations.procore.errors import BadCredentialsError
from tests.integrations.procore.conftest import API, TOKEN_URL, add_tokens

pytestmark = pytest.mark.django_db

ACCESS_TOKEN = "tok-VERY-SECRET-access-token-value-1"
SECOND_TOKEN = "tok-VERY-SECRET-access-token-value-2"


def _stored_text() -> str:
    rows = ApiAttempt.objects.values_list(
        "path", "error", "request_id", "request_excerpt", "response_excerpt"
    )
    return "\n".join(" ".join(str(v) for v in row) for row in rows)


def test_secrets_never_appear_in_logs_or_attempt_rows(rsps, clock, connection, make_client, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = [
        connection.client_id,
        connection.client_secret,
        connection.webhook_secret,
        ACCESS_TOKEN,
        SECOND_TOKEN,
    ]
    add_tokens(rsps, clock, ACCESS_TOKEN, SECOND_TOKEN)
    # A 401 makes the client fetch a second token; an error body echoes what it was sent.
    rsps.get(f"{API}/companies", status=401, json={"errors": f"token {ACCESS_TOKEN} expired"})
    rsps.get(f"{API}/companies", json=[{"id": 1}])
    rsps.post(
        f"{API}/webhooks/hooks",
        status=422,
        json={"errors": {"destination_headers": [f"Bearer {connection.webhook_secret} is bad"]}},
    )

    client = make_client()
    list(client.list_companies())
    with pytest.raises(Exception) as caught:
        client.create_hook(
            namespace="acme-erp",
            destination_url="https://portal.example/webhooks/procore/1/",
            destination_headers={"Authorization": f"Bearer {connection.webhook_secret}"},
        )

    assert ApiAttempt.objects.count() == 5  # two token requests, three API attempts
    stored = _stored_text()
    assert "[redacted]" in stored
    for secret in secrets:
        assert secret not in stored, f"{secret!r} stored in an ApiAttempt row"
        assert secret not in caplog.text, f"{secret!r} written to the log"
        assert secret not in str(caught.value)
    assert "grant_type" in stored  # the excerpts are still useful to support staff


def test_refused_credentials_are_not_echoed_in_the_error_or_the_log(
    rsps, connection, make_client, caplog
):
    caplog.set_level(logging.DEBUG)
    rsps.post(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": f"bad {connection.client_secret}"},
    )
    with pytest.raises(BadCredentialsError) as caught:
        list(make_client().list_companies())
    assert connection.client_secret not in _stored_text()
    assert connection.client_secret not in caplog.text
    assert repr(connection.client_secret) not in repr(caught.value.__dict__.get("body"))
