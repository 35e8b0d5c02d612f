"""The demo ERP's requisitions (subcontractor invoices) and the payments made against them.

A requisition bills a commitment, line by line; the ERP refuses a line that bills more than
remains on the commitment line (or change order line) it bills, counting every requisition that
is not void, and a requisition that bills more than remains on the whole commitment. A
requisition is written with all its lines in one transaction, under a lock on its commitment, so
two requisitions exported at once cannot together over-bill, and a refused line leaves nothing.

Payments are recorded against a requisition: by the ERP's accountant (``payment_record``; synced
to Procore as invoice payments) or exported from Procore (``create_contract_payment``). A
requisition cannot be paid more than its unpaid balance.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from erp_adapters import money
from erp_adapters.base import (
    INVOICE_TYPE_REQUISITION,
    REQUISITION_ITEM_TYPES,
    ConstraintViolation,
    ContractPaymentExport,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ExternalLink,
    ProcoreRequisition,
)
from erp_adapters.demo.checks import as_dict, as_int, parse_guid, text
from erp_adapters.demo.entity import DemoEntity
from erp_adapters.demo.models import (
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoPayment,
    DemoRequisition,
    DemoRequisitionLine,
    RequisitionItemKind,
)
from erp_adapters.requisition_rules import (
    billing_date,
    change_order_line_missing,
    commitment_line_missing,
    over_billed,
    payment_date,
    payment_number,
    payment_refused,
    read_line,
)

ITEM_KINDS = {
    "Billings::ContractItem": RequisitionItemKind.CONTRACT,
    "Billings::ContractDetailItem": RequisitionItemKind.DETAIL,
    "Billings::ChangeOrderItem": RequisitionItemKind.CHANGE_ORDER,
}
ITEM_TYPE_OF_KIND = {kind: REQUISITION_ITEM_TYPES[name] for name, kind in ITEM_KINDS.items()}


def _live(prefix: str = "") -> Q:
    """Requisition lines that count as billed: those of requisitions that are not void."""
    return ~Q(**{f"{prefix}requisition__status__iexact": "void"})


def billed_on(*, commitment_line=None, change_order_line=None, exclude_requisition=None) -> Decimal:
    """What requisitions that are not void have billed so far on one commitment line (contract
    and detail items) or change order line."""
    lines = DemoRequisitionLine.objects.filter(_live())
    if commitment_line is not None:
        lines = lines.filter(commitment_line=commitment_line)
    else:
        lines = lines.filter(change_order_line=change_order_line)
    if exclude_requisition is not None:
        lines = lines.exclude(requisition=exclude_requisition)
    return lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def commitment_value(commitment: DemoCommitment) -> Decimal:
    """A commitment's revised value: its lines plus the lines of change orders not void."""
    lines = commitment.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    changes = DemoChangeOrderLine.objects.filter(change_order__commitment=commitment).exclude(
        change_order__status__iexact="void"
    )
    return lines + (changes.aggregate(total=Sum("amount"))["total"] or Decimal(0))


def commitment_billed(commitment: DemoCommitment) -> Decimal:
    lines = DemoRequisitionLine.objects.filter(_live(), requisition__commitment=commitment)
    return lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def requisition_total(requisition: DemoRequisition) -> Decimal:
    return requisition.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)


def requisition_paid(
    requisition: DemoRequisition, *, exclude: DemoPayment | None = None
) -> Decimal:
    payments = requisition.payments.exclude(status__iexact="void")
    if exclude is not None:
        payments = payments.exclude(pk=exclude.pk)
    return payments.aggregate(total=Sum("amount"))["total"] or Decimal(0)


@dataclass
class _Line:
    """One checked payload line, ready to write."""

    procore_id: int | None
    kind: str
    position: int
    description: str
    amount: Decimal
    retainage: Decimal
    commitment_line: DemoCommitmentLine | None = None
    change_order_line: DemoChangeOrderLine | None = None


def _commitment_label(commitment: DemoCommitment) -> str:
    return f"commitment {commitment.number}"


class Requisitions(DemoEntity):
    """Requisitions with their lines (``create_requisitions``, one requisition at a time)."""

    entity = Entity.REQUISITIONS
    model = DemoRequisition
    what = "requisition"

    def header(self, payload: Any) -> dict[str, Any]:
        requisition = as_dict(payload)
        return {"id": requisition.get("procore_requisition_id")}

    def list(self) -> Iterator[Any]:
        return iter(())

    def find_commitment(self, requisition: dict[str, Any]) -> DemoCommitment | None:
        guid = parse_guid(requisition.get("contract_origin_id"))
        found = None
        if guid is not None:
            found = DemoCommitment.objects.filter(tenant=self.tenant, guid=guid).first()
        contract_id = as_int(requisition.get("contract_id"))
        if found is None and contract_id is not None:
            found = DemoCommitment.objects.filter(
                tenant=self.tenant, procore_id=contract_id
            ).first()
        return found

    def rules(self, payload: ProcoreRequisition) -> list[str]:
        problems, _commitment, _lines = self._checked(as_dict(payload))
        return problems

    def _checked(
        self, requisition: dict[str, Any]
    ) -> tuple[list[str], DemoCommitment | None, list[_Line]]:
        """Every problem of the requisition, each line named; and the lines, when there are
        none."""
        problems: list[str] = []
        number = text(requisition.get("invoice_number")) or text(requisition.get("code"))
        if not number:
            problems.append("The invoice has no number; the ERP files invoices by number.")
        commitment = self.find_commitment(requisition)
        if commitment is None:
            problems.append(
                f"The commitment this invoice bills (Procore contract "
                f"{requisition.get('contract_id')}) is not in the ERP; export the commitment "
                "first, then this invoice."
            )
            return problems, None, []
        if commitment.status.strip().lower() == "void":
            problems.append(
                f"Commitment {commitment.number} is void in the ERP; an invoice cannot bill it."
            )
        items = [as_dict(item) for item in requisition.get("line_items") or []]
        if not items:
            problems.append("The invoice has no line items; the ERP needs at least one.")
        lines: list[_Line] = []
        billed_here: dict[tuple[str, int], Decimal] = {}
        for n, item in enumerate(items, start=1):
            line = self._check_line(problems, commitment, n, item, billed_here)
            if line is not None:
                lines.append(line)
        if not problems:
            self._check_commitment_total(problems, commitment, lines)
        return problems, commitment, lines

    def _check_line(
        self,
        problems: list[str],
        commitment: DemoCommitment,
        n: int,
        item: dict[str, Any],
        billed_here: dict[tuple[str, int], Decimal],
    ) -> _Line | None:
        read = read_line(problems, n, item)
        if read is None:
            return None
        label, item_type, amount, retainage = read
        kind = ITEM_KINDS[item_type]
        line = _Line(
            procore_id=as_int(item.get("procore_requisition_item_id")),
            kind=kind,
            position=n,
            description=text(item.get("description") or item.get("line_item_description"))[:60],
            amount=amount,
            retainage=retainage,
        )
        if kind == RequisitionItemKind.CHANGE_ORDER:
            target = self._change_order_line(
                commitment, item.get("change_order_line_item_origin_id")
            )
            if target is None:
                problems.append(change_order_line_missing(label, commitment.number))
                return None
            line.change_order_line = target
            key = ("change_order", target.pk)
            what = f"change order {target.change_order.number} line {target.position}"
        else:
            target = self._commitment_line(commitment, item.get("commitment_item_origin_id"))
            if target is None:
                problems.append(commitment_line_missing(label, commitment.number))
                return None
            line.commitment_line = target
            key = ("commitment", target.pk)
            what = f"line {target.position} of {_commitment_label(commitment)}"
        already = billed_here.get(key)
        if already is None:
            if line.commitment_line is not None:
                already = billed_on(commitment_line=target)
            else:
                already = billed_on(change_order_line=target)
        problems += over_billed(label, amount, what, target.amount, already)
        billed_here[key] = already + amount
        return line

    def _commitment_line(self, commitment: DemoCommitment, origin_id: Any):
        guid = parse_guid(origin_id)
        if guid is None:
            return None
        return commitment.lines.filter(guid=guid).first()

    def _change_order_line(self, commitment: DemoCommitment, origin_id: Any):
        guid = parse_guid(origin_id)
        if guid is None:
            return None
        return (
            DemoChangeOrderLine.objects.filter(guid=guid, change_order__commitment=commitment)
            .exclude(change_order__status__iexact="void")
            .select_related("change_order")
            .first()
        )

    def _check_commitment_total(
        self, problems: list[str], commitment: DemoCommitment, lines: list[_Line]
    ) -> None:
        value = commitment_value(commitment)
        remaining = value - commitment_billed(commitment)
        billed = money.total(line.amount for line in lines)
        if billed > remaining:
            problems.append(
                f"The invoice bills {money.shown(billed)}, but only {money.shown(remaining)} "
                f"remains on {_commitment_label(commitment)} (revised value "
                f"{money.shown(value)})."
            )

    def create(self, payload: ProcoreRequisition) -> CreateResult:
        requisition = as_dict(payload)
        with self.reachable():
            procore_id = self.require_procore_id(
                requisition.get("procore_requisition_id"), "requisition"
            )
            row = self.existing(procore_id)
            if row is not None:
                return self.result(row, created=False)
            try:
                with transaction.atomic():
                    commitment = self.find_commitment(requisition)
                    if commitment is not None:
                        # Serialise requisitions of one commitment: the over-billing check and
                        # the insert see the same billed amounts.
                        DemoCommitment.objects.select_for_update().filter(pk=commitment.pk).get()
                    row = self.existing(procore_id)
                    if row is not None:
                        return self.result(row, created=False)
                    problems, commitment, lines = self._checked(requisition)
                    if problems:
                        raise ConstraintViolation(problems)
                    row = self._write(requisition, procore_id, commitment, lines)
            except IntegrityError:
                winner = self.existing(procore_id)
                if winner is None:
                    raise ConstraintViolation(
                        [
                            "The ERP refused the invoice: one of its lines was already filed on "
                            "another invoice. Export it again."
                        ]
                    ) from None
                return self.result(winner, created=False)
            return self.result(row, created=True)

    def _write(
        self,
        requisition: dict[str, Any],
        procore_id: int,
        commitment: DemoCommitment,
        lines: list[_Line],
    ) -> DemoRequisition:
        header = DemoRequisition.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            commitment=commitment,
            number=(text(requisition.get("invoice_number")) or text(requisition.get("code")))[:30],
            billing_date=billing_date(requisition.get("billing_date")),
        )
        DemoRequisitionLine.objects.bulk_create(
            DemoRequisitionLine(
                tenant=self.tenant,
                requisition=header,
                procore_id=line.procore_id,
                kind=line.kind,
                position=line.position,
                description=line.description,
                commitment_line=line.commitment_line,
                change_order_line=line.change_order_line,
                amount=line.amount,
                retainage=line.retainage,
            )
            for line in lines
        )
        return header

    def result(self, row: DemoRequisition, *, created: bool) -> CreateResult:
        header = ExternalLink("requisition", row.procore_id, str(row.guid))
        lines = tuple(
            ExternalLink(ITEM_TYPE_OF_KIND[line.kind], line.procore_id, str(line.guid))
            for line in row.lines.order_by("position", "id")
            if line.procore_id is not None
        )
        return CreateResult(str(row.guid), row.number, created, (header, *lines))


def payment_problems(
    requisition: DemoRequisition, amount: Decimal, *, exclude: DemoPayment | None = None
) -> list[str]:
    """Why the ERP refuses to pay ``amount`` on the requisition."""
    if requisition.void or amount <= 0:
        return payment_refused(requisition.number, requisition.void, amount, None)
    unpaid = requisition_total(requisition) - requisition_paid(requisition, exclude=exclude)
    return payment_refused(requisition.number, requisition.void, amount, unpaid)


def payment_record(
    *,
    requisition: DemoRequisition,
    amount: Decimal,
    paid_on: datetime.date,
    check_number: str = "",
    method: str = "check",
    number: str = "",
) -> DemoPayment:
    """The ERP's accountant records a payment against a requisition (the demo's own
    bookkeeping; Procore learns of it through ``sync_contract_payments``)."""
    amount = money.to_erp(amount)
    with transaction.atomic():
        DemoRequisition.objects.select_for_update().filter(pk=requisition.pk).get()
        problems = payment_problems(requisition, amount)
        if problems:
            raise ConstraintViolation(problems)
        count = DemoPayment.objects.filter(tenant=requisition.tenant).count()
        return DemoPayment.objects.create(
            tenant=requisition.tenant,
            requisition=requisition,
            number=number or f"PAY-{count + 1:05d}",
            amount=amount,
            paid_on=paid_on,
            check_number=check_number,
            method=method,
        )


class ContractPayments(DemoEntity):
    """Payments against requisitions (``create_contract_payment``, ``sync_contract_payments``,
    ``reset_payment``)."""

    entity = Entity.CONTRACT_PAYMENTS
    model = DemoPayment
    payload_key = "contract_payment"
    what = "payment"

    def _requisition(self, payment: dict[str, Any]) -> DemoRequisition | None:
        requisition_id = as_int(payment.get("requisition_id"))
        if requisition_id is None:
            return None
        return DemoRequisition.objects.filter(tenant=self.tenant, procore_id=requisition_id).first()

    def _amount(self, payment: dict[str, Any]) -> Decimal:
        return money.to_erp(money.amount(payment.get("amount"), field="The payment amount"))

    def rules(self, payload: ContractPaymentExport) -> list[str]:
        payment = self.header(payload)
        requisition = self._requisition(payment)
        if requisition is None:
            return [
                f"The subcontractor invoice this payment pays (Procore requisition "
                f"{payment.get('requisition_id')}) is not in the ERP; export the invoice first, "
                "then this payment."
            ]
        try:
            amount = self._amount(payment)
        except money.NotAnAmount as exc:
            return [str(exc)]
        return payment_problems(requisition, amount)

    def create(self, payload: ContractPaymentExport) -> CreateResult:
        with self.reachable():
            payment = self.header(payload)
            procore_id = self.require_procore_id(payment.get("id"), self.what)
            row = self.existing(procore_id)
            if row is not None:
                return self.result(row, created=False)
            requisition = self._requisition(payment)
            try:
                with transaction.atomic():
                    if requisition is not None:
                        DemoRequisition.objects.select_for_update().filter(pk=requisition.pk).get()
                    row = self.existing(procore_id)
                    if row is not None:
                        return self.result(row, created=False)
                    problems = self.rules(payload)
                    if problems:
                        raise ConstraintViolation(problems)
                    row = DemoPayment.objects.create(
                        tenant=self.tenant,
                        procore_id=procore_id,
                        requisition=requisition,
                        number=payment_number(procore_id),
                        amount=self._amount(payment),
                        paid_on=payment_date(payment),
                        check_number=text(payment.get("check_number"))[:20],
                        method=text(payment.get("payment_method"))[:20],
                    )
            except IntegrityError:
                winner = self.existing(procore_id)
                if winner is None:
                    raise
                return self.result(winner, created=False)
            return self.result(row, created=True)

    def result(self, row: DemoPayment, *, created: bool) -> CreateResult:
        links = (ExternalLink("contract_payment", row.procore_id, str(row.guid)),)
        return CreateResult(str(row.guid), row.number, created, links)

    lister = staticmethod(lambda tenant, page_size: list_invoice_payments(tenant, page_size))

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        with self.reachable():
            guid = parse_guid(as_dict(ref).get("origin_id"))
            row = (
                DemoPayment.objects.filter(tenant=self.tenant, guid=guid).first()
                if guid is not None
                else None
            )
            if row is None:
                return DocumentStanding(DocumentState.GONE, "The payment")
            state = DocumentState.VOID if row.void else DocumentState.OPEN
            return DocumentStanding(state, f"Payment {row.number}")


def list_invoice_payments(tenant: str, page_size: int) -> Iterator[ERPObject]:
    """The payments the accountant recorded on invoices exported from Procore, a page at a
    time by id (no cursor held between pages), as ``invoice_payments/sync`` items."""
    last = 0
    while True:
        page = list(
            DemoPayment.objects.filter(
                tenant=tenant,
                id__gt=last,
                procore_id__isnull=True,
                requisition__procore_id__isnull=False,
            )
            .exclude(status__iexact="void")
            .exclude(requisition__status__iexact="void")
            .select_related("requisition")
            .order_by("id")[:page_size]
        )
        for row in page:
            yield ERPObject(
                item_type="invoice_payment",
                origin_id=str(row.guid),
                origin_code=row.number,
                data={
                    "invoice_type": INVOICE_TYPE_REQUISITION,
                    "invoice_id": int(row.requisition.procore_id),
                    "amount": money.as_text(row.amount),
                    "payment_date": row.paid_on.isoformat(),
                    "check_number": row.check_number,
                    "payment_method": row.method,
                },
            )
        if len(page) < page_size:
            return
        last = page[-1].id
