"""The first page after signing in: the companies the user belongs to."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from integrations.selectors.memberships import companies_for_user
from selfservice.access import signed_in


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    companies = list(companies_for_user(request.user).order_by("name"))
    if len(companies) == 1:
        return redirect("selfservice:dashboard", company_id=companies[0].pk)
    return render(request, "selfservice/home.html", {"companies": companies})
