"""The errors queue and its Retry buttons."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from integrations.models import Company, ImportEntity
from selfservice.access import company_page
from selfservice.forms import ResendItemsForm
from selfservice.selectors.errors import (
    failed_items_page,
    failed_request,
    failed_requests_page,
    request_reason,
)
from selfservice.services.errors import (
    NothingToRetry,
    erp_request_retry_by_member,
    failed_items_resend,
)


@company_page()
def errors_queue(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    kind = "items" if request.GET.get("kind") == "items" else "requests"
    params = {
        "q": request.GET.get("q", ""),
        "sort": request.GET.get("sort", ""),
        "page": request.GET.get("page", 1),
    }
    if kind == "items":
        listing = failed_items_page(company=company, **params)
    else:
        listing = failed_requests_page(company=company, **params)
        for row in listing.rows:
            row.reason = request_reason(row)
    return render(
        request,
        "selfservice/errors.html",
        {
            "company": company,
            "role": role,
            "kind": kind,
            "listing": listing,
            "entities": ImportEntity.choices,
        },
    )


@require_POST
@company_page(admin=True)
def retry_request(request: HttpRequest, pk: str, *, company: Company, role: str) -> HttpResponse:
    erp_request = failed_request(company=company, pk=pk)
    if erp_request is None:
        raise Http404("No such request.")
    try:
        erp_request_retry_by_member(user=request.user, company=company, erp_request=erp_request)
    except NothingToRetry as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(
            request,
            f"Request {erp_request.procore_request_id} will run again in a moment; it leaves "
            "this list once it succeeds.",
        )
    return redirect("selfservice:errors", company_id=company.pk)


@require_POST
@company_page(admin=True)
def resend_items(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    form = ResendItemsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to send again.")
    else:
        count = failed_items_resend(
            user=request.user, company=company, entity=form.cleaned_data["entity"]
        )
        messages.success(
            request,
            f"An import was queued; it sends {count:,} refused object(s) again. Follow it "
            "under Imports.",
        )
    return redirect(
        reverse("selfservice:errors", kwargs={"company_id": company.pk}) + "?kind=items"
    )
