"""Who may open a self-service page: the decorators every view of the portal wears.

``signed_in`` pages need a signed-in user who, if they administer any company, has passed
two-factor sign-in in this session. ``company_page`` pages add the company of the URL's
``company_id``, answered 404 to anyone who is not a member (through the one membership selector),
and can demand the company admin role (403 for a viewer of that company: they know it exists).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from integrations.models import CompanyMembership
from integrations.selectors.memberships import (
    company_and_role_for_user,
    user_is_company_admin_anywhere,
)

ADMIN = CompanyMembership.Role.ADMIN

View = Callable[..., HttpResponse]


def two_factor_missing(request: HttpRequest) -> bool:
    """A company admin whose session has not passed two-factor sign-in yet."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return user_is_company_admin_anywhere(user)


def _gate(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if two_factor_missing(request):
        url = reverse("selfservice:two-factor")
        return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
    return None


def signed_in(view: View) -> View:
    """A page for any signed-in user (company admins: with two-factor passed)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _gate(request) or view(request, *args, **kwargs)

    return wrapped


def company_page(*, admin: bool = False) -> Callable[[View], View]:
    """A page of one company: the view gets ``company`` and ``role`` instead of ``company_id``.

    Anyone who is not a member gets 404, exactly as for a company that does not exist; with
    ``admin=True`` a viewer of the company gets 403 ("ask your company admin")."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, company_id: Any, *args: Any, **kwargs: Any):
            refused = _gate(request)
            if refused is not None:
                return refused
            company, role = company_and_role_for_user(request.user, company_id)
            if admin and role != ADMIN:
                raise PermissionDenied("Only a company admin of this company can do this.")
            return view(request, *args, company=company, role=role, **kwargs)

        wrapped.company_page = True  # the isolation test finds every company page by this
        wrapped.admin_only = admin
        return wrapped

    return decorate
