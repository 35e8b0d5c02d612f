"""Inviting someone to a company: a user (made if new) with a membership, and an e-mail with a
link to set their password (Django's password-reset token, valid PASSWORD_RESET_TIMEOUT)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from integrations.models import Company, CompanyMembership
from integrations.services.audit import audit_record


class InviteRefused(ValueError):
    """The invitation cannot be made; the message says why."""


@dataclass(frozen=True)
class InviteResult:
    user: AbstractBaseUser
    membership: CompanyMembership
    new_user: bool


def set_password_url(*, user: AbstractBaseUser, base_url: str) -> str:
    """The link that lets ``user`` choose a password (once; it expires)."""
    path = reverse(
        "selfservice:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def member_invite(
    *, inviter: AbstractBaseUser, company: Company, email: str, role: str, base_url: str
) -> InviteResult:
    """Give ``email`` the ``role`` in ``company`` and e-mail them. Someone who already has an
    account is added (and told); a new person gets an account without a password and a link
    to set one. Someone already a member is refused, so a role is never changed by accident."""
    email = get_user_model().objects.normalize_email(email.strip()).lower()
    if role not in CompanyMembership.Role.values:
        raise InviteRefused(f"{role!r} is not a role.")
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("id").first()
        new_user = user is None
        if new_user:
            if User.objects.filter(username__iexact=email).exists():
                raise InviteRefused(f"The user name {email} is taken; ask support.")
            user = User(username=email, email=email)
            user.set_unusable_password()
            user.save()
        try:
            with transaction.atomic():
                membership = CompanyMembership.objects.create(user=user, company=company, role=role)
        except IntegrityError:
            raise InviteRefused(f"{email} is a member of {company.name} already.") from None
        audit_record(
            action="create",
            instance=membership,
            actor=inviter,
            company=company,
            changes={"email": email, "role": role, "new_user": new_user},
        )
        link = (
            set_password_url(user=user, base_url=base_url)
            if new_user or not user.has_usable_password()
            else base_url.rstrip("/") + reverse("selfservice:login")
        )
        context = {
            "company": company,
            "inviter": inviter,
            "role": membership.get_role_display(),
            "link": link,
            "new_user": new_user or not user.has_usable_password(),
            "username": user.get_username(),
        }
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to {company.name} on the ERP portal",
                message=render_to_string("selfservice/email/invite.txt", context),
                from_email=None,
                recipient_list=[email],
            )
        )
    return InviteResult(user=user, membership=membership, new_user=new_user)
