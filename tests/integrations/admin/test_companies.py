"""The companies' and connections' admin: secrets are write-only and audited without their
values, and "Test connection" runs the same check as the command, reported as a message."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

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
            f"{connection.company}: Connected to Acme Builders (5982324300) on Custom base URLs.",
        )
    ]
    assert Connection.objects.get().health == Connection.Health.OK


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


def test_connection_secrets_are_write_only(admin_client_logged_in, populated):
    connection = populated["connection"]
    url = reverse("admin:integrations_connection_change", args=[connection.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert SECRET not in page
    assert "Currently set" in page
    assert "tenant, password" in page or "password, tenant" in page  # keys, never values

    form = admin_client_logged_in.get(url).context["adminform"].form
    data = {name: "" for name in form.fields}
    data.update(
        company=connection.company.pk,
        environment="custom",
        login_base_url="http://127.0.0.1:9001",
        api_base_url="http://127.0.0.1:9001",
        health="unknown",
        adapter_key="demo",
    )
    response = admin_client_logged_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    connection = Connection.objects.get(pk=connection.pk)
    assert connection.client_secret == SECRET  # blank kept the stored value
    assert connection.adapter_settings == {"tenant": "acme", "password": "erp-pw-31"}
    assert connection.login_base_url == "http://127.0.0.1:9001"

    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.actor_label == "support"
    assert entry.changes["login_base_url"]["to"] == "http://127.0.0.1:9001"
    assert "client_secret" not in entry.changes

    data["client_secret"] = "rotated-secret-value"
    admin_client_logged_in.post(url, data)
    entry = AuditEntry.objects.filter(object_type="integrations.Connection").latest("id")
    assert entry.changes == {"client_secret": "(secret changed)"}
    assert "rotated-secret-value" not in str(AuditEntry.objects.values_list("changes"))


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
