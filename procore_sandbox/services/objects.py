"""What a Procore project user creates by hand: vendors, projects with cost codes, commitments
(subcontracts and purchase orders) with line items, and commitment change orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.services.errors import SandboxError

COMMITMENT_TYPES = {
    "subcontract": "work_order_contract",
    "purchase_order": "purchase_order_contract",
}
COMMITMENT_ITEM_TYPES = frozenset(COMMITMENT_TYPES.values())
DEFAULT_COST_CODES = (
    ("01-100", "General Conditions"),
    ("03-300", "Cast-in-Place Concrete"),
    ("09-900", "Painting"),
)
# Fields a person may edit on the object pages, per type.
EDITABLE_FIELDS = {
    "vendor": ("name", "abbreviated_name", "email_address", "business_phone", "city"),
    "project": ("name", "project_number", "address", "city"),
    "work_order_contract": ("title", "description", "status"),
    "purchase_order_contract": ("title", "description", "status"),
    "change_order": ("title", "description", "status"),
    "sub_job": ("name", "code"),
    # Prime contracts and their change orders
    "prime_contract": ("title", "description", "status"),
    "prime_contract_change_order": ("title", "description", "status"),
}
TYPE_LABELS = {
    "vendor": "Vendor",
    "project": "Project",
    "sub_job": "Sub job",
    "work_order_contract": "Subcontract",
    "purchase_order_contract": "Purchase order",
    "change_order": "Commitment change order",
    "prime_contract": "Prime contract",
    "line_item": "Line item",
    "cost_code": "Cost code",
    "standard_cost_code": "Standard cost code",
    "line_item_type": "Cost type",
    "cost_code_line_item_type": "Cost type assignment",
    "budget": "Budget",
    "budget_line_item": "Budget line item",
    "erp_job_cost": "Job cost",
    "erp_transaction": "ERP transaction",
    # Payment applications and company-level direct costs
    "payment_application": "Payment application",
    "payment_application_line_item": "Payment application line",
    "company_level_direct_cost": "Direct cost",
    "direct_cost_line_item": "Direct cost line",
    # Prime contracts and their change orders
    "prime_contract_change_order": "Prime contract change order",
    "markup": "Markup",
    # Requisitions and payments (issue 11)
    "requisition": "Subcontractor invoice",
    "contract_payment": "Contract payment",
    "invoice_payment": "Invoice payment",
}


class ObjectLocked(SandboxError):
    """Synced objects carry the ERP's origin_id; Procore locks them against edits."""


def money(value: Any, field: str) -> str:
    """Amounts as Procore writes them: a decimal string with two places."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SandboxError(f"{field} must be a number, not {value!r}") from None
    return f"{amount.quantize(Decimal('0.01'))}"


def required(value: str, label: str) -> str:
    """Trimmed text, refused when blank with the field's label (Procore's wording)."""
    value = (value or "").strip()
    if not value:
        raise SandboxError(f"{label} can't be blank.")
    return value


def vendor_create(
    *,
    company: Company,
    name: str,
    abbreviated_name: str = "",
    email_address: str = "",
    business_phone: str = "",
    city: str = "",
    origin_code: str = "",
) -> ProcoreObject:
    return ProcoreObject.objects.create(
        company=company,
        item_type="vendor",
        origin_code=origin_code,
        data={
            "name": required(name, "Name"),
            "company": name.strip(),
            "abbreviated_name": abbreviated_name or None,
            "email_address": email_address or None,
            "business_phone": business_phone,
            "city": city,
            "country_code": "US",
            "is_active": True,
            "authorized_bidder": True,
            "prequalified": False,
            "union_member": False,
            "erp_custom_fields": {},
        },
    )


def project_create(
    *,
    company: Company,
    name: str,
    project_number: str = "",
    address: str = "",
    city: str = "",
    cost_codes: list[tuple[str, str]] | None = None,
    origin_code: str = "",
) -> ProcoreObject:
    """A project and its cost codes (``[(code, name), ...]``; a few defaults when omitted).
    A cost code whose code matches a standard cost code is linked to it, as Procore does when a
    project's codes come from the company's standard list."""
    codes = list(cost_codes) if cost_codes else list(DEFAULT_COST_CODES)
    standard = {
        row.data.get("full_code") or row.data.get("code"): row.id
        for row in ProcoreObject.objects.filter(company=company, item_type="standard_cost_code")
    }
    with transaction.atomic():
        project = ProcoreObject.objects.create(
            company=company,
            item_type="project",
            origin_code=origin_code,
            data={
                "name": required(name, "Name"),
                "display_name": f"{project_number} - {name}" if project_number else name,
                "project_number": project_number or None,
                "address": address,
                "city": city,
                "active": True,
                "erp_custom_fields": {},
            },
        )
        for code, code_name in codes:
            code = required(code, "Cost code")
            ProcoreObject.objects.create(
                company=company,
                item_type="cost_code",
                project=project,
                data={
                    "code": code,
                    "name": required(code_name, "Cost code name"),
                    "full_code": code,
                    "sortable_code": code,
                    "standard_cost_code_id": standard.get(code),
                    "sub_job_id": None,
                },
            )
    return project


@dataclass(frozen=True)
class CommitmentLine:
    cost_code_id: int
    line_item_type_id: int
    amount: Any
    description: str = ""


def cost_lines_create(
    *, company: Company, holder: ProcoreObject, lines: list[CommitmentLine]
) -> Decimal:
    """The line items of a commitment or a prime contract entered by hand (each on a cost code
    of the holder's project and a cost type of the company), numbered from 1; returns their
    total. Shared so both documents refuse a stray cost code or cost type in the same words."""
    project = holder.project
    cost_codes = set(
        ProcoreObject.objects.filter(project=project, item_type="cost_code").values_list(
            "id", flat=True
        )
    )
    cost_types = set(
        ProcoreObject.objects.filter(company=company, item_type="line_item_type").values_list(
            "id", flat=True
        )
    )
    total = Decimal("0")
    for position, line in enumerate(lines, start=1):
        if line.cost_code_id not in cost_codes:
            raise SandboxError(f"Cost code {line.cost_code_id} is not in this project.")
        if line.line_item_type_id not in cost_types:
            raise SandboxError(f"Cost type {line.line_item_type_id} does not exist.")
        amount = money(line.amount, "Amount")
        total += Decimal(amount)
        ProcoreObject.objects.create(
            company=company,
            item_type="line_item",
            project=project,
            parent=holder,
            data={
                "amount": amount,
                "description": line.description or f"Line {position}",
                "position": position,
                "cost_code_id": line.cost_code_id,
                "line_item_type_id": line.line_item_type_id,
                "quantity": "0.0",
                "unit_cost": "0.0",
                "uom": None,
            },
        )
    return total


def commitment_create(
    *,
    company: Company,
    project: ProcoreObject,
    vendor: ProcoreObject,
    kind: str,
    title: str,
    number: str = "",
    lines: list[CommitmentLine],
) -> ProcoreObject:
    """A subcontract (``work_order_contract``) or purchase order with its line items."""
    item_type = COMMITMENT_TYPES.get(kind, kind)
    if item_type not in COMMITMENT_ITEM_TYPES:
        raise SandboxError("A commitment is a subcontract or a purchase order.")
    _belongs(company, project, "project")
    _belongs(company, vendor, "vendor")
    if not lines:
        raise SandboxError("A commitment needs at least one line item.")
    count = ProcoreObject.objects.filter(project=project, item_type=item_type).count()
    prefix = "SC" if item_type == "work_order_contract" else "PO"
    with transaction.atomic():
        commitment = ProcoreObject.objects.create(
            company=company,
            item_type=item_type,
            project=project,
            data={
                "title": required(title, "Title"),
                "number": number or f"{prefix}-{count + 1:03d}",
                "status": "Approved",
                "executed": False,
                "private": True,
                "description": "",
                "accounting_method": "amount",
                "vendor_id": vendor.id,
                "erp_custom_fields": {},
            },
        )
        total = cost_lines_create(company=company, holder=commitment, lines=lines)
        commitment.data["grand_total"] = f"{total}"
        commitment.save(update_fields=["data"])
    return commitment


@dataclass(frozen=True)
class ChangeOrderLine:
    commitment_line_item_id: int
    amount: Any
    description: str = ""


def commitment_change_order_create(
    *,
    company: Company,
    commitment: ProcoreObject,
    title: str,
    number: str = "",
    lines: list[ChangeOrderLine],
) -> ProcoreObject:
    """A change order on a commitment; each line changes one of the commitment's lines."""
    commitment_belongs(company, commitment)
    if not lines:
        raise SandboxError("A change order needs at least one line item.")
    commitment_lines = {
        row.id: row
        for row in ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
    }
    count = ProcoreObject.objects.filter(parent=commitment, item_type="change_order").count()
    with transaction.atomic():
        change_order = ProcoreObject.objects.create(
            company=company,
            item_type="change_order",
            project=commitment.project,
            parent=commitment,
            data={
                "title": required(title, "Title"),
                "number": number or str(count + 1),
                "status": "Approved",
                "description": "",
                "contract_id": commitment.id,
                "erp_custom_fields": {},
            },
        )
        total = Decimal("0")
        for position, line in enumerate(lines, start=1):
            source = commitment_lines.get(line.commitment_line_item_id)
            if source is None:
                raise SandboxError(
                    f"Line {line.commitment_line_item_id} is not a line of this commitment."
                )
            amount = money(line.amount, "Amount")
            total += Decimal(amount)
            ProcoreObject.objects.create(
                company=company,
                item_type="line_item",
                project=commitment.project,
                parent=change_order,
                data={
                    "amount": amount,
                    "description": line.description or source.data.get("description", ""),
                    "position": position,
                    "commitment_line_item_id": source.id,
                    "cost_code_id": source.data.get("cost_code_id"),
                    "line_item_type_id": source.data.get("line_item_type_id"),
                },
            )
        change_order.data["grand_total"] = f"{total}"
        change_order.save(update_fields=["data"])
    return change_order


def object_edit(*, obj: ProcoreObject, changes: dict[str, Any]) -> ProcoreObject:
    """A person's edit on an object page; refused once the object is synced."""
    if obj.synced:
        raise ObjectLocked(
            f"This {TYPE_LABELS.get(obj.item_type, obj.item_type).lower()} is synced with the "
            f"ERP (origin_id {obj.origin_id}) and locked; change it in the ERP."
        )
    allowed = EDITABLE_FIELDS.get(obj.item_type, ())
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise SandboxError(f"These fields cannot be edited here: {', '.join(unknown)}")
    obj.data = {**obj.data, **changes}
    obj.save(update_fields=["data", "updated_at"])
    return obj


def commitment_belongs(company: Company, commitment: ProcoreObject) -> None:
    """Refuses anything but a subcontract or purchase order of this company (what a change
    order or an invoice hangs on)."""
    if commitment.company_id != company.id or commitment.item_type not in COMMITMENT_ITEM_TYPES:
        raise SandboxError("Choose a subcontract or purchase order of this company.")


def _belongs(company: Company, obj: ProcoreObject, item_type: str) -> None:
    if obj.company_id != company.id or obj.item_type != item_type:
        raise SandboxError(f"Choose a {item_type} of this company.")
