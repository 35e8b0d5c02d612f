"""Payment applications and company-level direct costs, as Procore holds them: what a person
creates (a pay application to the owner with its schedule-of-values lines, billed against the
project's prime contract; an invoice or expense whose lines post to projects, cost codes and cost
types), the ``request_data`` Procore sends when one is exported, unlinked or reset, and the
unlink and Super-User reset buttons.

Shapes follow ``erp_events_dictionary.md`` (create_payment_application,
unlink_payment_application, create_company_level_direct_cost, unlink_company_level_direct_cost,
reset_company_level_direct_cost). Unlinking these is an action the integrator decides: Procore
does not clear the origin_id itself; it asks, with a Request Detail, and the integrator
unsyncs the document (External Data ``origin_id: null``) only when the ERP deleted or voided
it. A Super-User reset clears it in Procore first, then notifies without a Request Detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from procore_sandbox.models import Company, ErpConnection, ErpRequest, ProcoreObject
from procore_sandbox.services.erp import erp_entity_config, erp_request_create
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import money, required
from procore_sandbox.services.representations import iso

PAYMENT_APPLICATION = "payment_application"
PAYMENT_APPLICATION_LINE = "payment_application_line_item"
DIRECT_COST = "company_level_direct_cost"
DIRECT_COST_LINE = "direct_cost_line_item"
DIRECT_COST_TYPES = ("invoice", "expense", "payroll", "subcontractor_invoice")
LABELS = {
    PAYMENT_APPLICATION: "Payment application",
    PAYMENT_APPLICATION_LINE: "Payment application line",
    DIRECT_COST: "Direct cost",
    DIRECT_COST_LINE: "Direct cost line",
}


def _connected(company: Company) -> ErpConnection:
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    return connection


def _number(value: Any) -> float | int:
    """The dictionary's pay application amounts are JSON numbers (``500``)."""
    amount = Decimal(str(value or "0"))
    return int(amount) if amount == amount.to_integral_value() else float(amount)


# -- Payment applications ------------------------------------------------------------------------


@dataclass(frozen=True)
class PayAppLine:
    description: str
    scheduled_value: Any
    work_completed_this_period: Any
    materials_presently_stored: Any = "0"
    work_completed_from_previous_application: Any = "0"
    retainage_percent: Any = "0"
    contract_line: ProcoreObject | None = None


def payment_application_create(
    *,
    project: ProcoreObject,
    lines: list[PayAppLine],
    prime_contract: ProcoreObject | None = None,
    invoice_number: str = "",
    billing_date: str = "",
    period_start: str = "",
    period_end: str = "",
    status: str = "approved",
) -> ProcoreObject:
    """A pay application on a project, billed against its prime contract (when the project has
    one synced from the ERP, its lines are the ones billed)."""
    if project.item_type != "project":
        raise SandboxError("Choose a project.")
    if prime_contract is not None and prime_contract.project_id != project.id:
        raise SandboxError("The prime contract is not this project's.")
    if not lines:
        raise SandboxError("A payment application needs at least one line item.")
    company = project.company
    count = ProcoreObject.objects.filter(project=project, item_type=PAYMENT_APPLICATION).count()
    with transaction.atomic():
        pay_app = ProcoreObject.objects.create(
            company=company,
            item_type=PAYMENT_APPLICATION,
            project=project,
            parent=prime_contract,
            data={
                "title": f"Pay application {invoice_number.strip() or count + 1}",
                "invoice_number": invoice_number.strip() or str(count + 1),
                "contract_name": prime_contract.label if prime_contract else "Prime Contract",
                "billing_date": billing_date or None,
                "period_start": period_start or None,
                "period_end": period_end or None,
                "status": status,
            },
        )
        for position, line in enumerate(lines, start=1):
            percent = Decimal(money(line.retainage_percent, "Retainage percent"))
            work = Decimal(money(line.work_completed_this_period, "Work completed this period"))
            stored = Decimal(money(line.materials_presently_stored, "Materials stored"))
            ProcoreObject.objects.create(
                company=company,
                item_type=PAYMENT_APPLICATION_LINE,
                project=project,
                parent=pay_app,
                data={
                    "item_number": position,
                    "description_of_work": required(line.description, "Description of work"),
                    "scheduled_value": money(line.scheduled_value, "Scheduled value"),
                    "work_completed_from_previous_application": money(
                        line.work_completed_from_previous_application, "Work completed before"
                    ),
                    "work_completed_this_period": f"{work}",
                    "materials_presently_stored": f"{stored}",
                    "retainage_percent": f"{percent}",
                    "contract_line_id": line.contract_line.id if line.contract_line else None,
                },
            )
    return pay_app


def _pay_app_item(line: ProcoreObject, pay_app: ProcoreObject) -> dict:
    data = line.data
    scheduled = Decimal(data.get("scheduled_value") or "0")
    before = Decimal(data.get("work_completed_from_previous_application") or "0")
    work = Decimal(data.get("work_completed_this_period") or "0")
    stored = Decimal(data.get("materials_presently_stored") or "0")
    percent = Decimal(data.get("retainage_percent") or "0")
    to_date = before + work + stored
    work_retained = (work * percent / 100).quantize(Decimal("0.01"))
    stored_retained = (stored * percent / 100).quantize(Decimal("0.01"))
    contract_line = (
        ProcoreObject.objects.filter(id=data.get("contract_line_id")).first()
        if data.get("contract_line_id")
        else None
    )
    holder = pay_app.parent
    return {
        "accounting_method": "amount",
        "balance_to_finish": _number(scheduled - to_date),
        "custom_group_item_ids": [],
        "description_of_work": data.get("description_of_work"),
        "description_override": None,
        "holder_id": holder.id if holder else None,
        "holder_type": "PrimeContract",
        "id": line.id,
        "item_number": data.get("item_number"),
        "materials_presently_stored": _number(stored),
        "materials_presently_stored_from_previous_application": 0,
        "materials_stored_retainage_currently_retained": _number(stored_retained),
        "materials_stored_retainage_from_previous_application": 0,
        "materials_stored_retainage_percent_this_period": _number(percent),
        "materials_stored_retainage_released_this_period": 0,
        "materials_stored_retainage_retained_this_period": _number(stored_retained),
        "new_materials": _number(stored),
        "origin_id": contract_line.origin_id if contract_line else None,
        "origin_type": "LineItem",
        "previous_quantity": None,
        "scheduled_value": _number(scheduled),
        "stored_materials": _number(stored),
        "total_completed_and_stored_to_date": _number(to_date),
        "total_completed_and_stored_to_date_percent": _number(
            (to_date * 100 / scheduled).quantize(Decimal("0.01")) if scheduled else 0
        ),
        "total_retainage_currently_retained": _number(work_retained + stored_retained),
        "total_retainage_from_previous_application": 0,
        "type": PAYMENT_APPLICATION_LINE,
        "wbs_code": {"description": "", "flat_code": "", "id": None, "segment_items": []},
        "work_completed_from_previous_application": _number(before),
        "work_completed_retainage_currently_retained": _number(work_retained),
        "work_completed_retainage_from_previous_application": 0,
        "work_completed_retainage_percent_this_period": _number(percent),
        "work_completed_retainage_released_this_period": 0,
        "work_completed_retainage_retained_this_period": _number(work_retained),
        "work_completed_this_period": _number(work),
    }


def _address() -> dict:
    """An address block of the pay application's summary; the sandbox keeps none."""
    return dict.fromkeys(("name", "city", "country_code", "state_code", "street", "zip"))


def _pay_app_json(pay_app: ProcoreObject) -> dict:
    data = pay_app.data
    project = pay_app.project
    lines = ProcoreObject.objects.filter(parent=pay_app, item_type=PAYMENT_APPLICATION_LINE)
    items = [_pay_app_item(line, pay_app) for line in lines.order_by("id")]

    def sum_of(key: str) -> Decimal:
        return sum((Decimal(str(item[key])) for item in items), Decimal(0))

    original = sum_of("scheduled_value")
    to_date = sum_of("total_completed_and_stored_to_date")
    work_retained = sum_of("work_completed_retainage_currently_retained")
    stored_retained = sum_of("materials_stored_retainage_currently_retained")
    earned = to_date - work_retained - stored_retained
    before = sum_of("work_completed_from_previous_application")
    return {
        "id": pay_app.id,
        "attachment_sources": [],
        "attachment_sources_status": None,
        "attachments": [],
        "billing_date": data.get("billing_date"),
        "billing_period": {
            "start_date": data.get("period_start"),
            "end_date": data.get("period_end"),
        },
        "contract_name": data.get("contract_name"),
        "description_type": "automatic",
        "electronic_signature_id": None,
        "invoice_number": data.get("invoice_number"),
        "items": items,
        "period_end": data.get("period_end"),
        "period_id": None,
        "period_start": data.get("period_start"),
        "status": data.get("status", "approved"),
        "summary": {
            "application_number": data.get("invoice_number"),
            "contract_for": project.data.get("name"),
            "contract_date": None,
            "from_architect_or_engineer": _address(),
            "from_general_contractor": None,
            "project_name": project.data.get("name"),
            # A project synced with the ERP shows the ERP's job code as its number.
            "project_number": project.origin_code or project.data.get("project_number"),
            "to_owner": _address(),
            "contract_original_sum": _number(original),
            "contract_sum_to_date": _number(original),
            "total_completed_and_stored_to_date": _number(to_date),
            "completed_work_retainage_amount": _number(work_retained),
            "completed_work_retainage_percent": 0,
            "stored_materials_retainage_amount": _number(stored_retained),
            "stored_materials_retainage_percent": 0,
            "total_retainage": _number(work_retained + stored_retained),
            "total_earned_less_retainage": _number(earned),
            "less_previous_certificates_for_payment": _number(before),
            "current_payment_due": _number(earned - before),
            "balance_to_finish_including_retainage": _number(original - earned),
            "positive_previous_change_order_item_total": 0,
            "negative_previous_change_order_item_total": 0,
            "positive_new_change_order_item_total": 0,
            "negative_new_change_order_item_total": 0,
            "positive_change_order_item_total": 0,
            "negative_change_order_item_total": 0,
            "net_change_by_change_order": 0,
        },
        "origin_id": pay_app.origin_id,
        "origin_code": pay_app.origin_code or None,
        "origin_data": pay_app.origin_data,
    }


def payment_application_payload(pay_app: ProcoreObject) -> dict:
    """``create_payment_application`` and ``unlink_payment_application``."""
    return {"payment_application": _pay_app_json(pay_app), "company_id": pay_app.company_id}


# -- Company-level direct costs ------------------------------------------------------------------


@dataclass(frozen=True)
class DirectCostLine:
    cost_code: ProcoreObject  # a project cost code: its project is the line's project
    line_item_type: ProcoreObject
    amount: Any
    description: str = ""
    quantity: Any = "1"


def direct_cost_create(
    *,
    company: Company,
    lines: list[DirectCostLine],
    vendor: ProcoreObject | None = None,
    direct_cost_type: str = "invoice",
    invoice_number: str = "",
    description: str = "",
    direct_cost_date: str = "",
    status: str = "approved",
) -> ProcoreObject:
    """A company-level direct cost; each line costs one project's cost code and cost type."""
    if direct_cost_type not in DIRECT_COST_TYPES:
        raise SandboxError(f"A direct cost is one of: {', '.join(DIRECT_COST_TYPES)}.")
    if vendor is not None and (vendor.company_id != company.id or vendor.item_type != "vendor"):
        raise SandboxError("Choose a vendor of this company.")
    if not lines:
        raise SandboxError("A direct cost needs at least one line item.")
    with transaction.atomic():
        direct_cost = ProcoreObject.objects.create(
            company=company,
            item_type=DIRECT_COST,
            data={
                "title": " ".join(
                    filter(None, (direct_cost_type.replace("_", " ").capitalize(), invoice_number))
                ),
                "direct_cost_type": direct_cost_type,
                "invoice_number": invoice_number.strip() or None,
                "description": description,
                "direct_cost_date": direct_cost_date or None,
                "status": status,
                "vendor_id": vendor.id if vendor else None,
            },
        )
        total = Decimal(0)
        for position, line in enumerate(lines, start=1):
            code, cost_type = line.cost_code, line.line_item_type
            if code.company_id != company.id or code.item_type != "cost_code":
                raise SandboxError(f"Line {position}: choose a project cost code.")
            if cost_type.company_id != company.id or cost_type.item_type != "line_item_type":
                raise SandboxError(f"Line {position}: choose a cost type.")
            amount = Decimal(money(line.amount, "Amount"))
            quantity = Decimal(money(line.quantity, "Quantity")) or Decimal(1)
            total += amount
            ProcoreObject.objects.create(
                company=company,
                item_type=DIRECT_COST_LINE,
                project=code.project,
                parent=direct_cost,
                data={
                    "position": position,
                    "description": line.description or f"Line {position}",
                    "cost_code_id": code.id,
                    "line_item_type_id": cost_type.id,
                    "quantity": f"{quantity}",
                    "unit_cost": f"{(amount / quantity).quantize(Decimal('0.01'))}",
                    "total_amount": f"{amount}",
                },
            )
        direct_cost.data["line_item_total"] = f"{total}"
        direct_cost.save(update_fields=["data"])
    return direct_cost


def _currency() -> dict:
    return {
        "base_currency_iso_code": None,
        "currency_exchange_rate": "1.0",
        "currency_iso_code": "USD",
    }


def _direct_cost_line(line: ProcoreObject, direct_cost: ProcoreObject) -> dict:
    data = line.data
    code = ProcoreObject.objects.filter(id=data.get("cost_code_id")).first()
    cost_type = ProcoreObject.objects.filter(id=data.get("line_item_type_id")).first()
    project = line.project
    return {
        "id": str(line.id),
        "company": {"id": str(line.company_id)},
        "currency_configuration": _currency(),
        "description": data.get("description"),
        "direct_cost_id": str(direct_cost.id),
        "extended_type": "calculated",
        "position": data.get("position"),
        "project": {"id": str(project.id), "name": project.data.get("name")} if project else None,
        "quantity": data.get("quantity"),
        "total_amount": data.get("total_amount"),
        "unit_cost": data.get("unit_cost"),
        "uom": {"name": "ea", "read_only": False},
        "wbs_code": {
            "id": str(code.id) if code else None,
            "flat_code": code.data.get("full_code") if code else None,
            "description": code.data.get("name") if code else None,
        },
        "job_origin_id": project.origin_id if project else None,
        "cost_code_id": code.id if code else None,
        "line_item_type_id": cost_type.id if cost_type else None,
        "cost_code_origin_id": code.origin_id if code else None,
        "line_item_type_origin_id": cost_type.origin_id if cost_type else None,
    }


def _direct_cost_json(direct_cost: ProcoreObject) -> dict:
    data = direct_cost.data
    vendor = ProcoreObject.objects.filter(id=data.get("vendor_id")).first()
    lines = ProcoreObject.objects.filter(parent=direct_cost, item_type=DIRECT_COST_LINE)
    line_items = [_direct_cost_line(line, direct_cost) for line in lines.order_by("id")]
    projects = {}
    for line in lines.select_related("project"):
        if line.project_id:
            projects[line.project_id] = {
                "id": line.project_id,
                "name": line.project.data.get("name"),
            }
    return {
        "id": str(direct_cost.id),
        "accounting_date": data.get("direct_cost_date"),
        "ai_autofill": False,
        "billed_amount": data.get("line_item_total"),
        "created_at": iso(direct_cost.created_at),
        "currency_configuration": _currency(),
        "description": data.get("description"),
        # The sandbox keeps no attachments: the dictionary's attachment, empty.
        "direct_cost_attachment": dict.fromkeys(
            ("id", "content_type", "created_at", "name", "url", "uuid")
        ),
        "direct_cost_date": data.get("direct_cost_date"),
        "direct_cost_type": data.get("direct_cost_type", "invoice"),
        "discount_date": None,
        "employee": None,
        "erp": {"status": "synced" if direct_cost.synced else "exporting"},
        "invoice_number": data.get("invoice_number"),
        "line_item_total": data.get("line_item_total"),
        "paid_status": "unpaid",
        "payment_date": None,
        "payment_due_date": None,
        "projects": list(projects.values()),
        "received_date": data.get("direct_cost_date"),
        "review_status": "ready",
        "status": data.get("status", "approved"),
        "terms": None,
        "updated_at": iso(direct_cost.updated_at),
        "uploaded_at": iso(direct_cost.created_at),
        "uploaded_by": None,
        "vendor": {
            "id": str(vendor.id),
            "name": vendor.data.get("name"),
            "origin_id": vendor.origin_id,
            "origin_code": vendor.origin_code or None,
            "origin_data": vendor.origin_data,
        }
        if vendor
        else None,
        "origin_id": direct_cost.origin_id,
        "origin_code": direct_cost.origin_code or data.get("invoice_number"),
        "origin_data": direct_cost.origin_data,
        "line_items": line_items,
    }


def direct_cost_payload(direct_cost: ProcoreObject) -> dict:
    """``create_company_level_direct_cost`` and ``unlink_company_level_direct_cost``."""
    return {"company_id": direct_cost.company_id, "direct_cost": _direct_cost_json(direct_cost)}


def direct_cost_reset_payload(direct_cost: ProcoreObject) -> dict:
    return {
        "direct_cost": {"id": str(direct_cost.id)},
        "origin_id": direct_cost.origin_id,
        "origin_code": direct_cost.origin_code or direct_cost.data.get("invoice_number"),
        "origin_data": direct_cost.origin_data,
        "reset_override": False,
    }


# -- Send to ERP: what must be synced first ------------------------------------------------------


def export_prerequisites_check(obj: ProcoreObject) -> None:
    """The ERP can hold a pay application only for a synced job, and a direct cost only for
    synced jobs, cost codes and vendor; Procore asks for those first."""
    if obj.item_type == PAYMENT_APPLICATION and not obj.project.synced:
        raise SandboxError("Sync the project before sending this payment application.")
    if obj.item_type != DIRECT_COST:
        return
    vendor = ProcoreObject.objects.filter(id=obj.data.get("vendor_id")).first()
    if vendor is not None and not vendor.synced:
        raise SandboxError("Sync the vendor before sending this direct cost.")
    for line in ProcoreObject.objects.filter(parent=obj, item_type=DIRECT_COST_LINE):
        if line.project is None or not line.project.synced:
            raise SandboxError(
                f"Sync project {line.project.label if line.project else '?'} before sending "
                "this direct cost."
            )


# -- Unlink (the approver) and reset (Super User) ------------------------------------------------

UNLINK_EVENTS = {
    PAYMENT_APPLICATION: ("payment_applications", "unlink_payment_application"),
    DIRECT_COST: ("company_level_direct_costs", "unlink_company_level_direct_cost"),
}


def document_unlink(*, obj: ProcoreObject) -> ErpRequest:
    """The approver asks to unlink a synced pay application or direct cost: the ERP Request
    carries a Request Detail, and the document stays synced until the integrator unsyncs it."""
    if obj.item_type not in UNLINK_EVENTS:
        raise SandboxError("Only payment applications and direct costs are unlinked here.")
    entity, request_name = UNLINK_EVENTS[obj.item_type]
    company = obj.company
    _connected(company)
    configs = erp_entity_config(company, entity).get("configs") or {}
    if not (configs.get("unlink") or {}).get("enabled"):
        raise SandboxError(f"The ERP integration does not unlink {entity.replace('_', ' ')}.")
    if not obj.synced:
        raise SandboxError(f"This {LABELS[obj.item_type].lower()} is not synced with the ERP.")
    build = (
        payment_application_payload if obj.item_type == PAYMENT_APPLICATION else direct_cost_payload
    )
    return erp_request_create(
        company=company,
        request_name=request_name,
        request_data=build(obj),
        item=obj,
        project_id=obj.project_id,
    )


def direct_cost_reset(*, direct_cost: ProcoreObject) -> ErpRequest:
    """``reset_company_level_direct_cost``: "return the company level direct cost to an unsynced
    state in Procore"; the notice names it as it was (with its origin_id)."""
    _connected(direct_cost.company)
    if direct_cost.item_type != DIRECT_COST or not direct_cost.synced:
        raise SandboxError("Only a synced direct cost can be reset.")
    with transaction.atomic():
        data = direct_cost_reset_payload(direct_cost)
        direct_cost.origin_id = None
        direct_cost.save(update_fields=["origin_id", "updated_at"])
        return erp_request_create(
            company=direct_cost.company,
            request_name="reset_company_level_direct_cost",
            request_data=data,
            with_detail=False,
        )
