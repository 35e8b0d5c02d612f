"""``manage.py connect_company``: the contract operators and scripts rely on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from integrations.models import AuditEntry, Company, Connection

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


def _without(args: list[str], *flags: str) -> list[str]:
    out = [*args]
    for flag in flags:
        at = out.index(flag)
        del out[at : at + 2]
    return out


@override_settings(PROCORE_ALLOWED_CUSTOM_HOSTS=["collector.example.net"])
def test_moving_the_credentials_without_the_client_secret_is_refused_naming_the_option():
    connect(*BASE_ARGS)
    stored = Connection.objects.values().get()
    moved = _without(BASE_ARGS, "--client-id", "--client-secret")
    moved[moved.index("--api-url") + 1] = "https://collector.example.net"

    with pytest.raises(CommandError, match=r"^--client-secret: the client secret is needed again"):
        connect(*moved)

    assert Connection.objects.values().get() == stored
    output = connect(*moved, "--client-secret", "csecret-first-value")
    assert "Updated" in output and "api_base_url" in output
    assert Connection.objects.get().api_url == "https://collector.example.net"


def test_an_update_without_the_secrets_keeps_them_and_prints_none(secret_adapter):
    first = connect(
        *BASE_ARGS,
        "--adapter",
        secret_adapter,
        "--adapter-settings",
        '{"tenant": "acme", "api_key": "apikey-never-printed-1"}',
    )
    secret = Connection.objects.get().webhook_secret
    assert first.count(secret) == 2  # the secret and the header to paste, once, at creation

    output = connect(
        *_without(BASE_ARGS, "--client-id", "--client-secret"),
        "--adapter-settings",
        '{"tenant": "books"}',
    )

    connection = Connection.objects.get()
    assert connection.adapter_settings["api_key"] == "apikey-never-printed-1"
    assert (connection.client_id, connection.client_secret) == ("cid-123", "csecret-first-value")
    assert "Updated" in output and "adapter_settings" in output
    for value in ("apikey-never-printed-1", "csecret-first-value", "cid-123"):
        assert value not in first
    for value in (secret, "apikey-never-printed-1", "csecret-first-value", "cid-123"):
        assert value not in output


def test_connecting_needs_the_client_id_and_secret():
    with pytest.raises(CommandError, match=r"^--client-secret: both the client id and"):
        connect(*_without(BASE_ARGS, "--client-secret"))
    assert not Company.objects.exists()


def test_adapter_settings_can_come_from_a_file_written_by_sql_erp_sample(tmp_path):
    """The README's steps: write the sample SQL ERP and its settings, connect the company."""
    database, settings_file = tmp_path / "sample-erp.sqlite3", tmp_path / "sample-erp.json"
    call_command(
        "sql_erp_sample", str(database), "--settings-file", str(settings_file), stdout=StringIO()
    )
    output = connect(*BASE_ARGS, "--adapter", "sql", "--adapter-settings", f"@{settings_file}")
    assert "Adapter:      sql" in output
    connection = Connection.objects.get()
    assert connection.adapter_settings["url"] == f"sqlite:///{database}"
    assert connection.adapter_settings["fetch_size"] == 1000  # the schema's defaults filled in
    with pytest.raises(CommandError, match="--adapter-settings: cannot read"):
        connect(*BASE_ARGS, "--adapter", "sql", "--adapter-settings", f"@{tmp_path / 'none'}")
