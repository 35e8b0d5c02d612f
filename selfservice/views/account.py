"""Signing in and out, resetting a password, and two-factor sign-in."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from selfservice.forms import TokenForm
from selfservice.selectors.two_factor import totp_device_confirmed
from selfservice.services.two_factor import (
    totp_device_confirm,
    totp_device_start,
    totp_qr_svg,
    totp_verify,
)


class LoginView(auth_views.LoginView):
    template_name = "selfservice/account/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "selfservice/account/password_reset.html"
    email_template_name = "selfservice/email/password_reset.txt"
    subject_template_name = "selfservice/email/password_reset_subject.txt"
    success_url = reverse_lazy("selfservice:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "selfservice/account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "selfservice/account/password_reset_confirm.html"
    success_url = reverse_lazy("selfservice:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "selfservice/account/password_reset_complete.html"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse_lazy("selfservice:home")


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the authenticator app set up before."""
    if request.user.is_verified():
        return redirect(_next(request))
    if totp_device_confirmed(user=request.user) is None:
        return redirect(f"{reverse_lazy('selfservice:two-factor-setup')}?{request.GET.urlencode()}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next(request))
        form.add_error(
            "token",
            "That code is not right, or has expired. Enter the code your app shows now; after "
            "several wrong codes, wait a little before the next try.",
        )
    return render(
        request, "selfservice/account/two_factor.html", {"form": form, "next": _next(request)}
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Setting up the authenticator app: scan the QR code (or type the key), enter a code."""
    if totp_device_confirmed(user=request.user) is not None:
        return redirect(f"{reverse_lazy('selfservice:two-factor')}?{request.GET.urlencode()}")
    device = totp_device_start(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp_device_confirm(request=request, device=device, token=form.cleaned_data["token"]):
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_next(request))
        form.add_error(
            "token",
            "That code does not match. Check that the app shows this portal's entry and that "
            "your phone's clock is right; after a wrong code, wait a few seconds before the next.",
        )
    return render(
        request,
        "selfservice/account/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": totp_qr_svg(device),
            "key": _grouped_base32(device.bin_key),
            "next": _next(request),
        },
    )


def _grouped_base32(key: bytes) -> str:
    """The secret key in groups of four, for typing it into an app that cannot scan."""
    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
