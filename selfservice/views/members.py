"""Who belongs to the company, and inviting someone (company admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.models import Company
from selfservice.access import company_page
from selfservice.forms import InviteForm
from selfservice.selectors.members import members_page
from selfservice.services.invites import InviteRefused, member_invite


def _page(request: HttpRequest, company: Company, role: str, form: InviteForm) -> HttpResponse:
    return render(
        request,
        "selfservice/members.html",
        {
            "company": company,
            "role": role,
            "listing": members_page(
                company=company,
                q=request.GET.get("q", ""),
                sort=request.GET.get("sort", ""),
                page=request.GET.get("page", 1),
            ),
            "form": form,
        },
    )


@company_page()
def members(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    return _page(request, company, role, InviteForm())


@require_POST
@company_page(admin=True)
def invite(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            result = member_invite(
                inviter=request.user,
                company=company,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=request.build_absolute_uri("/"),
            )
        except InviteRefused as exc:
            form.add_error("email", str(exc))
        else:
            how = "with a link to set a password" if result.new_user else "to tell them"
            messages.success(request, f"{result.user.email} was added and e-mailed {how}.")
            return redirect("selfservice:members", company_id=company.pk)
    return _page(request, company, role, form)
