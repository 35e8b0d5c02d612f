"""A user's authenticator (TOTP) devices."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_confirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they set one up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def totp_device_unconfirmed(*, user: AbstractBaseUser) -> TOTPDevice | None:
    """The authenticator being set up (shown as a QR code until its first code is entered)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
