"""Requisitions (subcontractor invoices) and contract payments through a file exchange.

Export: an invoice goes to the outbox as one file, one row per line (``requisitions-<Procore
id>-<detail>-<n>.csv``), a payment as a one-row file; both wait (``ERPPending``) for the ERP's
acknowledgement like every export of this adapter. Before an invoice is handed over, what the
ERP's own export files say of the commitment it bills is checked by
``erp_adapters.requisition_rules`` (the demo ERP's rules and words): the commitment's lines
(``commitments.csv``), its change orders' lines (``commitment_change_orders.csv``) and every
invoice line not void (``requisitions.csv``). Those files are the ERP's word as of its last
export: an invoice handed over but not yet in ``requisitions.csv`` is not counted, and the ERP's
importer stays the last judge (it answers ``failed`` with its reason).

Import: ``contract_payments.csv`` lists the ERP's payments; the live ones on invoices exported
from Procore are listed as ``invoice_payment`` objects, a bad row reported (file, line, column)
while the rest proceeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from erp_adapters import money
from erp_adapters.base import (
    INVOICE_TYPE_REQUISITION,
    REQUISITION_ITEM_TYPES,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
)
from erp_adapters.document_status import document_state, is_void
from erp_adapters.files.entity import FileEntity, _as_int
from erp_adapters.files.layouts import number_cell
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import Row
from erp_adapters.payload import as_dict, text
from erp_adapters.requisition_rules import (
    BillableLine,
    CommitmentBilling,
    RequisitionBalance,
    check_payment,
    check_requisition,
    payment_date,
    payment_number,
    requisition_missing,
    sum_by,
)


def requisition_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The outbox file of one invoice: its header repeated on each line's row."""
    head = {
        "procore_id": text(payload.get("procore_requisition_id")),
        "number": text(payload.get("invoice_number")) or text(payload.get("code")),
        "status": "Approved",
        "commitment_erp_id": text(payload.get("contract_origin_id")),
        "commitment_procore_id": text(payload.get("contract_id")),
        "billing_date": text(payload.get("billing_date"))[:10],
    }
    rows = []
    for n, item in enumerate(filter(None, map(as_dict, payload.get("line_items") or [])), start=1):
        rows.append(
            {
                **head,
                "line_procore_id": text(item.get("procore_requisition_item_id")),
                "line_position": str(n),
                "line_item_type": text(item.get("requisition_item_type")),
                "line_description": text(item.get("description"))[:60],
                "line_amount": number_cell(item.get("amount")),
                "line_retainage": number_cell(item.get("retainage_this_period")),
                "line_commitment_line_erp_id": text(item.get("commitment_item_origin_id")),
                "line_change_order_line_erp_id": text(item.get("change_order_line_item_origin_id")),
            }
        )
    return rows


def payment_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The outbox file of one payment (``requisition_erp_id`` resolved by ``create``)."""
    payment = as_dict(payload.get("contract_payment"))
    procore_id = _as_int(payment.get("id")) or 0
    return [
        {
            "procore_id": text(payment.get("id")),
            "number": payment_number(procore_id),
            "requisition_erp_id": text(payload.get(REQUISITION_ERP_ID)),
            "requisition_procore_id": text(payment.get("requisition_id")),
            "amount": number_cell(payment.get("amount")),
            "payment_date": payment_date(payment).isoformat(),
            "check_number": text(payment.get("check_number")),
            "payment_method": text(payment.get("payment_method")),
            "status": "Posted",
        }
    ]


# Where ``create`` puts the invoice's ERP id in the payload it writes (never a Procore key).
REQUISITION_ERP_ID = "_requisition_erp_id"


def _rows(entity_adapter: FileEntity, entity: Entity) -> Iterator[dict[str, Any]]:
    """The values of every row of an import file that reads cleanly (a bad row is the
    listing's to report)."""
    for item in entity_adapter.adapter.reader(entity).rows():
        if isinstance(item, Row):
            yield item.values


def _answered_erp_id(entity_adapter: FileEntity, entity: Entity, procore_id: int | None) -> str:
    """The ERP id the ERP acknowledged an export of this Procore id with ('' when none)."""
    if procore_id is None:
        return ""
    answered = (
        FileExport.objects.filter(
            outbox=entity_adapter.adapter.outbox_key,
            entity=entity,
            procore_id=procore_id,
            state=FileExport.State.SUCCESS,
        )
        .order_by("-id")
        .first()
    )
    return answered.erp_id if answered is not None else ""


class Requisitions(FileEntity):
    """``create_requisitions``, one invoice (one outbox file) at a time."""

    entity = Entity.REQUISITIONS
    item_type = "requisition"
    what = "invoice"
    export_rows = staticmethod(requisition_export_rows)

    def header(self, payload: Any) -> dict[str, Any]:
        requisition = as_dict(payload)
        return {**requisition, "id": requisition.get("procore_requisition_id")}

    def list(self) -> Iterator[ERPObject]:
        """Invoices come from Procore; nothing of them is imported back."""
        return iter(())

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        """The invoice, and each line under its own item type (``line:<n>``: the n-th of the
        line ids the ERP answers with)."""
        links: list[list[Any]] = [[self.item_type, procore_id, ""]]
        items = [item for item in map(as_dict, payload.get("line_items") or []) if item]
        for index, item in enumerate(items):
            item_id = _as_int(item.get("procore_requisition_item_id"))
            item_type = REQUISITION_ITEM_TYPES.get(text(item.get("requisition_item_type")))
            if item_id is not None and item_type is not None:
                links.append([item_type, item_id, f"line:{index}"])
        return links

    def commitment_erp_id(self, payload: dict[str, Any]) -> str:
        """The commitment by its ERP id, else by the ERP id its export was answered with."""
        return text(payload.get("contract_origin_id")) or _answered_erp_id(
            self, Entity.COMMITMENTS, _as_int(payload.get("contract_id"))
        )

    def billing(self, commitment_erp_id: str) -> CommitmentBilling | None:
        """What the ERP's export files hold of the commitment (None: not there)."""
        head: dict[str, Any] | None = None
        lines: list[tuple[str, Decimal, int]] = []
        for values in _rows(self, Entity.COMMITMENTS):
            if values["erp_id"] != commitment_erp_id:
                continue
            head = head or values
            if values["line_erp_id"] is not None and values["line_amount"] is not None:
                position = values["line_position"] or len(lines) + 1
                lines.append((values["line_erp_id"], values["line_amount"], position))
        if head is None:
            return None
        number = head["number"]
        change_lines: list[tuple[str, Decimal, str]] = []
        positions: dict[str, int] = {}
        for values in _rows(self, Entity.COMMITMENT_CHANGE_ORDERS):
            if values["commitment_erp_id"] != commitment_erp_id or is_void(values["status"]):
                continue
            if values["line_erp_id"] is None or values["line_amount"] is None:
                continue
            order = values["erp_id"]
            positions[order] = positions.get(order, 0) + 1
            position = values["line_position"] or positions[order]
            label = f"change order {values['number']} line {position}"
            change_lines.append((values["line_erp_id"], values["line_amount"], label))
        billed_rows = [
            (
                values["line_commitment_line_erp_id"] or values["line_change_order_line_erp_id"],
                values["line_amount"],
            )
            for values in _rows(self, Entity.REQUISITIONS)
            if values["commitment_erp_id"] == commitment_erp_id
            and not is_void(values["status"])
            and values["line_amount"] is not None
        ]
        billed = sum_by(billed_rows)
        commitment_lines = {
            line_id: BillableLine(
                line_id,
                amount,
                billed.get(line_id, Decimal(0)),
                f"line {position} of commitment {number}",
            )
            for line_id, amount, position in lines
        }
        co_lines = {
            line_id: BillableLine(line_id, amount, billed.get(line_id, Decimal(0)), label)
            for line_id, amount, label in change_lines
        }
        return CommitmentBilling(
            origin_id=commitment_erp_id,
            number=number,
            void=is_void(head["status"]),
            lines=commitment_lines,
            change_order_lines=co_lines,
            value=money.total(
                line.amount for line in (*commitment_lines.values(), *co_lines.values())
            ),
            billed=money.total(amount for _line, amount in billed_rows),
        )

    def rules(self, payload: dict[str, Any]) -> list[str]:
        commitment = self.commitment_erp_id(payload)
        billing = self.billing(commitment) if commitment else None
        return check_requisition(payload, billing).problems


class ContractPayments(FileEntity):
    """``create_contract_payment``, ``sync_contract_payments`` and ``reset_payment``."""

    entity = Entity.CONTRACT_PAYMENTS
    item_type = "contract_payment"
    what = "payment"
    payload_key = "contract_payment"
    export_rows = staticmethod(payment_export_rows)

    # -- export ------------------------------------------------------------------------------

    def requisition_erp_id(self, payment: dict[str, Any]) -> str:
        """The invoice's ERP id: as the ERP answered its export, else by the Procore id its
        row in requisitions.csv carries."""
        procore_id = _as_int(payment.get("requisition_id"))
        if procore_id is None:
            return ""
        answered = _answered_erp_id(self, Entity.REQUISITIONS, procore_id)
        if answered:
            return answered
        for values in _rows(self, Entity.REQUISITIONS):
            if values["procore_id"] == procore_id:
                return values["erp_id"]
        return ""

    def balance(self, erp_id: str) -> RequisitionBalance | None:
        """The invoice as requisitions.csv holds it, with what contract_payments.csv paid on
        it (None: not in the ERP's export yet)."""
        head: dict[str, Any] | None = None
        total = Decimal(0)
        for values in _rows(self, Entity.REQUISITIONS):
            if values["erp_id"] == erp_id:
                head = head or values
                total += values["line_amount"] or Decimal(0)
        if head is None:
            return None
        paid = money.total(
            values["amount"]
            for values in _rows(self, self.entity)
            if values["requisition_erp_id"] == erp_id and not is_void(values["status"])
        )
        return RequisitionBalance(erp_id, head["number"], is_void(head["status"]), total, paid)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        payment = self.header(payload)
        erp_id = text(payload.get(REQUISITION_ERP_ID)) or self.requisition_erp_id(payment)
        if not erp_id:
            return [requisition_missing(payment)]
        balance = self.balance(erp_id) or RequisitionBalance(
            erp_id, erp_id, False, None, Decimal(0)
        )
        return check_payment(payment, balance)[0]

    def create(self, payload: Any) -> CreateResult:
        """The file names the invoice by the ERP's id, resolved once here."""
        data = dict(as_dict(payload))
        data[REQUISITION_ERP_ID] = self.requisition_erp_id(self.header(data))
        return super().create(data)

    # -- import ------------------------------------------------------------------------------

    def list(self) -> Iterator[ERPObject]:
        """The ERP's live payments on invoices exported from Procore: not void, not exported
        from Procore (a ``procore_id``, or an ERP id one of its exports was answered with), on
        an invoice whose Procore id is known (requisitions.csv, or the answer to its export)."""
        outbox = self.adapter.outbox_key
        invoices = {
            export.erp_id: export.procore_id
            for export in FileExport.objects.filter(
                outbox=outbox, entity=Entity.REQUISITIONS, state=FileExport.State.SUCCESS
            ).only("erp_id", "procore_id")
        }
        for values in _rows(self, Entity.REQUISITIONS):
            if values["procore_id"] is not None:
                invoices.setdefault(values["erp_id"], values["procore_id"])
        from_procore = set(
            FileExport.objects.filter(
                outbox=outbox, entity=self.entity, state=FileExport.State.SUCCESS
            ).values_list("erp_id", flat=True)
        )
        for row in self.rows():
            values = row.values
            invoice = invoices.get(values["requisition_erp_id"])
            if (
                invoice is None
                or values["procore_id"] is not None
                or values["erp_id"] in from_procore
                or is_void(values["status"])
            ):
                continue
            yield ERPObject(
                "invoice_payment",
                values["erp_id"],
                values["number"],
                {
                    "invoice_type": INVOICE_TYPE_REQUISITION,
                    "invoice_id": int(invoice),
                    "amount": money.as_text(values["amount"]),
                    "payment_date": values["payment_date"].isoformat(),
                    "check_number": values["check_number"],
                    "payment_method": values["payment_method"],
                },
            )

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The payment by its ERP id in contract_payments.csv; acknowledged but not in the
        ERP's export yet: still live."""
        erp_id = text(as_dict(ref).get("origin_id"))
        if erp_id:
            for values in _rows(self, self.entity):
                if values["erp_id"] == erp_id:
                    return DocumentStanding(
                        document_state(values["status"]), f"Payment {values['number']}"
                    )
            answered = FileExport.objects.filter(
                outbox=self.adapter.outbox_key,
                entity=self.entity,
                erp_id=erp_id,
                state=FileExport.State.SUCCESS,
            ).first()
            if answered is not None:
                return DocumentStanding(
                    DocumentState.OPEN,
                    f"Payment {answered.erp_code or erp_id} (not in the ERP's export yet)",
                )
        return DocumentStanding(DocumentState.GONE, "The payment")
