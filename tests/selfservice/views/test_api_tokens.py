"""API tokens: a signed-in user creates one (shown once), uses it, and revokes it; nobody else's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from integrations.models import ApiToken, AuditEntry
from integrations.services.api_tokens import api_token_create
from tests.selfservice.conftest import member, sign_in

pytestmark = pytest.mark.django_db

PAGE = reverse("selfservice:api-tokens")


def _api(secret: str):
    return Client().get("/api/v1/companies/", HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_new_token_is_shown_once_and_works_for_the_api(viewer_client, viewer_a, world_a):
    created = viewer_client.post(PAGE, {"name": "nightly export"})
    assert created.status_code == 201
    assert created["Cache-Control"].startswith("max-age=0")
    secret = re.search(r'id="new-token"[^>]* value="(erp_[^"]+)"', created.content.decode())[1]
    assert "shown only this once" in created.content.decode()

    companies = _api(secret)
    assert companies.status_code == 200
    assert world_a.company.name in companies.content.decode()

    again = viewer_client.get(PAGE).content.decode()
    assert "nightly export" in again
    assert secret not in again
    token = ApiToken.objects.get(user=viewer_a)
    assert f"erp_{token.prefix}_" in again
    assert AuditEntry.objects.filter(actor=viewer_a, object_type="integrations.ApiToken")


def test_a_revoked_token_is_refused_by_the_api(viewer_client, viewer_a):
    new = api_token_create(user=viewer_a, name="old script")
    assert _api(new.secret).status_code == 200

    page = viewer_client.post(
        reverse("selfservice:api-token-revoke", args=[new.token.pk]), follow=True
    )
    assert "“old script” is revoked" in page.content.decode()
    assert f'id="token-{new.token.pk}"' in page.content.decode()
    assert "Revoked" in page.content.decode()
    assert _api(new.secret).status_code == 401


def test_a_name_is_required_and_nothing_is_created_without_it(viewer_client, viewer_a):
    refused = viewer_client.post(PAGE, {"name": "   "})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    assert not ApiToken.objects.filter(user=viewer_a).exists()


def test_another_users_tokens_are_neither_listed_nor_revocable(client, world_a, world_b):
    owner = member(world_b.company, "viewer", "bob-b")
    theirs = api_token_create(user=owner, name="bob's export")
    other = member(world_a.company, "viewer", "vic-a")
    sign_in(client, other)

    assert "bob's export" not in client.get(PAGE).content.decode()
    revoke = reverse("selfservice:api-token-revoke", args=[theirs.token.pk])
    assert client.post(revoke).status_code == 404
    assert client.get(revoke).status_code == 405
    theirs.token.refresh_from_db()
    assert theirs.token.revoked_at is None
    assert _api(theirs.secret).status_code == 200


def test_the_page_links_the_api_docs_and_needs_a_sign_in(viewer_client):
    assert 'href="/api/v1/docs/"' in viewer_client.get(PAGE).content.decode()
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("selfservice:login"))
    assert Client().post(PAGE, {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()
