"""Check now: both sides of the connection, from the dashboard (company admins)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from integrations.models import Company
from selfservice.access import company_page
from selfservice.services.health import NotConnected, connection_check_by_member


@require_POST
@company_page(admin=True)
def check_now(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    try:
        report = connection_check_by_member(user=request.user, company=company)
    except NotConnected as exc:
        messages.error(request, str(exc))
    else:
        procore = f"Procore: {report.procore.message}"
        if report.procore.request_id:
            procore += f" (Procore request id {report.procore.request_id})"
        (messages.success if report.procore.ok else messages.error)(request, procore)
        (messages.success if not report.erp.failing else messages.warning)(
            request, f"ERP: {report.erp.message}"
        )
    return redirect("selfservice:dashboard", company_id=company.pk)
