"""Signing in: passwords, lockout, two-factor for company admins, password reset."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from integrations.models import AuditEntry
from tests.selfservice.conftest import totp_device

pytestmark = pytest.mark.django_db

LOGIN = reverse("selfservice:login")


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_viewer_signs_in_with_a_password_only(client, viewer_a, world_a):
    response = client.post(LOGIN, {"username": "vera", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "selfservice:dashboard", args=[world_a.company.pk]
    )
    assert "Alpha Builders" in response.content.decode()


def test_a_wrong_password_is_refused_with_a_clear_message(client, viewer_a):
    response = client.post(LOGIN, {"username": "vera", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_user_name_out(client, viewer_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "vera", "password": "wrong"})
    response = client.post(LOGIN, {"username": "vera", "password": "pw"})
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "Wait 15 minutes and try again" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_a_company_admin_sets_up_two_factor_on_first_sign_in(client, admin_a, world_a):
    dashboard = reverse("selfservice:dashboard", args=[world_a.company.pk])
    response = client.post(LOGIN, {"username": "adam", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("selfservice:two-factor-setup"))
    page = response.content.decode()
    assert "<svg" in page and "Turn on two-factor sign-in" in page
    # Until the code is entered, no company page opens.
    assert client.get(dashboard).status_code == 302

    device = TOTPDevice.objects.get(user=admin_a, confirmed=False)
    setup = reverse("selfservice:two-factor-setup")
    wrong = client.post(setup, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert "That code does not match" in wrong.content.decode()
    # django-otp makes the next try wait a second after a wrong code (doubling each time).
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    response = client.post(f"{setup}?next={dashboard}", {"token": code_for(device)})
    assert response.status_code == 302 and response["Location"] == dashboard
    assert client.get(dashboard).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(actor=admin_a, changes__action="two-factor sign-in set up")


def test_a_company_admin_with_an_authenticator_enters_a_code(client, admin_a, world_a):
    device = totp_device(admin_a)
    response = client.post(LOGIN, {"username": "adam", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("selfservice:two-factor"))
    bad = client.post(reverse("selfservice:two-factor"), {"token": "12345a"})
    assert "The code is 6 digits" in bad.content.decode()
    response = client.post(
        reverse("selfservice:two-factor"), {"token": code_for(device)}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse(
        "selfservice:dashboard", args=[world_a.company.pk]
    )


def test_two_factor_does_not_redirect_elsewhere(client, admin_a):
    device = totp_device(admin_a)
    client.force_login(admin_a)
    response = client.post(
        reverse("selfservice:two-factor") + "?next=https://evil.example.com/",
        {"token": code_for(device)},
    )
    assert response["Location"] == reverse("selfservice:home")


def test_password_reset_mails_a_link_that_sets_a_new_password(client, viewer_a):
    response = client.post(reverse("selfservice:password-reset"), {"email": "VERA@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
        follow=True,
    )
    assert "Password saved" in response.content.decode()
    viewer_a.refresh_from_db()
    assert viewer_a.check_password("a-Long-new-pass-42")


def test_signing_out_ends_the_session(viewer_client, world_a):
    response = viewer_client.post(reverse("selfservice:logout"))
    assert response.status_code == 302
    dashboard = reverse("selfservice:dashboard", args=[world_a.company.pk])
    assert viewer_client.get(dashboard)["Location"].startswith(LOGIN)
