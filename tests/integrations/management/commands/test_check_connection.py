"""connect_company and check_connection: the contract operators and scripts rely on."""

from __future__ import annotations

import socket
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.models import Connection
from tests.factories import ConnectionFactory
from tests.integrations.procore.conftest import API, TOKEN_URL, FakeClock, add_tokens

pytestmark = pytest.mark.django_db


def check(company_id: int) -> str:
    out = StringIO()
    call_command("check_connection", "--company", str(company_id), stdout=out)
    return out.getvalue()


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


def _procore_answers(rsps, wall_clock) -> None:
    add_tokens(rsps, wall_clock, "tok-1")
    rsps.get(f"{API}/companies", json=[{"id": 5982324300, "name": "Acme Builders"}])


def test_check_connection_checks_the_erp_too(rsps, wall_clock, tmp_path):
    from erp_adapters.sql.sample import create_sample_database, sample_settings

    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    create_sample_database(url)
    connection = _connection()
    Connection.objects.filter(pk=connection.pk).update(
        adapter_key="sql", adapter_settings=sample_settings(url)
    )
    _procore_answers(rsps, wall_clock)
    output = check(5_982_324_300)
    assert "Procore: Connected to Acme Builders" in output
    assert f"ERP (sql): ok: The ERP database at {url} answers" in output
    connection.refresh_from_db()
    assert (connection.health, connection.erp_health) == ("ok", "ok")
    assert connection.erp_health_checked_at is not None


def test_check_connection_fails_when_the_erp_does(rsps, wall_clock, tmp_path):
    """Procore answers, but a mapped table is missing: exit 6, naming the entity's setting."""
    from erp_adapters.sql.sample import create_sample_database, sample_settings

    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    create_sample_database(url)
    settings = sample_settings(url)
    settings["entities"]["vendors"]["list"]["table"] = "suppliers"
    connection = _connection()
    Connection.objects.filter(pk=connection.pk).update(adapter_key="sql", adapter_settings=settings)
    _procore_answers(rsps, wall_clock)
    with pytest.raises(CommandError) as caught:
        check(5_982_324_300)
    assert caught.value.returncode == 6
    assert "ERP (sql): failing" in str(caught.value)
    assert "suppliers" in str(caught.value) and "entities.vendors.list" in str(caught.value)
    connection.refresh_from_db()
    assert (connection.health, connection.erp_health) == ("ok", "failing")
