"""A requisition's and a payment's checks, for the adapters that keep no books of their own
(``sql``, ``files``): each reads what its ERP holds into a ``CommitmentBilling`` (or a
``RequisitionBalance``) and asks here, so both refuse an export in the same words as the demo
ERP (``demo/requisitions.py``), and the engine cannot tell them apart.

The rules: an invoice names its number and bills a commitment the ERP holds that is not void;
each line bills a line of that commitment (contract and detail items) or of one of its change
orders that is not void (change order items), and never more than remains on it counting every
invoice that is not void; the whole invoice never bills more than remains on the commitment's
revised value. A payment pays an invoice the ERP holds, not void, more than zero and never more
than its unpaid balance. Amounts are read and rounded through ``money`` only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from erp_adapters import money
from erp_adapters.base import REQUISITION_ITEM_TYPES
from erp_adapters.payload import as_int, text

CHANGE_ORDER_ITEM = "Billings::ChangeOrderItem"


@dataclass(frozen=True)
class BillableLine:
    """A commitment line or change order line an invoice line may bill: its amount, what
    invoices that are not void have billed on it already, and how an accountant names it."""

    origin_id: str
    amount: Decimal
    billed: Decimal
    label: str


@dataclass(frozen=True)
class CommitmentBilling:
    """What the ERP holds of the commitment an invoice bills."""

    origin_id: str
    number: str
    void: bool
    lines: Mapping[str, BillableLine]
    change_order_lines: Mapping[str, BillableLine]
    # Revised value (lines plus change order lines not void) and what invoices not void billed.
    value: Decimal
    billed: Decimal


@dataclass
class RequisitionLine:
    """One checked line of an invoice, ready to write."""

    procore_id: int | None
    item_type: str  # Procore's requisition_item_type (Billings::ContractItem, ...)
    position: int
    description: str
    amount: Decimal
    retainage: Decimal
    commitment_line_origin_id: str | None = None
    change_order_line_origin_id: str | None = None

    @property
    def link_type(self) -> str:
        """The External Data item type of the line (``requisition_contract_item``, ...)."""
        return REQUISITION_ITEM_TYPES[self.item_type]


@dataclass
class CheckedRequisition:
    number: str
    billing_date: date | None
    lines: list[RequisitionLine] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def requisition_number(requisition: Mapping[str, Any]) -> str:
    return text(requisition.get("invoice_number")) or text(requisition.get("code"))


def billing_date(value: Any) -> date | None:
    raw = text(value)[:10]
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def line_label(n: int, item: Mapping[str, Any]) -> str:
    description = text(item.get("description")) or text(item.get("line_item_description"))
    return f"Line {n} ({description})" if description else f"Line {n}"


def commitment_missing(requisition: Mapping[str, Any]) -> str:
    return (
        f"The commitment this invoice bills (Procore contract {requisition.get('contract_id')}) "
        "is not in the ERP; export the commitment first, then this invoice."
    )


def check_requisition(
    requisition: Mapping[str, Any], commitment: CommitmentBilling | None
) -> CheckedRequisition:
    """Every problem of the invoice, each line named; the lines as the ERP writes them. The
    lines are given even when there are problems (a re-delivered invoice's links need them)."""
    checked = CheckedRequisition(
        requisition_number(requisition), billing_date(requisition.get("billing_date"))
    )
    problems = checked.problems
    if not checked.number:
        problems.append("The invoice has no number; the ERP files invoices by number.")
    items = [
        item if isinstance(item, Mapping) else {} for item in requisition.get("line_items") or []
    ]
    if commitment is None:
        problems.append(commitment_missing(requisition))
    elif commitment.void:
        problems.append(
            f"Commitment {commitment.number} is void in the ERP; an invoice cannot bill it."
        )
    if not items:
        problems.append("The invoice has no line items; the ERP needs at least one.")
    billed_here: dict[str, Decimal] = {}
    for n, item in enumerate(items, start=1):
        line = _check_line(problems, commitment, n, item, billed_here)
        if line is not None:
            checked.lines.append(line)
    if not problems and commitment is not None:
        remaining = commitment.value - commitment.billed
        billed = money.total(line.amount for line in checked.lines)
        if billed > remaining:
            problems.append(
                f"The invoice bills {money.shown(billed)}, but only {money.shown(remaining)} "
                f"remains on commitment {commitment.number} (revised value "
                f"{money.shown(commitment.value)})."
            )
    return checked


# -- the rules of one line, shared with the demo ERP (``demo/requisitions.py``) ----------------


def change_order_line_missing(label: str, commitment_number: str) -> str:
    return (
        f"{label}: the change order line it bills is not a line of a change order of "
        f"commitment {commitment_number} in the ERP; export the change order first."
    )


def commitment_line_missing(label: str, commitment_number: str) -> str:
    return (
        f"{label}: the commitment line it bills is not a line of commitment "
        f"{commitment_number} in the ERP."
    )


def read_line(
    problems: list[str], n: int, item: Mapping[str, Any]
) -> tuple[str, str, Decimal, Decimal] | None:
    """Line ``n``'s label, item type, amount and retainage this period as the ERP keeps them;
    None (and the problem) for an item type the ERP does not know or an amount that is not one.
    A retainage outside 0..amount is a problem, not a None."""
    label = line_label(n, item)
    item_type = text(item.get("requisition_item_type"))
    if item_type not in REQUISITION_ITEM_TYPES:
        problems.append(
            f"{label}: the ERP does not know the item type {item.get('requisition_item_type')!r}."
        )
        return None
    try:
        amount = money.to_erp(money.amount(item.get("amount"), field=f"{label}: the amount"))
        retainage = money.to_erp(
            money.amount(
                item.get("retainage_this_period"), field=f"{label}: the retainage this period"
            )
        )
    except money.NotAnAmount as exc:
        problems.append(str(exc))
        return None
    if amount >= 0 and not Decimal(0) <= retainage <= amount:
        problems.append(
            f"{label}: retainage of {money.shown(retainage)} is more than the "
            f"{money.shown(amount)} billed."
        )
    return label, item_type, amount, retainage


def over_billed(
    label: str, amount: Decimal, what: str, value: Decimal, already: Decimal
) -> list[str]:
    """The over-billing problem of a line billing ``amount`` on ``what`` (worth ``value``, of
    which ``already`` is billed by invoices that are not void), if any."""
    remaining = value - already
    if amount <= remaining:
        return []
    return [
        f"{label} bills {money.shown(amount)}, but only {money.shown(remaining)} remains on "
        f"{what} ({money.shown(value)}, of which {money.shown(already)} is "
        "already billed): the ERP does not over-bill a commitment."
    ]


def payment_refused(number: str, void: bool, amount: Decimal, unpaid: Decimal | None) -> list[str]:
    """Why the ERP refuses to pay ``amount`` on invoice ``number`` (``unpaid`` None: the ERP
    does not say what is unpaid, so only void and non-positive payments are refused)."""
    if void:
        return [f"Invoice {number} is void in the ERP; it cannot be paid."]
    if amount <= 0:
        return [f"A payment must be more than zero (this one is {money.shown(amount)})."]
    if unpaid is not None and amount > unpaid:
        return [
            f"The payment of {money.shown(amount)} is more than the {money.shown(unpaid)} unpaid "
            f"on invoice {number}."
        ]
    return []


def _check_line(
    problems: list[str],
    commitment: CommitmentBilling | None,
    n: int,
    item: Mapping[str, Any],
    billed_here: dict[str, Decimal],
) -> RequisitionLine | None:
    read = read_line(problems, n, item)
    if read is None:
        return None
    label, item_type, amount, retainage = read
    line = RequisitionLine(
        procore_id=as_int(item.get("procore_requisition_item_id")),
        item_type=item_type,
        position=n,
        description=(text(item.get("description")) or text(item.get("line_item_description")))[:60],
        amount=amount,
        retainage=retainage,
    )
    if commitment is None:
        return line
    if item_type == CHANGE_ORDER_ITEM:
        origin_id = text(item.get("change_order_line_item_origin_id"))
        target = commitment.change_order_lines.get(origin_id)
        if target is None:
            problems.append(change_order_line_missing(label, commitment.number))
            return line
        line.change_order_line_origin_id = origin_id
    else:
        origin_id = text(item.get("commitment_item_origin_id"))
        target = commitment.lines.get(origin_id)
        if target is None:
            problems.append(commitment_line_missing(label, commitment.number))
            return line
        line.commitment_line_origin_id = origin_id
    already = billed_here.get(origin_id, target.billed)
    problems += over_billed(label, amount, target.label, target.amount, already)
    billed_here[origin_id] = already + amount
    return line


def sum_by(rows: Iterable[tuple[str | None, Decimal]]) -> dict[str, Decimal]:
    """Amounts added up per key (what is billed per line, paid per invoice); None keys skipped."""
    out: dict[str, Decimal] = {}
    for key, value in rows:
        if key:
            out[key] = out.get(key, Decimal(0)) + value
    return out


# -- payments -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequisitionBalance:
    """An invoice as the ERP holds it, for a payment against it. ``total`` is None when the
    ERP's books do not show its lines yet (a file exchange that acknowledged the invoice but has
    not exported it since): the amount is then left to the ERP's importer."""

    origin_id: str
    number: str
    void: bool
    total: Decimal | None
    paid: Decimal


def payment_number(procore_id: int) -> str:
    """The ERP's number of a payment recorded from Procore (every ERP's words)."""
    return f"PC-{procore_id}"[:20]


def payment_date(payment: Mapping[str, Any]) -> date:
    """When the payment was made: settled, funded or created (Procore's zero date skipped)."""
    for key in ("date_payment_settled", "date_payment_funded", "date_payment_created"):
        found = billing_date(payment.get(key))
        if found is not None and found.year > 1970:
            return found
    return billing_date(payment.get("invoice_date")) or date.today()


def requisition_missing(payment: Mapping[str, Any]) -> str:
    return (
        f"The subcontractor invoice this payment pays (Procore requisition "
        f"{payment.get('requisition_id')}) is not in the ERP; export the invoice first, then "
        "this payment."
    )


def check_payment(
    payment: Mapping[str, Any], requisition: RequisitionBalance | None
) -> tuple[list[str], Decimal | None]:
    """Why the ERP refuses the payment, and its amount as the ERP keeps it."""
    if requisition is None:
        return [requisition_missing(payment)], None
    try:
        amount = money.to_erp(money.amount(payment.get("amount"), field="The payment amount"))
    except money.NotAnAmount as exc:
        return [str(exc)], None
    unpaid = None if requisition.total is None else requisition.total - requisition.paid
    return payment_refused(requisition.number, requisition.void, amount, unpaid), amount
