"""Which companies a signed-in person may see, and as what: the one place the self-service
portal, its API and its downloads ask, so isolation cannot be forgotten view by view."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from integrations.models import Company, CompanyMembership

Role = CompanyMembership.Role


def companies_for_user(
    user: AbstractBaseUser | AnonymousUser, *, role: str | None = None
) -> QuerySet[Company]:
    """The companies ``user`` belongs to (as a company admin only, with ``role="admin"``).

    Support staff are not members: they reach every company through the admin, where what
    they do is audited, never through the self-service pages."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Company.objects.none()
    memberships = CompanyMembership.objects.filter(user=user)
    if role is not None:
        memberships = memberships.filter(role=role)
    return Company.objects.filter(pk__in=memberships.values("company_id"))


def company_for_user(
    user: AbstractBaseUser | AnonymousUser, company_id: int | str, *, role: str | None = None
) -> Company:
    """The company ``company_id`` if ``user`` is a member (in ``role``), else 404: a company of
    someone else looks exactly like one that does not exist."""
    try:
        pk = int(company_id)
    except (TypeError, ValueError):
        raise Http404("No such company.") from None
    company = companies_for_user(user, role=role).filter(pk=pk).first()
    if company is None:
        raise Http404("No such company.")
    return company


def membership_role(user: AbstractBaseUser | AnonymousUser, company: Company) -> str | None:
    """``"admin"``, ``"viewer"`` or None: what the page may offer (Retry, Connect, Invite)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        CompanyMembership.objects.filter(user=user, company=company)
        .values_list("role", flat=True)
        .first()
    )


def company_and_role_for_user(
    user: AbstractBaseUser | AnonymousUser, company_id: int | str, *, role: str | None = None
) -> tuple[Company, str]:
    """``company_for_user`` and ``membership_role`` in one query, for every self-service page:
    the company and the user's role in it, or 404 for anyone who is not a member (in ``role``)."""
    try:
        pk = int(company_id)
    except (TypeError, ValueError):
        raise Http404("No such company.") from None
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404("No such company.")
    memberships = CompanyMembership.objects.select_related("company").filter(
        user=user, company_id=pk
    )
    if role is not None:
        memberships = memberships.filter(role=role)
    membership = memberships.first()
    if membership is None:
        raise Http404("No such company.")
    return membership.company, membership.role


def user_is_company_admin_anywhere(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user administers at least one company: such users must sign in with a
    second factor (``selfservice/access.py``)."""
    return companies_for_user(user, role=Role.ADMIN).exists()
