"""connect_company and check_connection: the contract operators and scripts rely on."""

from __future__ import annotations

import socket
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from integrations.models import AuditEntry, Company, Connection
from tests.factories import ConnectionFactory
from tests.procore.conftest import API, TOKEN_URL, FakeClock, add_tokens

pytestmark = pytest.mark.django_db

SANDBOX = "http://127.0.0.1:8001"
BASE_ARGS = [
    "--procore-company-id",
    "5982324300",
    "--name",
    "Acme Builders",
    "--environment",
    "custom",
    "--api-url",
    SANDBOX,
    "--login-url",
    SANDBOX,
    "--client-id",
    "cid-123",
    "--client-secret",
    "csecret-first-value",
]


def connect(*args: str) -> str:
    out = StringIO()
    call_command("connect_company", *args, stdout=out)
    return out.getvalue()


def check(company_id: int) -> str:
    out = StringIO()
    call_command("check_connection", "--company", str(company_id), stdout=out)
    return out.getvalue()


@override_settings(PORTAL_BASE_URL="https://portal.example.com")
def test_connect_company_creates_and_prints_the_webhook_url_and_secret_once():
    output = connect(*BASE_ARGS)

    connection = Connection.objects.select_related("company").get()
    assert connection.company.procore_company_id == 5_982_324_300
    assert connection.company.name == "Acme Builders"
    assert (connection.login_url, connection.api_url) == (SANDBOX, SANDBOX)
    assert (connection.client_id, connection.client_secret) == ("cid-123", "csecret-first-value")
    assert "Webhook URL:  https://portal.example.com/webhooks/procore/5982324300/" in output
    assert len(connection.webhook_secret) >= 40
    assert f"Webhook bearer secret: {connection.webhook_secret}" in output
    assert f"Authorization: Bearer {connection.webhook_secret}" in output
    assert "csecret-first-value" not in output

    again = connect(*BASE_ARGS)
    assert "already connected" in again
    assert connection.webhook_secret not in again
    assert "unchanged" in again


def test_connect_company_audits_creation_and_changes_without_secret_values():
    connect(*BASE_ARGS)
    Connection.objects.update(access_token="tok-cached", health="ok")
    changed = [*BASE_ARGS]
    changed[changed.index("csecret-first-value")] = "csecret-second-value"
    changed[changed.index("Acme Builders")] = "Acme Builders Inc."
    output = connect(*changed)

    assert "Updated" in output and "client_secret" in output
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.object_type) for e in entries] == [
        ("create", "integrations.Company"),
        ("create", "integrations.Connection"),
        ("update", "integrations.Company"),
        ("update", "integrations.Connection"),
    ]
    assert entries[1].changes["client_secret"] == "(secret changed)"
    assert entries[1].changes["environment"] == {"from": None, "to": "custom"}
    assert entries[2].changes == {"name": {"from": "Acme Builders", "to": "Acme Builders Inc."}}
    assert entries[3].changes == {"client_secret": "(secret changed)"}
    assert all(e.actor_label == "connect_company" for e in entries)
    for entry in entries:
        assert "csecret" not in str(entry.changes)
        assert "whsec" not in str(entry.changes)
    # The cached token belonged to the old secret.
    connection = Connection.objects.get()
    assert connection.access_token == ""
    assert connection.health == Connection.Health.UNKNOWN


@pytest.mark.parametrize(
    "args,reason",
    [
        (["--environment", "custom", "--api-url", ""], "needs both an API URL and a login URL"),
        (["--environment", "production"], "only with the custom environment"),
        (["--api-url", "http://api.example.com"], "plain HTTP"),
        (["--api-url", "ftp://127.0.0.1"], "not an http(s) URL"),
        (["--adapter-settings", "{tenant: acme}"], "--adapter-settings is not valid JSON"),
        (["--adapter-settings", "[1, 2]"], "must be a JSON object"),
        (["--adapter", "no-such-erp"], "no-such-erp"),
        (["--procore-company-id", "0"], "positive"),
    ],
)
def test_connect_company_rejects_bad_input_with_a_clear_reason(args, reason):
    merged = [*BASE_ARGS]
    for flag, value in zip(args[::2], args[1::2], strict=True):
        if flag in merged:
            merged[merged.index(flag) + 1] = value
        else:
            merged += [flag, value]
    with pytest.raises(CommandError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        connect(*merged)
    assert not Company.objects.exists()


@pytest.fixture
def wall_clock() -> FakeClock:
    """The commands use the real clock, so tokens are issued now."""
    return FakeClock(time.time())


def _connection() -> Connection:
    return ConnectionFactory(company__procore_company_id=5_982_324_300, company__name="Acme")


def test_check_connection_on_good_credentials(rsps, wall_clock):
    connection = _connection()
    add_tokens(rsps, wall_clock, "tok-1")
    rsps.get(
        f"{API}/companies",
        json=[{"id": 42, "name": "Other"}, {"id": 5982324300, "name": "Acme Builders"}],
    )
    output = check(5_982_324_300)

    assert "ok: Got an access token from http://127.0.0.1:8001" in output
    assert "ok: Read the companies list" in output
    assert "Connected to Acme Builders (5982324300)" in output
    connection.refresh_from_db()
    assert connection.health == Connection.Health.OK
    assert connection.health_checked_at is not None
    assert rsps.calls[1].request.headers["Procore-Company-Id"] == "5982324300"


def test_check_connection_on_bad_credentials(rsps):
    connection = _connection()
    rsps.post(
        TOKEN_URL,
        status=401,
        json={"error": "invalid_client", "error_description": "Client authentication failed"},
    )
    with pytest.raises(CommandError) as caught:
        check(5_982_324_300)
    assert caught.value.returncode == 2
    assert "Bad credentials" in str(caught.value)
    assert "Client authentication failed" in str(caught.value)
    connection.refresh_from_db()
    assert connection.health == Connection.Health.FAILING
    assert "Bad credentials" in connection.health_message


def test_check_connection_on_an_unreachable_host():
    with socket.socket() as probe:  # a loopback port that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    ConnectionFactory(
        company__procore_company_id=5_982_324_300, login_base_url=url, api_base_url=url
    )
    with pytest.raises(CommandError) as caught:
        check(5_982_324_300)
    assert caught.value.returncode == 4
    assert "Host unreachable" in str(caught.value)
    assert f"cannot reach the login host {url} (connection refused)" in str(caught.value)
    assert Connection.objects.get().health == Connection.Health.FAILING


@pytest.mark.parametrize(
    "companies_answer,expected",
    [
        ({"status": 403, "json": {"errors": "App is not connected to this company"}}, "403"),
        ({"json": [{"id": 42, "name": "Other"}]}, "not among the companies"),
    ],
)
def test_check_connection_when_the_app_is_not_installed(
    rsps, wall_clock, companies_answer, expected
):
    _connection()
    add_tokens(rsps, wall_clock, "tok-1")
    rsps.get(f"{API}/companies", **companies_answer)
    with pytest.raises(CommandError) as caught:
        check(5_982_324_300)
    assert caught.value.returncode == 3
    assert expected in str(caught.value)


def test_check_connection_when_rate_limited(rsps, wall_clock):
    _connection()
    add_tokens(rsps, wall_clock, "tok-1")
    rsps.get(
        f"{API}/companies",
        status=429,
        headers={"Retry-After": "30"},
        json={"errors": "You have surpassed the max number of requests"},
    )
    with pytest.raises(CommandError) as caught:
        check(5_982_324_300)
    assert caught.value.returncode == 5
    assert "rate limiting" in str(caught.value)
    assert Connection.objects.get().health == Connection.Health.DEGRADED


def test_check_connection_for_an_unknown_company():
    with pytest.raises(CommandError, match="No connection for Procore company 77"):
        check(77)
