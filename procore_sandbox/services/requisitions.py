"""Requisitions (subcontractor invoices) on commitments, and the payments against them.

A requisition bills a commitment: each of its lines bills one of the commitment's line items (a
contract item, or a detail item of one) or a line of one of its change orders. A requisition is
exported (``create_requisitions``, a batch with one Request Detail per requisition, the detail's
id inside each requisition); a contract payment made in Procore is exported
(``create_contract_payment``); payments the ERP recorded come in through
``invoice_payments/sync`` and are unlinked through Invoice Payments Unlink; a Super User resets
a requisition or a payment (``reset_requisition``, ``reset_payment``: no Request Detail).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from procore_sandbox.models import Company, ErpConnection, ErpRequest, ProcoreObject
from procore_sandbox.services.erp import erp_request_create, erp_request_create_itemized
from procore_sandbox.services.errors import NotFound, SandboxError, field_error
from procore_sandbox.services.objects import commitment_belongs, money
from procore_sandbox.services.representations import iso
from procore_sandbox.services.sync import SyncContext, as_int

REQUISITION = "requisition"
CONTRACT_ITEM = "requisition_contract_item"
DETAIL_ITEM = "requisition_contract_detail_item"
CHANGE_ORDER_ITEM = "requisition_change_order_item"
LINE_TYPES = (CONTRACT_ITEM, DETAIL_ITEM, CHANGE_ORDER_ITEM)
ITEM_TYPE_NAMES = {
    CONTRACT_ITEM: "Billings::ContractItem",
    DETAIL_ITEM: "Billings::ContractDetailItem",
    CHANGE_ORDER_ITEM: "Billings::ChangeOrderItem",
}
INVOICE_TYPE = "Billings::Requisition"


@dataclass(frozen=True)
class RequisitionLine:
    """One line of an invoice: the commitment line item (or change order line item) it bills,
    how much, and the retainage held this period. ``detail`` bills it as a detail item."""

    line_item_id: int
    amount: Any
    retainage: Any = "0"
    detail: bool = False
    description: str = ""


def requisition_create(
    *,
    company: Company,
    commitment: ProcoreObject,
    invoice_number: str = "",
    billing_date: str = "2026-11-30",
    lines: list[RequisitionLine],
) -> ProcoreObject:
    """A subcontractor invoice on a commitment, with its lines."""
    commitment_belongs(company, commitment)
    if not lines:
        raise SandboxError("An invoice needs at least one line item.")
    billable = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            item_type="line_item", parent__in=[commitment.id, *_change_order_ids(commitment)]
        )
    }
    count = ProcoreObject.objects.filter(parent=commitment, item_type=REQUISITION).count()
    with transaction.atomic():
        requisition = ProcoreObject.objects.create(
            company=company,
            item_type=REQUISITION,
            project=commitment.project,
            parent=commitment,
            data={
                "invoice_number": invoice_number or f"{commitment.data.get('number')}-{count + 1}",
                "number": count + 1,
                "billing_date": billing_date,
                "status": "approved",
                "contract_id": commitment.id,
                "erp_custom_fields": {},
            },
        )
        total = Decimal(0)
        for position, line in enumerate(lines, start=1):
            source = billable.get(line.line_item_id)
            if source is None:
                raise SandboxError(
                    f"Line item {line.line_item_id} is not a line of this commitment or of "
                    "its change orders."
                )
            on_change_order = source.parent_id != commitment.id
            item_type = CHANGE_ORDER_ITEM if on_change_order else CONTRACT_ITEM
            if line.detail and not on_change_order:
                item_type = DETAIL_ITEM
            amount = money(line.amount, "Amount")
            total += Decimal(amount)
            ProcoreObject.objects.create(
                company=company,
                item_type=item_type,
                project=commitment.project,
                parent=requisition,
                data={
                    "position": position,
                    "line_item_id": source.id,
                    "description": line.description or source.data.get("description", ""),
                    "amount": amount,
                    "retainage_this_period": money(line.retainage, "Retainage"),
                    "cost_code_id": source.data.get("cost_code_id"),
                    "line_item_type_id": source.data.get("line_item_type_id"),
                },
            )
        requisition.data["total"] = f"{total}"
        requisition.save(update_fields=["data"])
    return requisition


def _change_order_ids(commitment: ProcoreObject) -> list[int]:
    return list(
        ProcoreObject.objects.filter(parent=commitment, item_type="change_order").values_list(
            "id", flat=True
        )
    )


def requisition_lines(requisition: ProcoreObject):
    return ProcoreObject.objects.filter(parent=requisition, item_type__in=LINE_TYPES).order_by("id")


def requisition_json(requisition: ProcoreObject) -> dict:
    """One requisition of ``create_requisitions``, in the dictionary's shape."""
    commitment = requisition.parent
    project = requisition.project
    data = requisition.data
    lines = list(requisition_lines(requisition))
    sources = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            id__in=[line.data.get("line_item_id") for line in lines]
        )
    }
    related = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            id__in={line.data.get("cost_code_id") for line in lines}
            | {line.data.get("line_item_type_id") for line in lines}
        )
    }
    total = Decimal(data.get("total") or "0")
    retainage = sum(
        (Decimal(line.data.get("retainage_this_period") or "0") for line in lines), Decimal(0)
    )
    return {
        "procore_requisition_id": requisition.id,
        "accounting_method": commitment.data.get("accounting_method", "amount"),
        "billing_date": data.get("billing_date"),
        "code": data.get("invoice_number"),
        "contract_id": commitment.id,
        "contract_origin_id": commitment.origin_id,
        "created_at": iso(requisition.created_at),
        "custom_fields": {},
        "erp_custom_fields": data.get("erp_custom_fields") or {},
        "formatted_payment_due": f"${total - retainage:,.2f}",
        "invoice_number": data.get("invoice_number"),
        "job_origin_id": project.origin_id if project else None,
        "line_items": [_line_json(line, sources, related) for line in lines],
    }


def _line_json(line: ProcoreObject, sources: dict, related: dict) -> dict:
    data = line.data
    source = sources.get(data.get("line_item_id"))
    cost_code = related.get(data.get("cost_code_id"))
    cost_type = related.get(data.get("line_item_type_id"))
    on_change_order = line.item_type == CHANGE_ORDER_ITEM
    scheduled = (source.data.get("amount") if source else None) or "0.0"
    return {
        "procore_requisition_item_id": line.id,
        "accounting_method": "amount",
        "amount": data.get("amount"),
        "change_order_line_item_origin_id": source.origin_id
        if source and on_change_order
        else None,
        "commitment_item_origin_id": None if on_change_order or not source else source.origin_id,
        "cost_code_id": data.get("cost_code_id"),
        "cost_code_origin_id": cost_code.origin_id if cost_code else None,
        "description": data.get("description"),
        "formatted_amount": f"${Decimal(data.get('amount') or '0'):,.2f}",
        "formatted_unit_cost": "$0.00",
        "line_item_description": data.get("description"),
        "line_item_type_origin_id": cost_type.origin_id if cost_type else None,
        "qty": "0.0",
        "released_work_completed_this_period": "0.0",
        "requisition_item_type": ITEM_TYPE_NAMES[line.item_type],
        "retainage_materials_presently_stored": "0.0",
        "retainage_materials_previously_stored": "0.0",
        "retainage_this_period": data.get("retainage_this_period", "0.0"),
        "retainage_work_completed_this_period": data.get("retainage_this_period", "0.0"),
        "scheduled_total_amount": scheduled,
        "tax_code_origin_id": None,
        "unit_cost": "0.0",
        "uom": None,
    }


def requisitions_payload(requisition: ProcoreObject) -> dict:
    """``create_requisitions`` for one requisition sent through Send to ERP (its one Request
    Detail is the request's)."""
    return {"requisitions": [requisition_json(requisition)]}


def requisitions_export_batch(*, company: Company, requisitions: list[ProcoreObject]) -> ErpRequest:
    """The approver exports several requisitions at once from the ERP tool: one ERP Request, one
    Request Detail per requisition, its id inside that requisition."""
    _connected(company)
    for requisition in requisitions:
        requisition_check_exportable(requisition)

    def build(detail_ids: dict[int, int]) -> dict:
        return {
            "requisitions": [
                {**requisition_json(row), "request_detail_id": detail_ids[row.id]}
                for row in requisitions
            ]
        }

    return erp_request_create_itemized(
        company=company, request_name="create_requisitions", items=requisitions, build=build
    )


def requisition_check_exportable(requisition: ProcoreObject) -> None:
    if requisition.item_type != REQUISITION:
        raise SandboxError("Choose subcontractor invoices.")
    if requisition.synced:
        raise SandboxError(f"Invoice {requisition.data.get('invoice_number')} is already synced.")
    if not requisition.parent.synced:
        raise SandboxError("Sync the commitment before sending its invoices.")


# -- Payments -------------------------------------------------------------------------------


def contract_payment_create(
    *,
    requisition: ProcoreObject,
    amount: Any,
    payment_date: str = "2026-11-30",
    check_number: str = "",
    payment_method: str = "check",
) -> ProcoreObject:
    """A payment against an invoice made in Procore (Procore Pay, or entered by hand)."""
    if requisition.item_type != REQUISITION:
        raise SandboxError("A payment is made against a subcontractor invoice.")
    count = ProcoreObject.objects.filter(
        company=requisition.company, item_type="contract_payment"
    ).count()
    return ProcoreObject.objects.create(
        company=requisition.company,
        item_type="contract_payment",
        project=requisition.project,
        parent=requisition,
        data={
            "amount": money(amount, "Amount"),
            "payment_date": payment_date,
            "check_number": check_number,
            "payment_method": payment_method,
            "payment_number": count + 1,
            "status": "paid",
        },
    )


def contract_payment_payload(payment: ProcoreObject) -> dict:
    """``create_contract_payment``, in the dictionary's shape."""
    requisition = payment.parent
    commitment = requisition.parent
    data = payment.data
    return {
        "contract_payment": {
            "id": payment.id,
            "company_id": payment.company_id,
            "project_id": payment.project_id,
            "contract_id": commitment.id,
            "requisition_id": requisition.id,
            "external_payment_id": None,
            "invoice_number": requisition.data.get("invoice_number"),
            "invoice_date": requisition.data.get("billing_date"),
            "status": data.get("status", "paid"),
            "amount": data.get("amount"),
            "date_payment_created": f"{data.get('payment_date')}T00:00:00Z",
            "date_payment_initiated": None,
            "date_payment_funded": None,
            "date_payment_settled": f"{data.get('payment_date')}T00:00:00Z",
            "retainage_released_payment_amount": "0.0",
            "draw_request_number": requisition.data.get("number"),
            "payment_method": data.get("payment_method"),
            "payment_number": data.get("payment_number"),
            "vendor_id": commitment.data.get("vendor_id"),
            "bank_id": None,
            "check_number": data.get("check_number"),
        },
        "company_id": payment.company_id,
    }


def requisition_payments(requisition: ProcoreObject):
    """Every payment on an invoice: made in Procore, or synced from the ERP."""
    return ProcoreObject.objects.filter(
        Q(item_type="contract_payment", parent=requisition)
        | Q(item_type="invoice_payment", data__invoice_id=requisition.id),
        company=requisition.company,
    ).order_by("id")


def invoice_payment_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    """``invoice_payments/sync``: a payment belongs to an invoice of the company."""
    if "invoice_type" in attrs and attrs["invoice_type"] != INVOICE_TYPE:
        raise field_error("invoice_type", f"must be {INVOICE_TYPE}")
    if "invoice_id" in attrs:
        invoice_id = as_int(attrs["invoice_id"])
        if not ProcoreObject.objects.filter(
            company=ctx.company, item_type=REQUISITION, id=invoice_id or 0
        ).exists():
            raise field_error("invoice_id", "Invoice not found")
        attrs["invoice_id"] = invoice_id
    return attrs


def invoice_payment_unlink(*, company: Company, payment_id: Any) -> ProcoreObject:
    """Invoice Payments Unlink: the payment stays, no longer tied to the ERP."""
    payment = ProcoreObject.objects.filter(
        company=company,
        item_type__in=("invoice_payment", "contract_payment"),
        id=as_int(payment_id) or 0,
    ).first()
    if payment is None:
        raise NotFound("Invoice payment not found")
    payment.origin_id = None
    payment.origin_code = ""
    payment.save(update_fields=["origin_id", "origin_code", "updated_at"])
    return payment


# -- Super User resets ------------------------------------------


def _connected(company: Company) -> ErpConnection:
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    return connection


def requisition_reset(*, requisition: ProcoreObject) -> ErpRequest:
    """``reset_requisition``: Procore unsyncs the invoice and its lines, then tells us."""
    _connected(requisition.company)
    if requisition.item_type != REQUISITION or not requisition.synced:
        raise SandboxError("Only a synced invoice can be reset.")
    with transaction.atomic():
        data = {
            "requisition_id": requisition.id,
            "project_id": requisition.project_id,
            "requisition_origin_id": requisition.origin_id,
            "reset_override": False,
        }
        requisition_lines(requisition).update(origin_id=None)
        requisition.origin_id = None
        requisition.save(update_fields=["origin_id", "updated_at"])
        return erp_request_create(
            company=requisition.company,
            request_name="reset_requisition",
            request_data=data,
            with_detail=False,
        )


def payment_reset(*, payment: ProcoreObject) -> ErpRequest:
    """``reset_payment``: the integrator checks the payment in the ERP and, if it is gone
    there, unlinks it (Invoice Payments Unlink)."""
    _connected(payment.company)
    if payment.item_type not in ("invoice_payment", "contract_payment") or not payment.synced:
        raise SandboxError("Only a payment linked to the ERP can be reset.")
    data = {
        "payment_id": payment.id,
        "payment_type": payment.data.get("payment_method") or "check",
        "origin_id": payment.origin_id,
        "origin_code": payment.origin_code or None,
        "origin_data": payment.origin_data,
        "reset_override": False,
    }
    return erp_request_create(
        company=payment.company, request_name="reset_payment", request_data=data, with_detail=False
    )
