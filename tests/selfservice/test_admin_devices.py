"""Support can remove a lost authenticator from the admin, but never read its key."""

import pytest
from django.urls import reverse

from tests.selfservice.conftest import totp_device

pytestmark = pytest.mark.django_db


def test_support_sees_a_members_authenticator_without_its_key(admin_client_logged_in, admin_a):
    device = totp_device(admin_a)
    url = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    page = admin_client_logged_in.get(url).content.decode()
    assert "phone" in page
    assert device.key not in page
    assert "otpauth://" not in page
    assert admin_client_logged_in.get(
        reverse("admin:otp_totp_totpdevice_config", args=[device.pk])
    ).status_code in (403, 404)
