"""Setting up and checking an authenticator app (TOTP, through django-otp)."""

from __future__ import annotations

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from integrations.services.audit import audit_record
from selfservice.selectors.two_factor import totp_device_confirmed, totp_device_unconfirmed


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up: the one shown before if it was not confirmed yet (so a
    reload does not change the QR code), else a new one."""
    return totp_device_unconfirmed(user=user) or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=False
    )


def totp_qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image service, no CDN)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def totp_device_confirm(*, request: HttpRequest, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with its first code and count this session as two-factor signed in.
    False (nothing changed) when the code does not match."""
    token = "".join(token.split())
    if not token.isdigit() or not device.verify_token(token):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    otp_login(request, device)
    audit_record(
        action="action",
        instance=device.user,
        actor=request.user,
        changes={"action": "two-factor sign-in set up"},
    )
    return True


def totp_verify(*, request: HttpRequest, token: str) -> bool:
    """Check a code from the user's authenticator; on a match this session is two-factor
    signed in. django-otp throttles repeated wrong codes per device."""
    device = totp_device_confirmed(user=request.user)
    token = "".join(token.split())
    if device is None or not token.isdigit() or not device.verify_token(token):
        return False
    otp_login(request, device)
    return True
