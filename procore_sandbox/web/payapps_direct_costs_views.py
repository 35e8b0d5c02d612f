"""The pages of payment applications (a project user bills the owner) and company-level direct
costs (an accountant enters an invoice or expense), with Send to ERP, the approver's Unlink and
the Super User's reset. Every POST calls one service of ``services.payapps_direct_costs``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.services import payapps_direct_costs as documents
from procore_sandbox.services.erp import erp_labels
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.selectors import with_states
from procore_sandbox.web.view_helpers import company_or_404, redirect_back, run_service

LINE_ROWS = range(1, 4)  # blank line rows on each form; empty rows are skipped


def _page(company: Company) -> str:
    return reverse("procore_sandbox:payapps_direct_costs", args=[company.id])


def _entries(company: Company, item_type: str, line_type: str) -> list[dict]:
    rows = list(
        ProcoreObject.objects.filter(company=company, item_type=item_type)
        .select_related("project")
        .order_by("id")
    )
    lines: dict[int, list[ProcoreObject]] = {}
    for line in ProcoreObject.objects.filter(company=company, item_type=line_type).order_by("id"):
        lines.setdefault(line.parent_id, []).append(line)
    return [
        {"obj": obj, "state": state, "lines": lines.get(obj.id, [])}
        for obj, state in with_states(rows)
    ]


@require_GET
def page(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_or_404(company_id)
    of_company = ProcoreObject.objects.filter(company=company)
    return render(
        request,
        "procore_sandbox/payapps_direct_costs.html",
        {
            "company": company,
            "section": "project",
            "labels": erp_labels(company),
            "pay_apps": _entries(
                company, documents.PAYMENT_APPLICATION, documents.PAYMENT_APPLICATION_LINE
            ),
            "direct_costs": _entries(company, documents.DIRECT_COST, documents.DIRECT_COST_LINE),
            "projects": of_company.filter(item_type="project").order_by("id"),
            "vendors": of_company.filter(item_type="vendor").order_by("id"),
            "cost_codes": of_company.filter(item_type="cost_code")
            .select_related("project")
            .order_by("project_id", "data__full_code"),
            "cost_types": of_company.filter(item_type="line_item_type").order_by("id"),
            "direct_cost_types": documents.DIRECT_COST_TYPES,
            "line_rows": LINE_ROWS,
        },
    )


def _one(company: Company, value: Any, item_type: str, label: str) -> ProcoreObject:
    found = ProcoreObject.objects.filter(
        company=company, item_type=item_type, id=int(value) if str(value).isdigit() else 0
    ).first()
    if found is None:
        raise SandboxError(f"Choose a {label}.")
    return found


def _post(
    request: HttpRequest, company_id: int, action: Callable[[Company], Any], said: Callable
) -> HttpResponse:
    company = company_or_404(company_id)
    run_service(request, lambda: action(company), said)
    return HttpResponseRedirect(_page(company))


@require_POST
def pay_app_new(request: HttpRequest, company_id: int) -> HttpResponse:
    post = request.POST

    def action(company: Company) -> ProcoreObject:
        project = _one(company, post.get("project"), "project", "project")
        lines = [
            documents.PayAppLine(
                description=post.get(f"description_{n}", ""),
                scheduled_value=post.get(f"scheduled_value_{n}") or "0",
                work_completed_this_period=post.get(f"this_period_{n}") or "0",
                retainage_percent=post.get("retainage_percent") or "0",
            )
            for n in LINE_ROWS
            if post.get(f"description_{n}", "").strip()
        ]
        return documents.payment_application_create(
            project=project,
            lines=lines,
            invoice_number=post.get("invoice_number", ""),
            period_start=post.get("period_start", ""),
            period_end=post.get("period_end", ""),
        )

    return _post(request, company_id, action, lambda p: f"Payment application {p.id} created.")


@require_POST
def direct_cost_new(request: HttpRequest, company_id: int) -> HttpResponse:
    post = request.POST

    def action(company: Company) -> ProcoreObject:
        vendor = (
            _one(company, post.get("vendor"), "vendor", "vendor") if post.get("vendor") else None
        )
        lines = [
            documents.DirectCostLine(
                cost_code=_one(company, post.get(f"cost_code_{n}"), "cost_code", "cost code"),
                line_item_type=_one(
                    company, post.get(f"cost_type_{n}"), "line_item_type", "cost type"
                ),
                amount=post.get(f"amount_{n}"),
                description=post.get(f"description_{n}", ""),
            )
            for n in LINE_ROWS
            if post.get(f"amount_{n}", "").strip()
        ]
        return documents.direct_cost_create(
            company=company,
            vendor=vendor,
            lines=lines,
            direct_cost_type=post.get("direct_cost_type") or "invoice",
            invoice_number=post.get("invoice_number", ""),
            description=post.get("description", ""),
            direct_cost_date=post.get("direct_cost_date", ""),
        )

    return _post(request, company_id, action, lambda d: f"Direct cost {d.id} created.")


ACTIONS: dict[str, tuple[tuple[str, ...], Callable[[ProcoreObject], Any]]] = {
    "unlink": (
        (documents.PAYMENT_APPLICATION, documents.DIRECT_COST),
        lambda obj: documents.document_unlink(obj=obj),
    ),
    "reset": ((documents.DIRECT_COST,), lambda obj: documents.direct_cost_reset(direct_cost=obj)),
}


@require_POST
def document_action(
    request: HttpRequest, company_id: int, object_id: int, action: str
) -> HttpResponse:
    """Unlink (the approver, on the Synced tab) and reset (Super User) of one document."""
    company = company_or_404(company_id)
    if action not in ACTIONS:
        return redirect_back(request, _page(company))
    types, service = ACTIONS[action]
    obj = get_object_or_404(ProcoreObject, company=company, id=object_id, item_type__in=types)
    run_service(
        request, lambda: service(obj), lambda made: f"Sent {made.request_name} (#{made.id})."
    )
    return redirect_back(request, _page(company))
