"""The connection wizard's page: company admins only, secrets never put back into the page,
problems shown beside their fields."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from integrations.models import Connection

pytestmark = pytest.mark.django_db

TYPED_SECRET = "typed-secret-7f3a9c"
TYPED_ID = "typed-client-id-2b8e"


def test_viewers_are_refused(viewer_client, world_a):
    url = reverse("selfservice:connection", args=[world_a.company.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"environment": "production"}).status_code == 403
    dashboard = viewer_client.get(reverse("selfservice:dashboard", args=[world_a.company.pk]))
    assert url not in dashboard.content.decode()  # no Connection tab for a viewer


def test_the_page_shows_the_stored_state_and_never_a_secret(admin_client, world_a):
    connection = Connection.objects.get(company=world_a.company)
    page = admin_client.get(reverse("selfservice:connection", args=[world_a.company.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'aria-current="page">Connection</a>' in body
    assert connection.client_secret not in body and connection.client_id not in body
    assert "The client secret is set; leave blank to keep it." in body
    assert 'name="demo__tenant"' in body


def test_a_refused_url_is_shown_at_its_field_and_what_was_typed_is_not_echoed(
    admin_client, world_a, settings
):
    settings.PROCORE_ALLOW_LOOPBACK = False
    before = Connection.objects.get(company=world_a.company)
    page = admin_client.post(
        reverse("selfservice:connection", args=[world_a.company.pk]),
        {
            "environment": "custom",
            "login_base_url": "http://127.0.0.1:9/",
            "api_base_url": "http://127.0.0.1:9/",
            "client_id": TYPED_ID,
            "client_secret": TYPED_SECRET,
            "adapter_key": "demo",
            "demo__tenant": "alpha",
            "demo__page_size": "100",
        },
    )
    body = page.content.decode()
    assert page.status_code == 400
    assert "loopback address, allowed only in development" in body
    assert "Procore credentials tested: failed" in body
    assert TYPED_SECRET not in body and TYPED_ID not in body
    assert 'value="alpha"' in body  # ordinary settings are kept as typed
    after = Connection.objects.get(company=world_a.company)
    assert (after.environment, after.client_secret) == (before.environment, before.client_secret)


def test_a_setting_outside_its_schema_is_refused_by_the_form(admin_client, world_a):
    page = admin_client.post(
        reverse("selfservice:connection", args=[world_a.company.pk]),
        {"environment": "production", "adapter_key": "demo", "demo__page_size": "0"},
    )
    assert page.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in page.content.decode()


def test_an_adapters_secret_settings_are_write_only(admin_client, world_a, secret_adapter):
    Connection.objects.filter(company=world_a.company).update(
        adapter_key=secret_adapter,
        adapter_settings={
            "tenant": "alpha",
            "api_key": "stored-api-key-991",
            "login": {"user": "erp-user", "password": "stored-password-992"},
        },
    )
    page = admin_client.get(reverse("selfservice:connection", args=[world_a.company.pk]))
    body = page.content.decode()
    assert "stored-api-key-991" not in body and "stored-password-992" not in body
    assert 'type="password" name="vault__api_key"' in body
    assert "Set; leave blank to keep it." in body
    assert 'value="alpha"' in body  # an ordinary setting is shown

    typed = admin_client.post(
        reverse("selfservice:connection", args=[world_a.company.pk]),
        {"environment": "production", "adapter_key": secret_adapter, "vault__api_key": "short"},
    )
    # Refused before any call (another environment needs the client secret again), and what
    # was typed into the secret setting is not put back into the page.
    assert "the client secret is needed again" in typed.content.decode()
    assert "short" not in re.findall(r'name="vault__api_key"[^>]*>', typed.content.decode())[0]
