"""Subcontractor invoices (requisitions) and their payments, as a project user and an approver
work with them in Procore: an invoice is written on a commitment's page, line by line; a payment
is made on the invoice's page, which lists every payment on it (made in Procore, or synced from
the ERP); the approver exports invoices in a batch, presses Refresh on the Subcontractor
Invoices tab, and a Super User resets an invoice or a payment. Each POST calls one service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from procore_sandbox.models import ProcoreObject
from procore_sandbox.services import requisitions
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import COMMITMENT_ITEM_TYPES
from procore_sandbox.web.view_helpers import company_or_404, redirect_back, run_service


def _object_page(obj: ProcoreObject) -> str:
    return reverse("procore_sandbox:object", args=[obj.company_id, obj.id])


def _billed(line: ProcoreObject) -> Decimal:
    total = Decimal(0)
    for row in ProcoreObject.objects.filter(
        item_type__in=requisitions.LINE_TYPES, data__line_item_id=line.id
    ):
        total += Decimal(row.data.get("amount") or "0")
    return total


def page_context(obj: ProcoreObject) -> dict[str, Any]:
    """What the object page shows of invoices: on a commitment, its billable lines (with what
    invoices billed so far) and its invoices; on an invoice, its lines and payments."""
    if obj.item_type in COMMITMENT_ITEM_TYPES:
        lines = ProcoreObject.objects.filter(
            item_type="line_item", parent__in=[obj.id, *_change_orders(obj)]
        ).order_by("id")
        return {
            "requisition_panel": {
                "billable": [
                    {
                        "line": line,
                        "on_change_order": line.parent_id != obj.id,
                        "billed": _billed(line),
                    }
                    for line in lines
                ],
                "invoices": ProcoreObject.objects.filter(
                    parent=obj, item_type=requisitions.REQUISITION
                ).order_by("id"),
            }
        }
    if obj.item_type == requisitions.REQUISITION:
        return {"invoice_payments": list(requisitions.requisition_payments(obj))}
    return {}


def _change_orders(commitment: ProcoreObject) -> list[int]:
    return list(
        ProcoreObject.objects.filter(parent=commitment, item_type="change_order").values_list(
            "id", flat=True
        )
    )


def _amount(raw: str) -> Decimal | None:
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise SandboxError(f"{raw!r} is not an amount.") from None


@require_POST
def requisition_new(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """New subcontractor invoice on a commitment: an amount (and retainage) per line billed."""
    company = company_or_404(company_id)
    commitment = get_object_or_404(
        ProcoreObject, company=company, id=object_id, item_type__in=COMMITMENT_ITEM_TYPES
    )

    def create() -> ProcoreObject:
        lines = []
        for entry in page_context(commitment)["requisition_panel"]["billable"]:
            line = entry["line"]
            amount = _amount(request.POST.get(f"amount_{line.id}", ""))
            if amount is None:
                continue
            lines.append(
                requisitions.RequisitionLine(
                    line_item_id=line.id,
                    amount=amount,
                    retainage=_amount(request.POST.get(f"retainage_{line.id}", "")) or "0",
                    detail=bool(request.POST.get(f"detail_{line.id}")),
                )
            )
        return requisitions.requisition_create(
            company=company,
            commitment=commitment,
            invoice_number=request.POST.get("invoice_number", "").strip(),
            billing_date=request.POST.get("billing_date") or "2026-11-30",
            lines=lines,
        )

    made: dict[str, ProcoreObject] = {}

    def create_and_keep() -> ProcoreObject:
        made["invoice"] = create()
        return made["invoice"]

    run_service(
        request,
        create_and_keep,
        lambda invoice: f"Invoice {invoice.data['invoice_number']} created (id {invoice.id}).",
    )
    return HttpResponseRedirect(_object_page(made.get("invoice", commitment)))


@require_POST
def payment_new(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """A payment against the invoice, made in Procore; it is exported with Send to ERP."""
    company = company_or_404(company_id)
    invoice = get_object_or_404(
        ProcoreObject, company=company, id=object_id, item_type=requisitions.REQUISITION
    )
    run_service(
        request,
        lambda: requisitions.contract_payment_create(
            requisition=invoice,
            amount=request.POST.get("amount", ""),
            payment_date=request.POST.get("payment_date") or "2026-11-30",
            check_number=request.POST.get("check_number", "").strip(),
            payment_method=request.POST.get("payment_method", "check").strip() or "check",
        ),
        lambda payment: f"Payment of {payment.data['amount']} recorded (id {payment.id}).",
    )
    return HttpResponseRedirect(_object_page(invoice))


@require_POST
def requisitions_export(request: HttpRequest, company_id: int) -> HttpResponse:
    """The ERP tool's export of the chosen invoices: one ``create_requisitions``."""
    company = company_or_404(company_id)
    chosen = list(
        ProcoreObject.objects.filter(
            company=company,
            item_type=requisitions.REQUISITION,
            id__in=[int(v) for v in request.POST.getlist("item") if v.isdigit()],
        ).order_by("id")
    )

    def export():
        if not chosen:
            raise SandboxError("Choose at least one invoice.")
        return requisitions.requisitions_export_batch(company=company, requisitions=chosen)

    run_service(
        request,
        export,
        lambda made: f"Sent create_requisitions #{made.id} with {len(chosen)} invoice(s).",
    )
    return redirect_back(
        request, reverse("procore_sandbox:erp", args=[company.id]) + "?tab=requests"
    )
