"""Prime contracts and prime contract change orders in Project tools, and what the ERP
Integrations Tool does with them: the payloads of ``create_prime_contract_change_order``,
``unlink_prime_contract_change_order`` and ``reset_prime_contract_change_order``
(``erp_events_dictionary.md``), the approver's Unlink and the Super User's reset.

A prime contract is usually imported from the ERP (staged record ``prime_contract``, re-importable),
but a project user may also enter one by hand. A change order (``prime_contract_change_order``)
changes some of the contract's lines; each of its lines may carry markups (``markup`` rows, a
percentage of the line), so the line's amount is its own amount plus its markups, as Procore
shows it. External Data names the change order ``change_order`` (``erp.EXTERNAL_DATA_ALIASES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from procore_sandbox.models import Company, ErpConnection, ErpRequest, ProcoreObject
from procore_sandbox.services.erp import erp_entity_config, erp_request_create
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import (
    CommitmentLine,
    cost_lines_create,
    money,
    required,
)
from procore_sandbox.services.payloads import (
    _cost_code_json,
    _line_item_type_json,
    _ref,
    codes_by_id,
    project_ref,
)
from procore_sandbox.services.representations import iso

PCCO = "prime_contract_change_order"
CENT = Decimal("0.01")


# -- Project tools: a project user's prime contract and change orders ---------------------------


# A prime contract's line is a commitment's line: a cost code, a cost type and an amount.
PrimeContractLine = CommitmentLine


def prime_contract_create(
    *,
    company: Company,
    project: ProcoreObject,
    title: str,
    number: str = "",
    lines: list[PrimeContractLine],
) -> ProcoreObject:
    """A prime contract entered in Procore by hand, with its line items."""
    if project.company_id != company.id or project.item_type != "project":
        raise SandboxError("Choose a project of this company.")
    if not lines:
        raise SandboxError("A prime contract needs at least one line item.")
    count = ProcoreObject.objects.filter(project=project, item_type="prime_contract").count()
    with transaction.atomic():
        contract = ProcoreObject.objects.create(
            company=company,
            item_type="prime_contract",
            project=project,
            data={
                "title": required(title, "Title"),
                "number": number or f"PC-{count + 1:03d}",
                "status": "Approved",
                "executed": False,
                "private": True,
                "description": "",
                "accounting_method": "amount",
                "retainage_percent": "0.0",
                "erp_custom_fields": {},
            },
        )
        total = cost_lines_create(company=company, holder=contract, lines=lines)
        contract.data["grand_total"] = f"{total}"
        contract.save(update_fields=["data"])
    return contract


@dataclass(frozen=True)
class Markup:
    name: str
    percentage: Any


@dataclass(frozen=True)
class ChangeOrderLine:
    """A change to one line of the prime contract: its own amount, and the markups on it."""

    prime_line_item_id: int
    amount: Any
    description: str = ""
    markups: tuple[Markup, ...] = field(default_factory=tuple)


def prime_contract_change_order_create(
    *,
    company: Company,
    prime_contract: ProcoreObject,
    title: str,
    number: str = "",
    lines: list[ChangeOrderLine],
) -> ProcoreObject:
    """A change order on a prime contract; each line changes one of the contract's lines, and
    its markups add a percentage of the line's own amount (rounded to the cent)."""
    if prime_contract.company_id != company.id or prime_contract.item_type != "prime_contract":
        raise SandboxError("Choose a prime contract of this company.")
    if not lines:
        raise SandboxError("A change order needs at least one line item.")
    contract_lines = {
        row.id: row
        for row in ProcoreObject.objects.filter(parent=prime_contract, item_type="line_item")
    }
    count = ProcoreObject.objects.filter(parent=prime_contract, item_type=PCCO).count()
    project = prime_contract.project
    with transaction.atomic():
        change_order = ProcoreObject.objects.create(
            company=company,
            item_type=PCCO,
            project=project,
            parent=prime_contract,
            data={
                "title": required(title, "Title"),
                "number": number or f"{count + 1:03d}",
                "status": "approved",
                "description": "",
                "contract_id": prime_contract.id,
                "executed": False,
                "erp_custom_fields": {},
            },
        )
        grand_total = Decimal(0)
        for position, line in enumerate(lines, start=1):
            source = contract_lines.get(line.prime_line_item_id)
            if source is None:
                raise SandboxError(
                    f"Line {line.prime_line_item_id} is not a line of this prime contract."
                )
            own = Decimal(money(line.amount, "Amount"))
            markups = [
                (
                    markup,
                    (own * Decimal(str(markup.percentage)) / 100).quantize(
                        CENT, rounding=ROUND_HALF_UP
                    ),
                )
                for markup in line.markups
            ]
            amount = own + sum((value for _, value in markups), Decimal(0))
            grand_total += amount
            row = ProcoreObject.objects.create(
                company=company,
                item_type="line_item",
                project=project,
                parent=change_order,
                data={
                    "amount": f"{amount}",
                    "extended_amount": f"{own}",
                    "description": line.description or source.data.get("description", ""),
                    "position": position,
                    "prime_line_item_id": source.id,
                    "cost_code_id": source.data.get("cost_code_id"),
                    "line_item_type_id": source.data.get("line_item_type_id"),
                    "quantity": "0.0",
                    "unit_cost": "0.0",
                    "uom": "ls",
                },
            )
            for markup_position, (markup, value) in enumerate(markups, start=1):
                ProcoreObject.objects.create(
                    company=company,
                    item_type="markup",
                    project=project,
                    parent=row,
                    data={
                        "amount": f"{value}",
                        "name": required(markup.name, "Markup name"),
                        "percentage": money(markup.percentage, "Percentage"),
                        "position": markup_position,
                        "cost_code_id": source.data.get("cost_code_id"),
                        "line_item_type_id": source.data.get("line_item_type_id"),
                    },
                )
        change_order.data["grand_total"] = f"{grand_total}"
        change_order.save(update_fields=["data"])
    return change_order


# -- payloads (erp_events_dictionary.md) ----------------------------------------------------------


def _markup_json(markup: ProcoreObject, line: ProcoreObject, related: dict) -> dict:
    cost_code = related.get(markup.data.get("cost_code_id"))
    cost_type = related.get(markup.data.get("line_item_type_id"))
    return {
        "id": markup.id,
        "amount": markup.data.get("amount"),
        "created_at": iso(markup.created_at),
        "markup": {
            "id": markup.id,
            "can_export_estimate_markup": True,
            "compounds_markups_above": False,
            "created_at": iso(markup.created_at),
            "destination_budget_line_item_id": None,
            "destination_cost_code": {
                "id": cost_code.id,
                "name": cost_code.data.get("name"),
                "full_code": cost_code.data.get("full_code") or cost_code.data.get("code"),
                "origin_id": cost_code.origin_id,
                "origin_data": cost_code.origin_data,
            }
            if cost_code
            else None,
            "destination_line_item_type": _line_item_type_json(cost_type),
            "destination_sub_job": {},
            "markup_set": "vertical",
            "name": markup.data.get("name"),
            "percentage": markup.data.get("percentage"),
            "position": markup.data.get("position"),
            "prime_line_item": {"id": line.data.get("prime_line_item_id"), "origin_id": None},
            "updated_at": iso(markup.updated_at),
        },
        "updated_at": iso(markup.updated_at),
    }


def _items_json(holder: ProcoreObject, holder_type: str) -> list[dict]:
    """Line items as the dictionary's ``prime_contract_items`` and
    ``prime_contract_change_order_items`` show them (markups on change order lines)."""
    project = holder.project
    rows = list(ProcoreObject.objects.filter(parent=holder, item_type="line_item").order_by("id"))
    markups = list(ProcoreObject.objects.filter(parent__in=rows, item_type="markup").order_by("id"))
    related = codes_by_id(rows + markups)
    prime_lines = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            id__in={r.data.get("prime_line_item_id") for r in rows} - {None}
        )
    }
    items = []
    for row in rows:
        cost_code = related.get(row.data.get("cost_code_id"))
        cost_type = related.get(row.data.get("line_item_type_id"))
        item = {
            "id": row.id,
            "amount": row.data.get("amount"),
            "commitment_line_item_id": None,
            "company": {"id": holder.company_id, "name": holder.company.name},
            "cost_code": _cost_code_json(cost_code, project, [cost_type] if cost_type else [])
            if cost_code
            else None,
            "created_at": iso(row.created_at),
            "description": row.data.get("description"),
            "erp_custom_fields": {},
            "extended_amount": row.data.get("extended_amount", row.data.get("amount")),
            "extended_type": "manual",
            "holder": {"id": holder.id, "holder_type": holder_type},
            "line_item_type": _line_item_type_json(cost_type),
            "origin_code": row.origin_code or None,
            "origin_data": row.origin_data,
            "origin_id": row.origin_id,
            "position": row.data.get("position"),
            "prime_line_item_id": None,
            "project": _ref(project),
            "quantity": row.data.get("quantity", "0.0"),
            "tax_amount": "0.0",
            "tax_code_id": None,
            "total_amount": row.data.get("amount"),
            "unit_cost": row.data.get("unit_cost", "0.0"),
            "uom": row.data.get("uom"),
            "updated_at": iso(row.updated_at),
        }
        if holder.item_type == PCCO:
            source = prime_lines.get(row.data.get("prime_line_item_id"))
            item.update(
                prime_line_item_id=source.id if source else None,
                prime_line_item_origin_code=source.origin_code or None if source else None,
                prime_line_item_origin_data=source.origin_data if source else None,
                prime_line_item_origin_id=source.origin_id if source else None,
                markup_line_items=[
                    _markup_json(markup, row, related)
                    for markup in markups
                    if markup.parent_id == row.id
                ],
            )
        items.append(item)
    return items


def _prime_contract_json(contract: ProcoreObject) -> dict:
    """The prime contract as the dictionary's example shows it; what the sandbox does not
    model (dates, signatures, owner invoices) is sent empty."""
    data = contract.data
    total = data.get("grand_total", "0.0")
    return {
        "id": contract.id,
        "accounting_method": data.get("accounting_method", "amount"),
        "actual_completion_date": None,
        "approval_letter_date": None,
        "approved_change_orders": "0.0",
        "architect": None,
        "attachments": [],
        "contract_date": None,
        "contract_estimated_completion_date": data.get("contract_estimated_completion_date"),
        "contract_start_date": data.get("contract_start_date"),
        "contract_termination_date": None,
        "contractor": {"id": None},
        "created_at": iso(contract.created_at),
        "created_by": {"id": None, "login": None, "name": None},
        "custom_fields": {},
        "deleted_at": None,
        "description": data.get("description", ""),
        "draft_change_orders_amount": "0.0",
        "exclusions": data.get("exclusions"),
        "executed": data.get("executed", False),
        "execution_date": None,
        "grand_total": total,
        "has_change_order_packages": False,
        "has_potential_change_orders": True,
        "inclusions": data.get("inclusions"),
        "issued_on_date": None,
        "letter_of_intent_date": None,
        "number": data.get("number"),
        "origin_code": contract.origin_code or None,
        "origin_data": contract.origin_data,
        "origin_id": contract.origin_id,
        "original_substantial_completion_date": None,
        "outstanding_balance": total,
        "owner_invoices_amount": "0.0",
        "pending_change_orders_amount": "0.0",
        "pending_revised_contract_amount": total,
        "percentage_paid": "0.0",
        "private": data.get("private", True),
        "retainage_percent": data.get("retainage_percent", "0.0"),
        "returned_date": None,
        "revised_contract_amount": total,
        "show_line_items_to_non_admins": None,
        "signed_contract_received_date": data.get("signed_contract_received_date"),
        "status": data.get("status", "Approved"),
        "substantial_completion_date": None,
        "title": data.get("title"),
        "total_payments": "0.0",
        "updated_at": iso(contract.updated_at),
        "vendor": {"id": None},
    }


def _change_order_json(change_order: ProcoreObject) -> dict:
    data = change_order.data
    return {
        "id": change_order.id,
        "contract_id": change_order.parent_id,
        "created_at": iso(change_order.created_at),
        "custom_fields": {},
        "deleted_at": None,
        "description": data.get("description", ""),
        "due_date": None,
        "erp_custom_fields": data.get("erp_custom_fields") or {},
        "executed": data.get("executed", False),
        "invoiced_date": None,
        "number": data.get("number"),
        "origin_code": change_order.origin_code or None,
        "origin_data": change_order.origin_data,
        "origin_id": change_order.origin_id,
        "paid_date": None,
        "reviewed_at": None,
        "status": data.get("status", "approved"),
        "title": data.get("title"),
        "updated_at": iso(change_order.updated_at),
        "approved_on": iso(change_order.updated_at),
    }


def change_order_payload(change_order: ProcoreObject) -> dict:
    """``create_prime_contract_change_order``."""
    contract = change_order.parent
    return {
        "project": project_ref(contract.project),
        "prime_contract": _prime_contract_json(contract),
        "prime_contract_items": _items_json(contract, "PrimeContract"),
        "prime_contract_change_order": _change_order_json(change_order),
        "prime_contract_change_order_items": _items_json(change_order, "PotentialChangeOrder"),
    }


def unlink_payload(change_order: ProcoreObject) -> dict:
    """``unlink_prime_contract_change_order``: the contract, the change order and its lines by
    their ERP ids, as the dictionary shows them."""
    contract = change_order.parent
    project = contract.project
    data = change_order.data
    lines = ProcoreObject.objects.filter(parent=change_order, item_type="line_item").order_by("id")
    prime_lines = {
        row.id: row for row in ProcoreObject.objects.filter(parent=contract, item_type="line_item")
    }
    codes = codes_by_id(lines)
    items = []
    for row in lines:
        source = prime_lines.get(row.data.get("prime_line_item_id"))
        cost_code = codes.get(row.data.get("cost_code_id"))
        cost_type = codes.get(row.data.get("line_item_type_id"))
        items.append(
            {
                "cost_code_origin_id": cost_code.origin_id if cost_code else None,
                "cost_code_origin_data": None,
                "description": row.data.get("description"),
                "estimate_amount": float(Decimal(row.data.get("extended_amount") or "0")),
                "prime_contract_change_order_origin_id": change_order.origin_id,
                "origin_id": row.origin_id,
                "prime_contract_item_id": source.id if source else None,
                "prime_contract_item_origin_data": source.origin_data if source else None,
                "prime_contract_item_origin_id": source.origin_id if source else None,
                "prime_contract_item_position": source.data.get("position") if source else None,
                "id": row.id,
                "procore_prime_contract_item_id": source.id if source else None,
                "revenue_amount": float(Decimal(row.data.get("amount") or "0")),
                "line_item_type_origin_id": cost_type.origin_id if cost_type else None,
                "line_item_type_origin_data": None,
                "position": row.data.get("position"),
                "potential_change_order_id": change_order.id,
                "job_origin_id": project.origin_id,
                "markup_line_items": [
                    {"id": m.id, "amount": m.data.get("amount"), "origin_id": m.origin_id}
                    for m in ProcoreObject.objects.filter(parent=row, item_type="markup")
                ],
            }
        )
    return {
        "prime_contract": {
            "id": contract.id,
            "number": contract.data.get("number"),
            "origin_data": contract.origin_data,
            "origin_id": contract.origin_id,
            "procore_prime_contract_id": contract.id,
            "project_id": project.id,
            "title": contract.data.get("title"),
        },
        "prime_contract_change_order": {
            "prime_contract_origin_id": contract.origin_id,
            "created_at": iso(change_order.created_at),
            "description": data.get("description", ""),
            "id": change_order.id,
            "job_origin_id": project.origin_id,
            "number": data.get("number"),
            "origin_id": change_order.origin_id,
            "title": data.get("title"),
            "origin_code": change_order.origin_code or None,
            "custom_fields": {},
            "erp_custom_fields": data.get("erp_custom_fields") or {},
        },
        "prime_contract_change_order_line_items": items,
    }


def reset_payload(change_order: ProcoreObject) -> dict:
    """``reset_prime_contract_change_order``: the change order as it was before the reset."""
    contract = change_order.parent
    project = contract.project
    items = _items_json(change_order, "PotentialChangeOrder")
    return {
        "prime_contract_id": contract.id,
        "prime_contract_origin_id": contract.origin_id,
        "prime_contract_change_order_id": change_order.id,
        "prime_contract_change_order_number": change_order.data.get("number"),
        "job_id": project.origin_id,
        "prime_contract_change_order_line_items": items,
        "reset_estimate_transactions": False,
        "reset_revenue_transactions": False,
        "project_id": project.id,
        "prime_contract_change_order_origin_id": change_order.origin_id,
    }


# -- the ERP Integrations Tool: unlink (approver) and reset (Super User) -------------------------


def _connected(company: Company) -> ErpConnection:
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    return connection


def _synced_change_order(obj: ProcoreObject) -> None:
    if obj.item_type != PCCO:
        raise SandboxError("Choose a prime contract change order.")
    if not obj.synced:
        raise SandboxError("This prime contract change order is not synced with the ERP.")


def change_order_unlink(*, change_order: ProcoreObject) -> ErpRequest:
    """The approver asks to unlink a synced change order. Procore changes nothing itself: the
    integrator checks the ERP and unsyncs it (External Data) or says why it cannot."""
    _connected(change_order.company)
    _synced_change_order(change_order)
    configs = erp_entity_config(change_order.company, "prime_contract_change_orders").get("configs")
    if ((configs or {}).get("unlink") or {}).get("enabled") is False:
        raise SandboxError("The ERP integration does not unlink prime contract change orders.")
    return erp_request_create(
        company=change_order.company,
        request_name="unlink_prime_contract_change_order",
        request_data=unlink_payload(change_order),
        item=change_order,
    )


def change_order_reset(*, change_order: ProcoreObject) -> ErpRequest:
    """Super User: the change order, its lines and markups return to unsynced (no origin_id),
    then the integrator is told (no Request Detail), naming them as they were."""
    _connected(change_order.company)
    _synced_change_order(change_order)
    with transaction.atomic():
        data = reset_payload(change_order)
        lines = ProcoreObject.objects.filter(parent=change_order, item_type="line_item")
        ProcoreObject.objects.filter(parent__in=lines, item_type="markup").update(origin_id=None)
        lines.update(origin_id=None)
        change_order.origin_id = None
        change_order.save(update_fields=["origin_id", "updated_at"])
        return erp_request_create(
            company=change_order.company,
            request_name="reset_prime_contract_change_order",
            request_data=data,
            with_detail=False,
        )
