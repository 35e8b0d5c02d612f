"""Giving a person a role in a company (the self-service portal's memberships)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from integrations.models import Company, CompanyMembership
from integrations.services.audit import audit_record


def membership_grant(
    *,
    user: AbstractBaseUser,
    company: Company,
    role: str,
    actor: Any = None,
    actor_label: str = "",
) -> CompanyMembership:
    """Make ``user`` a member of ``company`` in ``role`` (changing the role of a member), and
    audit it. Safe to run again: the same grant changes nothing and records nothing."""
    if role not in CompanyMembership.Role.values:
        raise ValueError(f"{role!r} is not a role (viewer or admin).")
    with transaction.atomic():
        membership, created = CompanyMembership.objects.select_for_update().get_or_create(
            user=user, company=company, defaults={"role": role}
        )
        if not created and membership.role == role:
            return membership
        before = None if created else membership.role
        if not created:
            membership.role = role
            membership.save(update_fields=["role"])
        audit_record(
            action="create" if created else "update",
            instance=membership,
            actor=actor,
            actor_label=actor_label,
            company=company,
            changes={"user": user.get_username(), "role": {"from": before, "to": role}},
        )
    return membership
