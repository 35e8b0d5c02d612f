"""Support creates a token for a user (shown once) and revokes tokens; none is ever shown again."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import ApiToken
from integrations.services.api_tokens import api_token_authenticate, api_token_create
from tests.factories import UserFactory


def test_support_creates_a_token_shown_once_and_revokes_it(admin_client_logged_in):
    user = UserFactory(username="alice")
    response = admin_client_logged_in.post(
        reverse("admin:integrations_apitoken_add"),
        {"user": user.pk, "name": "nightly"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    token = ApiToken.objects.get(user=user)
    secret = next(word for m in shown for word in m.split() if word.startswith("erp_"))
    assert api_token_authenticate(secret) == token

    page = admin_client_logged_in.get(
        reverse("admin:integrations_apitoken_change", args=[token.pk])
    )
    listing = admin_client_logged_in.get(reverse("admin:integrations_apitoken_changelist"))
    assert secret not in page.content.decode() and secret not in listing.content.decode()

    admin_client_logged_in.post(
        reverse("admin:integrations_apitoken_changelist"),
        {"action": "revoke_tokens", "_selected_action": [token.pk]},
    )
    assert api_token_authenticate(secret) is None


def test_tokens_are_never_deleted(admin_client_logged_in):
    token = api_token_create(user=UserFactory(), name="x").token
    response = admin_client_logged_in.post(
        reverse("admin:integrations_apitoken_delete", args=[token.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ApiToken.objects.filter(pk=token.pk).exists()
