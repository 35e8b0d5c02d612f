"""Payment applications and company-level direct costs as the adapters that write them into books
of their own read them (``sql``, ``files``; the demo ERP keeps the same rules in
``demo/payapps_direct_costs.py``, in the same words): what each line bills, the refusals an
accountant reads, and the sentence refusing a void document.

Every amount is read and rounded once through ``erp_adapters.money``, so the lines the ERP keeps
add up to the same total whatever Procore sent (strings or JSON numbers).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from erp_adapters import money
from erp_adapters.payload import as_dict, as_int, text

DIRECT_COST_KINDS = ("invoice", "expense", "payroll", "subcontractor_invoice")
# Vendor invoices need the vendor they pay; an expense or payroll cost may have none.
NEEDS_VENDOR = ("invoice", "subcontractor_invoice")
PAY_APP_AMOUNTS = {
    "scheduled_value": "scheduled value",
    "work_completed_from_previous_application": "work completed before",
    "work_completed_this_period": "work completed this period",
    "materials_presently_stored": "materials stored",
    "total_completed_and_stored_to_date": "completed and stored to date",
    "work_completed_retainage_retained_this_period": "retainage this period",
    "materials_stored_retainage_retained_this_period": "materials retainage this period",
}


def read_amount(
    value: Any, label: str, problems: list[str], precision: money.Precision = money.CENTS
) -> Decimal:
    """The amount as the ERP keeps it (rounded once), or zero after saying why it is not one
    (in the demo ERP's words)."""
    try:
        return money.to_erp(money.amount(value, field=label), precision)
    except money.NotAnAmount as exc:
        problems.append(str(exc))
        return Decimal(0)


# -- payment applications --------------------------------------------------------------------


@dataclass(frozen=True)
class PayAppLine:
    """One line of a pay application as the ERP keeps it; ``amount`` is what it bills this
    period (work completed and materials stored)."""

    procore_id: int | None
    position: int
    description: str
    contract_line_ref: str
    scheduled_value: Decimal
    previously_completed: Decimal
    completed_this_period: Decimal
    materials_stored: Decimal
    completed_to_date: Decimal
    retainage: Decimal
    amount: Decimal

    @property
    def label(self) -> str:
        """How a message names the line: ``Line 2 'Roofing'``."""
        return (
            f"Line {self.position} '{self.description}'"
            if self.description
            else (f"Line {self.position}")
        )

    def values(self) -> dict[str, Any]:
        """The line as the ERP's columns take it (blank text as NULL)."""
        return {key: value if value != "" else None for key, value in asdict(self).items()}


def pay_app_number(pay_app: dict[str, Any]) -> str:
    summary = as_dict(pay_app.get("summary"))
    return text(pay_app.get("invoice_number")) or text(summary.get("application_number"))


def pay_app_project(pay_app: dict[str, Any]) -> tuple[str, str]:
    """Procore's project number (the ERP job code of a synced project) and project name: all
    the payload says of the job."""
    summary = as_dict(pay_app.get("summary"))
    name = text(summary.get("project_name")) or text(summary.get("contract_for"))
    return text(summary.get("project_number")), name


def pay_app_job_unknown(pay_app: dict[str, Any]) -> str:
    summary = as_dict(pay_app.get("summary"))
    named = (text(summary.get("project_number")), text(summary.get("project_name")))
    project = " ".join(filter(None, named))
    return (
        f"Job '{project or '(none)'}' is not in the ERP; export the project first (its project "
        "number must be the ERP job code)."
    )


def pay_app_line_label(item: dict[str, Any], index: int) -> str:
    number = as_int(item.get("item_number")) or index
    description = text(item.get("description_override")) or text(item.get("description_of_work"))
    return f"Line {number} '{description}'" if description else f"Line {number}"


def pay_app_lines(pay_app: dict[str, Any]) -> tuple[list[PayAppLine], list[str]]:
    """Every line as the ERP keeps it, and every line's problem named by its line."""
    items = [as_dict(item) for item in pay_app.get("items") or []]
    problems: list[str] = []
    if not items:
        problems.append("The payment application has no line items; the ERP needs at least one.")
    lines = []
    for index, item in enumerate(items, start=1):
        label = pay_app_line_label(item, index)
        values = {
            key: read_amount(item.get(key), f"{label} {words}", problems)
            for key, words in PAY_APP_AMOUNTS.items()
        }
        this_period = values["work_completed_this_period"] + values["materials_presently_stored"]
        to_date = values["total_completed_and_stored_to_date"] or (
            values["work_completed_from_previous_application"] + this_period
        )
        scheduled = values["scheduled_value"]
        if scheduled >= 0 and to_date > scheduled:
            problems.append(
                f"{label}: billed to date {money.shown(to_date)} is more than its scheduled value "
                f"{money.shown(scheduled)}; the ERP refuses over-billing."
            )
        lines.append(
            PayAppLine(
                procore_id=as_int(item.get("id")),
                position=as_int(item.get("item_number")) or index,
                description=text(item.get("description_override"))
                or text(item.get("description_of_work")),
                contract_line_ref=text(item.get("origin_id")),
                scheduled_value=scheduled,
                previously_completed=values["work_completed_from_previous_application"],
                completed_this_period=values["work_completed_this_period"],
                materials_stored=values["materials_presently_stored"],
                completed_to_date=to_date,
                retainage=values["work_completed_retainage_retained_this_period"]
                + values["materials_stored_retainage_retained_this_period"],
                amount=this_period,
            )
        )
    return lines, problems


# -- company-level direct costs --------------------------------------------------------------


def direct_cost_kind(direct_cost: dict[str, Any], problems: list[str]) -> str:
    kind = text(direct_cost.get("direct_cost_type")).lower() or "invoice"
    if kind not in DIRECT_COST_KINDS:
        problems.append(
            f"Direct cost type '{text(direct_cost.get('direct_cost_type'))}' is not one the ERP "
            "knows (invoice, expense, payroll, subcontractor invoice)."
        )
    return kind


def vendor_name(vendor: dict[str, Any]) -> str:
    return text(vendor.get("name")) or text(vendor.get("company")) or "(unnamed)"


def direct_cost_vendor_problem(
    direct_cost: dict[str, Any], kind: str, *, found: bool
) -> str | None:
    """The vendor named must be in the ERP; an invoice must name one."""
    vendor = as_dict(direct_cost.get("vendor"))
    if vendor and not found:
        return f"Vendor '{vendor_name(vendor)}' is not in the ERP; export the vendor first."
    if not vendor and kind in NEEDS_VENDOR:
        return "The invoice has no vendor; the ERP requires one."
    return None


def direct_cost_line_label(line: dict[str, Any], index: int) -> str:
    return f"Line {as_int(line.get('position')) or index}"


def direct_cost_total_problem(stated: Any, amounts: list[Decimal]) -> str | None:
    """The lines, each as the ERP keeps it, must add up to the total Procore shows."""
    if stated in (None, ""):
        return None
    problems: list[str] = []
    expected = read_amount(stated, "The direct cost's total", problems)
    if problems:
        return problems[0]
    booked = money.total(amounts)
    if booked == expected:
        return None
    return (
        f"The lines add up to {money.shown(booked)} but the direct cost's total is "
        f"{money.shown(expected)}; the ERP needs them to agree."
    )


# -- both --------------------------------------------------------------------------------------


def void_refusal(label: str, noun: str) -> str:
    """An export of a Procore document whose ERP copy is void: never brought back."""
    return (
        f"{label[:1].upper()}{label[1:]} is void in the ERP, and a void {noun} cannot be brought "
        "back. Unlink it in Procore, then export it again to enter a new one."
    )


def procore_status(value: Any) -> str:
    """A document approved in Procore is posted approved; anything else is entered open."""
    return "Approved" if text(value).lower() == "approved" else "Open"
