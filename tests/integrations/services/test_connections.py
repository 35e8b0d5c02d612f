"""Checking a connection against the local Procore sandbox: ok, revoked secret, app not
installed. Connecting and updating one: when each secret changed, blank keeps, and changing
where the credentials go needs the client secret again."""

from __future__ import annotations

import pytest

from integrations.models import AuditEntry, Company, Connection
from integrations.services.connections import (
    CheckOutcome,
    ConnectionSettingsError,
    connection_check,
    connection_credentials_test,
    connection_upsert,
)
from tests.factories import CompanyFactory, ConnectionFactory


def test_connection_check_against_the_sandbox(sandbox_connection, sandbox_base_url):
    assert connection_check(connection=sandbox_connection).outcome == CheckOutcome.OK

    # A revoked secret is caught even though a token from it is still cached.
    Connection.objects.filter(pk=sandbox_connection.pk).update(client_secret="not-the-secret")
    result = connection_check(connection=Connection.objects.get(pk=sandbox_connection.pk))
    assert result.outcome == CheckOutcome.BAD_CREDENTIALS

    elsewhere = ConnectionFactory(
        company=CompanyFactory(procore_company_id=4_999_999_999),
        login_base_url=sandbox_base_url,
        api_base_url=sandbox_base_url,
        client_id="e2e-app",
        client_secret="e2e-app-secret-0123456789",
    )
    assert connection_check(connection=elsewhere).outcome == CheckOutcome.NOT_INSTALLED


def test_credentials_not_saved_are_tested_and_nothing_is_stored(sandbox_connection):
    """The wizard's test before saving: a copy with other credentials, never written back."""
    import copy

    stored = Connection.objects.get(pk=sandbox_connection.pk)
    typed = copy.copy(stored)
    typed.client_secret = "typed-but-wrong"
    refused = connection_credentials_test(connection=typed)
    assert refused.outcome == CheckOutcome.BAD_CREDENTIALS
    typed.client_secret = stored.client_secret
    assert connection_credentials_test(connection=typed).outcome == CheckOutcome.OK

    row = Connection.objects.get(pk=sandbox_connection.pk)
    assert (row.client_secret, row.access_token, row.health) == (
        stored.client_secret,
        stored.access_token,
        stored.health,
    )


# -- Connecting and updating: secrets, their times, where they go ---------------------------------

LOCAL = "http://127.0.0.1:8001"
CONNECT = {
    "procore_company_id": 5_982_324_300,
    "name": "Acme Builders",
    "environment": "custom",
    "api_url": LOCAL,
    "login_url": LOCAL,
    "client_id": "cid-123",
    "client_secret": "csecret-first-value",
}


def _times(connection: Connection) -> dict:
    connection = Connection.objects.get(pk=connection.pk)
    return {
        name: getattr(connection, f"{name}_changed_at") for name in Connection.SECRET_TEXT_FIELDS
    } | {"adapter": connection.adapter_secrets_changed_at}


@pytest.mark.django_db
def test_connecting_records_when_each_secret_was_set():
    result = connection_upsert(**CONNECT)
    times = _times(result.connection)
    assert times["client_id"] is not None
    assert times["client_id"] == times["client_secret"] == times["webhook_secret"]
    assert times["access_token"] is None and times["webhook_secret_previous"] is None


@pytest.mark.django_db
def test_an_update_gives_a_new_time_only_to_the_secrets_it_changes():
    first = connection_upsert(**CONNECT).connection
    before = _times(first)

    connection_upsert(**CONNECT)  # the same settings: nothing changes
    assert _times(first) == before

    connection_upsert(**{**CONNECT, "client_secret": "csecret-second-value"})
    after = _times(first)
    assert after["client_secret"] > before["client_secret"]
    assert {k: v for k, v in after.items() if k != "client_secret"} == {
        k: v for k, v in before.items() if k != "client_secret"
    }


@pytest.mark.django_db
def test_a_blank_client_id_or_secret_keeps_the_stored_one_but_a_new_company_needs_both():
    connection_upsert(**CONNECT)
    result = connection_upsert(**{**CONNECT, "client_id": "", "client_secret": ""})
    connection = Connection.objects.get(pk=result.connection.pk)
    assert (connection.client_id, connection.client_secret) == ("cid-123", "csecret-first-value")
    assert result.changed_fields == []

    with pytest.raises(ConnectionSettingsError, match="both the client id and the client secret"):
        connection_upsert(**{**CONNECT, "procore_company_id": 42, "client_secret": ""})
    assert not Company.objects.filter(procore_company_id=42).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"environment": "production", "api_url": "", "login_url": ""},
        {"api_url": "https://collector.example.net"},
        {"login_url": "https://collector.example.net"},
    ],
    ids=["environment", "api URL", "login URL"],
)
def test_changing_where_the_credentials_go_needs_the_client_secret_again(settings, change):
    settings.PROCORE_ALLOWED_CUSTOM_HOSTS = ["collector.example.net"]
    connection = connection_upsert(**CONNECT).connection
    Connection.objects.filter(pk=connection.pk).update(access_token="tok-old-host")
    stored = Connection.objects.filter(pk=connection.pk).values().get()
    audits = AuditEntry.objects.count()

    with pytest.raises(ConnectionSettingsError, match="client secret is needed again") as caught:
        connection_upsert(**{**CONNECT, **change, "client_secret": ""})

    assert caught.value.field == "client_secret"
    assert Connection.objects.filter(pk=connection.pk).values().get() == stored
    assert AuditEntry.objects.count() == audits

    result = connection_upsert(**{**CONNECT, **change})  # with the secret, typed again
    connection = Connection.objects.get(pk=result.connection.pk)
    assert result.changed_fields
    assert connection.access_token == ""  # it belonged to the old host


@pytest.mark.django_db
def test_a_base_url_outside_the_policy_is_refused_even_with_the_secret(settings):
    settings.DEBUG = False
    settings.PROCORE_ALLOW_LOOPBACK = False
    with pytest.raises(ConnectionSettingsError, match="allowed only in development") as caught:
        connection_upsert(**CONNECT)
    assert caught.value.field == "api_base_url"
    with pytest.raises(ConnectionSettingsError, match="PROCORE_ALLOWED_CUSTOM_HOSTS") as caught:
        connection_upsert(**{**CONNECT, "api_url": "https://evil.example.com", "login_url": LOCAL})
    assert not Company.objects.exists()


@pytest.mark.django_db
def test_secret_adapter_settings_left_out_are_kept_and_audited_without_their_value(
    secret_adapter,
):
    connection = connection_upsert(
        **CONNECT,
        adapter_key=secret_adapter,
        adapter_settings={"tenant": "acme", "api_key": "apikey-first-1234"},
    ).connection
    first = _times(connection)["adapter"]
    assert set(first) == {"api_key"}

    result = connection_upsert(**CONNECT, adapter_settings={"tenant": "books"})
    connection = Connection.objects.get(pk=result.connection.pk)
    assert connection.adapter_settings["api_key"] == "apikey-first-1234"
    assert connection.adapter_settings["tenant"] == "books"
    assert _times(connection)["adapter"] == first

    connection_upsert(**CONNECT, adapter_settings={"tenant": "books", "api_key": "apikey-2nd-5678"})
    entries = list(AuditEntry.objects.filter(object_type="integrations.Connection").order_by("id"))
    assert entries[1].changes == {"adapter_settings": {"tenant": {"from": "acme", "to": "books"}}}
    assert entries[2].changes == {"adapter_settings": {"api_key": "(secret changed)"}}
    assert entries[0].changes["adapter_settings"]["api_key"] == "(secret changed)"
    assert "apikey" not in str([e.changes for e in entries])
    assert _times(connection)["adapter"]["api_key"] > first["api_key"]


def test_the_erp_check_is_stored_with_its_time(db):
    from integrations.models import Connection
    from integrations.services.connections import connection_erp_check
    from tests import factories

    connection = factories.ConnectionFactory(adapter_key="demo", adapter_settings={"tenant": "t"})
    result = connection_erp_check(connection=connection)
    stored = Connection.objects.get(pk=connection.pk)
    assert stored.erp_health == result.health != "unknown"
    assert stored.erp_health_message == result.message and stored.erp_health_checked_at


def test_an_offline_or_unknown_erp_adapter_is_failing_with_the_reason(db):
    from integrations.models import Connection
    from integrations.services.connections import connection_erp_check
    from tests import factories

    offline = factories.ConnectionFactory(adapter_key="demo", adapter_settings={"offline": True})
    assert connection_erp_check(connection=offline).message.startswith("The demo ERP is offline")
    assert Connection.objects.get(pk=offline.pk).erp_health == "failing"
    unknown = factories.ConnectionFactory(adapter_key="no-such-erp")
    assert connection_erp_check(connection=unknown).health == "failing"
    none = factories.ConnectionFactory(adapter_key="")
    assert "No ERP adapter" in connection_erp_check(connection=none).message
