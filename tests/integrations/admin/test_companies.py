"""The companies' and connections' admin: secrets are write-only and audited without their
values, and "Test connection" runs the same check as the command, reported as a message."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from integrations import crypto
from integrations.models import AuditEntry, Connection
from tests.factories import CompanyFactory, ConnectionFactory
from tests.integrations.admin.conftest import SECRET
from tests.integrations.procore.conftest import API, TOKEN_URL, FakeClock, add_tokens

pytestmark = pytest.mark.django_db


def _run(client, url_name: str, action: str, pks: list[int]) -> list[tuple[str, str]]:
    response = client.post(
        reverse(url_name), {"action": action, "_selected_action": [str(pk) for pk in pks]}
    )
    assert response.status_code == 302
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def test_test_connection_on_the_connection_admin(rsps, admin_client_logged_in):
    connection = ConnectionFactory(company__procore_company_id=5_982_324_300)
    add_tokens(rsps, FakeClock(time.time()), "tok-1")
    rsps.get(f"{API}/companies", json=[{"id": 5982324300, "name": "Acme Builders"}])

    shown = _run(
        admin_client_logged_in,
        "admin:integrations_connection_changelist",
        "check_connections",
        [connection.pk],
    )
    assert shown == [
        (
            "success",
            f"{connection.company}: Procore: Connected to Acme Builders (5982324300) on Custom "
            "base URLs.",
        ),
        (
            "warning",
            f"{connection.company}: ERP (demo): Demo ERP books 'demo' have no cost codes and no "
            "cost types: commitments and change orders cannot be exported until they exist "
            "(run seed_demo_erp).",
        ),
    ]
    checked = Connection.objects.get()
    assert checked.health == Connection.Health.OK
    assert checked.erp_health == Connection.Health.DEGRADED
    assert checked.erp_health_checked_at is not None
    assert "have no cost codes" in checked.erp_health_message


def test_test_connection_on_the_company_admin(rsps, admin_client_logged_in):
    connection = ConnectionFactory()
    lonely = CompanyFactory()
    rsps.post(TOKEN_URL, status=401, json={"error": "invalid_client"})

    shown = _run(
        admin_client_logged_in,
        "admin:integrations_company_changelist",
        "check_company_connections",
        [connection.company.pk, lonely.pk],
    )
    assert ("error", f"{lonely}: not connected.") in shown
    failure = next(m for level, m in shown if str(connection.company) in m)
    assert "Bad credentials" in failure
    assert Connection.objects.get().health == Connection.Health.FAILING


def _form_data(client, url: str) -> dict:
    """The change form as a person would send it back untouched (secrets blank)."""
    form = client.get(url).context["adminform"].form
    data = {name: "" for name in form.fields}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "adapter_settings":
            data[name] = json.dumps(value) if value else ""
        elif value is not None:
            data[name] = value
    return data


def test_connection_secrets_are_write_only(admin_client_logged_in, populated):
    connection = populated["connection"]
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert SECRET not in page
    assert "Write-only: set · change time not recorded" in page
    assert "<code>password</code> (secret): set" in page  # not in the schema: never shown
    assert "<code>tenant</code>: &quot;acme&quot;" in page

    data = _form_data(admin_client_logged_in, url)
    data.update(health="degraded")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    connection = Connection.objects.get(pk=connection.pk)
    assert connection.client_secret == SECRET  # blank kept the stored value
    assert connection.adapter_settings == {"tenant": "acme", "password": "erp-pw-31"}
    assert connection.health == "degraded"
    assert connection.client_secret_changed_at is None  # nothing secret changed

    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.actor_label == "support"
    assert entry.changes == {"health": {"from": "unknown", "to": "degraded"}}

    data["client_secret"] = "rotated-secret-value"
    admin_client_logged_in.post(url, data)
    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.changes == {
        "client_secret": "(secret changed)",
        # The health was checked with the old secret: it says nothing of the new one.
        "health": {"from": "degraded", "to": "unknown"},
        "health_message": {"from": "", "to": "Settings changed; not checked since."},
    }
    assert "rotated-secret-value" not in str(AuditEntry.objects.values_list("changes"))
    connection = Connection.objects.get(pk=connection.pk)
    assert connection.client_secret == "rotated-secret-value"
    assert connection.client_secret_changed_at is not None
    assert connection.client_id_changed_at is None  # only what changed gets a time


# -- Secrets are never shown, whatever the permission ----------------------------------------------

SECRETS = {
    "client_id": "cid-never-shown-7c2",
    "client_secret": SECRET,
    "access_token": "tok-never-shown-5d8",
    "webhook_secret": "whsec-never-shown-1a4",
    "webhook_secret_previous": "whsec-prev-never-shown-3e6",
}
API_KEY = "apikey-never-shown-9f0"
ERP_PASSWORD = "erp-password-never-shown-2b7"
CHANGED = datetime(2026, 11, 29, 17, 2, 41, tzinfo=UTC)


@pytest.fixture
def secret_connection(populated, secret_adapter, admin_client_logged_in):
    """The populated connection holding every kind of secret, edited once through the admin
    (so its history and audit trail have entries) and with a token fetched."""
    connection = populated["connection"]
    Connection.objects.filter(pk=connection.pk).update(
        adapter_key=secret_adapter,
        adapter_settings={"tenant": "acme", "api_key": API_KEY, "login": {"user": "u"}},
    )
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data.update(
        {name: value for name, value in SECRETS.items() if name != "access_token"},
        adapter_settings=json.dumps(
            {"tenant": "acme", "login": {"user": "u", "password": ERP_PASSWORD}}
        ),
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    Connection.objects.filter(pk=connection.pk).update(
        access_token=SECRETS["access_token"],
        access_token_changed_at=CHANGED,
        client_secret_changed_at=CHANGED,
        token_expires_at=CHANGED + timedelta(hours=1),
        adapter_secrets_changed_at={
            **Connection.objects.get(pk=connection.pk).adapter_secrets_changed_at,
            "api_key": CHANGED.isoformat(),
        },
    )
    connection = Connection.objects.get(pk=connection.pk)
    assert {name: getattr(connection, name) for name in SECRETS} == SECRETS
    assert connection.adapter_settings["login"]["password"] == ERP_PASSWORD
    return connection


@pytest.fixture
def view_only_client(django_user_model):
    """A staff member who may view everything in the portal and change nothing (a client of
    their own: ``client`` is the superuser's)."""
    client = Client()
    user = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["integrations", "auth", "admin"],
            codename__startswith="view_",
        )
    )
    client.force_login(user)
    return client


def _connection_pages(connection) -> list[tuple[str, bool]]:
    """Every admin page that shows this connection or what was done to it: (url, whether a
    view-only user may open it)."""
    pk, company_pk = connection.pk, connection.company.pk
    pages = [
        (reverse("admin:integrations_connection_changelist"), True),
        (
            reverse("admin:integrations_connection_changelist") + f"?q={connection.company.name}",
            True,
        ),
        (reverse("admin:integrations_connection_change", args=[pk]), True),
        (reverse("admin:integrations_connection_history", args=[pk]), True),
        (reverse("admin:integrations_connection_delete", args=[pk]), False),
        (reverse("admin:integrations_connection_add"), False),
        (reverse("admin:integrations_company_change", args=[company_pk]), True),
        (reverse("admin:integrations_company_history", args=[company_pk]), True),
        (reverse("admin:integrations_auditentry_changelist"), True),
        (reverse("admin:admin_logentry_changelist"), True) if _logentry_registered() else None,
        (reverse("admin:index"), True),
    ]
    pages += [
        (reverse("admin:integrations_auditentry_change", args=[entry.pk]), True)
        for entry in AuditEntry.objects.all()
    ]
    for model in (m for m in admin.site._registry if m._meta.app_label == "integrations"):
        opts = model._meta
        pages.append((reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"), True))
        for obj in model.objects.all()[:3]:
            pages.append(
                (reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]), True)
            )
    return [page for page in pages if page is not None]


def _logentry_registered() -> bool:
    from django.contrib.admin.models import LogEntry

    return LogEntry in admin.site._registry


@pytest.mark.parametrize("who", ["view-only staff", "superuser"])
def test_no_page_of_a_connection_shows_a_stored_secret(
    who, secret_connection, view_only_client, admin_client_logged_in
):
    client = view_only_client if who == "view-only staff" else admin_client_logged_in
    assert LogEntry.objects.filter(object_id=str(secret_connection.pk)).exists()
    never = [*SECRETS.values(), API_KEY, ERP_PASSWORD, crypto.PREFIX, "gAAAAA"]
    opened = 0
    for url, viewable in _connection_pages(secret_connection):
        response = client.get(url)
        if who == "view-only staff" and not viewable:
            assert response.status_code == 403, url
            continue
        assert response.status_code == 200, url
        page = response.content.decode()
        shown = [value for value in never if value in page]
        assert not shown, f"{url} shows {shown}"
        opened += 1
    assert opened >= 20

    page = client.get(
        reverse("admin:integrations_connection_change", args=[secret_connection.pk])
    ).content.decode()
    assert "set · changed 2026-11-29 17:02 UTC" in page  # the client secret, the token
    assert page.count("set · changed ") >= 5
    assert "<code>api_key</code> (secret): set · changed " in page
    assert "<code>login</code> (secret): set · changed " in page
    assert "<code>tenant</code>: &quot;acme&quot;" in page


def test_a_view_only_user_sees_each_secret_as_set_or_not_set(secret_connection, view_only_client):
    Connection.objects.filter(pk=secret_connection.pk).update(webhook_secret_previous="")
    url = reverse("admin:integrations_connection_change", args=[secret_connection.pk])
    response = view_only_client.get(url)
    assert response.status_code == 200
    fields = {
        line.field["label"]: line.contents()
        for fieldset in response.context["adminform"]
        for row in fieldset
        for line in row
        if line.is_readonly
    }
    assert fields["Client secret"] == "set · changed 2026-11-29 17:02 UTC"
    assert fields["Access token"] == (
        "set · changed 2026-11-29 17:02 UTC · expires 2026-11-29 18:02 UTC"
    )
    assert fields["Client id"].startswith("set · changed ")
    assert fields["Webhook secret"].startswith("set · changed ")
    assert fields["Previous webhook secret"] == "not set"
    assert not any(name in fields for name in ("client_secret", "adapter_settings"))


def test_secrets_typed_in_the_form_are_kept_out_of_error_reports(admin_client_logged_in, populated):
    url = reverse("admin:integrations_connection_change", args=[populated["connection"].pk])
    response = admin_client_logged_in.post(url, {"client_secret": "typed-secret"})
    assert set(response.wsgi_request.sensitive_post_parameters) == {
        "client_id",
        "client_secret",
        "webhook_secret",
        "webhook_secret_previous",
        "adapter_settings",
    }


# -- Adapter settings: the secret ones are write-only ----------------------------------------------


def test_an_edit_of_the_settings_keeps_the_secret_ones_it_leaves_out(
    admin_client_logged_in, secret_connection
):
    url = reverse("admin:integrations_connection_change", args=[secret_connection.pk])
    data = _form_data(admin_client_logged_in, url)
    assert json.loads(data["adapter_settings"]) == {
        "tenant": "acme",
        "page_size": 1000,
        "offline": False,
    }  # the box holds what is not secret (with the schema's defaults)

    data["adapter_settings"] = json.dumps({"tenant": "books", "api_key": ""})
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    connection = Connection.objects.get(pk=secret_connection.pk)
    assert connection.adapter_settings["tenant"] == "books"
    assert connection.adapter_settings["api_key"] == API_KEY
    assert connection.adapter_settings["login"]["password"] == ERP_PASSWORD
    assert connection.adapter_secrets_changed_at == secret_connection.adapter_secrets_changed_at
    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.changes == {"adapter_settings": {"tenant": {"from": "acme", "to": "books"}}}

    data["adapter_settings"] = json.dumps({"tenant": "books", "api_key": "apikey-rotated-11"})
    admin_client_logged_in.post(url, data)
    connection = Connection.objects.get(pk=secret_connection.pk)
    assert connection.adapter_settings["api_key"] == "apikey-rotated-11"
    assert (
        connection.adapter_secrets_changed_at["api_key"]
        > secret_connection.adapter_secrets_changed_at["api_key"]
    )
    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.changes == {"adapter_settings": {"api_key": "(secret changed)"}}

    data["adapter_settings"] = json.dumps({"tenant": "books", "login": None})
    admin_client_logged_in.post(url, data)
    connection = Connection.objects.get(pk=secret_connection.pk)
    assert "login" not in connection.adapter_settings
    assert "login" not in connection.adapter_secrets_changed_at
    assert ERP_PASSWORD not in str(AuditEntry.objects.values_list("changes"))


def test_a_stored_secret_setting_that_fails_its_schema_is_not_quoted_back(
    admin_client_logged_in, secret_connection
):
    Connection.objects.filter(pk=secret_connection.pk).update(
        adapter_settings={"tenant": "acme", "api_key": "short"}
    )
    url = reverse("admin:integrations_connection_change", args=[secret_connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data["adapter_settings"] = json.dumps({"tenant": "books"})
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["adapter_settings"]
    assert "api_key: the value does not satisfy the schema's 'minLength' rule" in errors[0]
    assert "short" not in response.content.decode()


def test_the_connection_shows_who_is_provisioning_it(admin_client_logged_in, populated):
    connection = populated["connection"]
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    assert "Provisioning now" in admin_client_logged_in.get(url).content.decode()

    until = timezone.now() + timedelta(minutes=5)
    Connection.objects.filter(pk=connection.pk).update(
        lease_owner="admin-web-1:42/cafe01", lease_expires_at=until
    )

    page = admin_client_logged_in.get(url).content.decode()
    assert f"yes, by admin-web-1:42/cafe01, until {until:%Y-%m-%d %H:%M:%S} UTC" in page


# -- Where the credentials go ----------------------------------------------------------------------

COLLECTOR = "collector.example.net"


def test_redirecting_the_credentials_needs_the_client_secret_again(
    rsps, admin_client_logged_in, settings
):
    """A person who may edit the connection but does not know its secret points it at a server
    of theirs and presses Test connection: nothing is saved and nothing reaches that server."""
    settings.PROCORE_ALLOWED_CUSTOM_HOSTS = [COLLECTOR]  # even a host the policy allows
    connection = ConnectionFactory(company__procore_company_id=5_982_324_300)
    stored = {
        name: getattr(connection, name)
        for name in ("login_base_url", "api_base_url", "client_secret", "updated_at")
    }
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data.update(login_base_url=f"https://{COLLECTOR}", api_base_url=f"https://{COLLECTOR}")

    response = admin_client_logged_in.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["client_secret"] == [
        "The client secret is needed again to change where this connection sends it (its "
        "environment, login URL or API URL); enter it with the change."
    ]
    connection.refresh_from_db()
    assert {name: getattr(connection, name) for name in stored} == stored
    assert not AuditEntry.objects.filter(object_type="integrations.Connection").exists()

    collector = re.compile(rf"https://{re.escape(COLLECTOR)}/.*")
    rsps.post(collector, json={"access_token": "stolen"})
    rsps.get(collector, json=[])
    add_tokens(rsps, FakeClock(time.time()), "tok-1")
    rsps.get(f"{API}/companies", json=[{"id": 5982324300, "name": "Acme Builders"}])
    shown = _run(
        admin_client_logged_in,
        "admin:integrations_connection_changelist",
        "check_connections",
        [connection.pk],
    )
    assert shown[0][0] == "success"
    assert [call.request.url for call in rsps.calls if COLLECTOR in call.request.url] == []

    # The environment is a destination too.
    data.update(login_base_url="", api_base_url="", environment="production")
    response = admin_client_logged_in.post(url, data)
    assert "client_secret" in response.context["adminform"].form.errors
    assert Connection.objects.get(pk=connection.pk).environment == "custom"


def test_with_the_client_secret_the_destination_changes_and_the_old_token_goes(
    admin_client_logged_in, settings
):
    settings.PROCORE_ALLOWED_CUSTOM_HOSTS = [COLLECTOR]
    connection = ConnectionFactory(access_token="tok-of-the-old-host")
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data.update(
        login_base_url=f"https://{COLLECTOR}/",
        api_base_url=f"https://{COLLECTOR}",
        client_secret=connection.client_secret,  # the same secret, typed again
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    connection.refresh_from_db()
    assert (connection.login_base_url, connection.api_base_url) == (
        f"https://{COLLECTOR}",
        f"https://{COLLECTOR}",
    )
    assert connection.access_token == ""  # it belonged to the old host
    assert connection.access_token_changed_at is not None
    assert connection.client_secret_changed_at is None  # typed again, not changed


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("api_base_url", "https://evil.example.com", "Is not a Procore host"),
        ("login_base_url", "http://login.example.com", "Uses plain HTTP"),
    ],
)
def test_a_base_url_outside_the_policy_is_refused_beside_its_field(
    admin_client_logged_in, settings, field, value, reason
):
    connection = ConnectionFactory()
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data.update({field: value, "client_secret": connection.client_secret})
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors[field]
    assert reason.lower() in error.lower()
    connection.refresh_from_db()
    assert getattr(connection, field) == "http://127.0.0.1:8001"


def test_loopback_base_urls_are_refused_outside_development(admin_client_logged_in, settings):
    settings.DEBUG = False
    settings.PROCORE_ALLOW_LOOPBACK = False
    connection = ConnectionFactory()
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    data = _form_data(admin_client_logged_in, url)
    data.update(health="degraded")
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 200
    assert "allowed only in development" in str(response.context["adminform"].form.errors)


@pytest.mark.parametrize("term", ["demo", "DEMO CONSTRUCTION", "construction co"])
def test_a_company_is_found_by_its_name_in_part_whatever_the_case(admin_client_logged_in, term):
    demo = CompanyFactory(name="Demo Construction Co.")
    CompanyFactory(name="Acme Builders")
    page = admin_client_logged_in.get(
        reverse("admin:integrations_company_changelist"), {"q": term}
    ).content.decode()
    assert "Demo Construction Co." in page and "Acme Builders" not in page
    page = admin_client_logged_in.get(
        reverse("admin:integrations_company_changelist"), {"q": str(demo.procore_company_id)}
    ).content.decode()
    assert "Demo Construction Co." in page and "Acme Builders" not in page


def test_test_connection_is_a_button_on_the_connection_and_company_pages(
    rsps, admin_client_logged_in
):
    connection = ConnectionFactory(company__procore_company_id=5_982_324_300)
    add_tokens(rsps, FakeClock(time.time()), "tok-1", "tok-2")
    rsps.get(f"{API}/companies", json=[{"id": 5982324300, "name": "Acme Builders"}])
    pages = [
        ("connection", connection.pk, "check_connections"),
        ("company", connection.company.pk, "check_company_connections"),
    ]
    for model, pk, action in pages:
        change = reverse(f"admin:integrations_{model}_change", args=[pk])
        button = reverse(f"admin:integrations_{model}_act", args=[pk, action])
        assert f'action="{button}"' in admin_client_logged_in.get(change).content.decode()
        response = admin_client_logged_in.post(button, follow=True)
        assert response.redirect_chain[-1][0] == change
        assert "Connected to Acme Builders (5982324300)" in response.content.decode()
    entries = AuditEntry.objects.filter(object_type="integrations.Connection")
    assert [e.changes for e in entries] == [{"action": "test connection", "outcome": "ok"}] * 2


def test_view_only_staff_cannot_test_a_connection(view_only_client):
    connection = ConnectionFactory()
    change = reverse("admin:integrations_connection_change", args=[connection.pk])
    assert "/act/" not in view_only_client.get(change).content.decode()
    button = reverse("admin:integrations_connection_act", args=[connection.pk, "check_connections"])
    assert view_only_client.post(button).status_code == 403
    assert Connection.objects.get().health == Connection.Health.UNKNOWN
