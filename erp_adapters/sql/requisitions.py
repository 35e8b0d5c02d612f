"""Requisitions (subcontractor invoices) and contract payments in the ERP's database.

An invoice is a document like a commitment (``writing.DocumentEntity``): its header and lines go
into the mapped import tables in one transaction, idempotently on the Procore id, and a line the
database refuses rolls the whole invoice back. Before that, what the ERP holds of the commitment
it bills is read through the mappings (the commitment's lines, its change orders' lines, and
every invoice line not void) and checked by ``erp_adapters.requisition_rules``, the same rules
and words as the demo ERP.

Payments: an exported payment is checked against its invoice's unpaid balance (the invoice's
lines less its payments not void) and written like any export; the ERP's own payments on invoices
from Procore are listed back as ``invoice_payment`` objects through the mapped listing (see
``listing.invoice_payment``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Row

from erp_adapters import money
from erp_adapters.base import (
    ConstraintViolation,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
)
from erp_adapters.document_status import document_state, is_void
from erp_adapters.requisition_rules import (
    BillableLine,
    CommitmentBilling,
    RequisitionBalance,
    check_payment,
    check_requisition,
    payment_date,
    payment_number,
    sum_by,
)
from erp_adapters.sql import listing
from erp_adapters.sql.writing import DocumentEntity, Draft, SqlEntity, as_dict, as_int, text


def _rows(conn: Connection, source: Any, name: str, values: list[str]) -> list[dict[str, Any]]:
    """The mapped rows whose field ``name`` is one of ``values`` (none asked, none read)."""
    if not values:
        return []
    result = conn.execute(source.select_where_in(conn, name, values))
    keys = tuple(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


def _amount(value: Any) -> Decimal:
    return money.amount(value)


def _length_problems(
    conn: Connection, target: Any, values: dict[str, Any], labels: dict[str, str]
) -> list[str]:
    problems = []
    for name, label in labels.items():
        value, limit = values.get(name), target.length_limit(conn, name)
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(f"{label} is longer than {limit} characters, the ERP's limit.")
    return problems


@dataclass
class CheckedDraft(Draft):
    """A draft that keeps its export, so the checks can run again under the lock."""

    payload: dict[str, Any] = field(default_factory=dict)


def lock_row(books: Any, conn: Connection, entity: Entity, origin_id: str | None) -> None:
    """Lock the ERP's row of ``entity`` (``SELECT … FOR UPDATE`` on its mapped table) for the
    rest of the transaction, so two exports billing or paying the same document wait for each
    other and the second is checked against what the first wrote. Nothing to lock when the
    entity is read through a query or written by a procedure (SQLite locks the whole file on
    write anyway)."""
    if not origin_id:
        return
    for place in (books.target(entity, "create"), books.source(entity, "list")):
        mapping = place.bind(conn)
        table = getattr(place, "_table", None)
        if table is not None and "origin_id" in mapping:
            column = table.c[mapping["origin_id"]]
            conn.execute(select(column).where(column == origin_id).with_for_update())
            return


def checked_again(
    entity_adapter: SqlEntity, conn: Connection, draft: Draft, parent: Entity, key: str
) -> Draft:
    """Inside the write's transaction: lock the parent document, then check the export again."""
    lock_row(entity_adapter.adapter, conn, parent, draft.values.get(key))
    if not isinstance(draft, CheckedDraft):
        return draft
    again = entity_adapter.draft(conn, draft.payload)
    if again.problems:
        raise ConstraintViolation(again.problems)
    return again


class Requisitions(DocumentEntity):
    """``create_requisitions``, one invoice at a time."""

    entity = Entity.REQUISITIONS
    item_type = "requisition"

    def header(self, payload: Any) -> dict[str, Any]:
        requisition = as_dict(payload)
        return {**requisition, "id": requisition.get("procore_requisition_id")}

    def list(self) -> Iterator[ERPObject]:
        """Invoices come from Procore; nothing of them is imported back."""
        return iter(())

    def _configured(self, entity: Entity) -> bool:
        return str(entity) in (self.adapter.settings.get("entities") or {})

    def billing(self, conn: Connection, commitment: Row) -> CommitmentBilling:
        """What the ERP holds of one commitment: its lines, the lines of its change orders not
        void, and what invoices not void billed on each."""
        values = commitment._mapping
        origin_id, number = str(values["origin_id"]), text(values.get("origin_code"))
        lines = _rows(
            conn,
            self.adapter.source(Entity.COMMITMENTS, "list_lines"),
            "parent_origin_id",
            [origin_id],
        )
        change_orders: list[dict[str, Any]] = []
        change_lines: list[dict[str, Any]] = []
        if self._configured(Entity.COMMITMENT_CHANGE_ORDERS):
            source = self.adapter.source(Entity.COMMITMENT_CHANGE_ORDERS, "list")
            change_orders = [
                row
                for row in _rows(conn, source, "commitment_origin_id", [origin_id])
                if not is_void(row.get("status"))
            ]
            change_lines = _rows(
                conn,
                self.adapter.source(Entity.COMMITMENT_CHANGE_ORDERS, "list_lines"),
                "parent_origin_id",
                [str(row["origin_id"]) for row in change_orders],
            )
        invoices = [
            row
            for row in _rows(
                conn, self.adapter.source(self.entity, "list"), "commitment_origin_id", [origin_id]
            )
            if not is_void(row.get("status"))
        ]
        billed_lines = _rows(
            conn,
            self.adapter.source(self.entity, "list_lines"),
            "parent_origin_id",
            [str(row["origin_id"]) for row in invoices],
        )
        billed = sum_by(
            (
                text(row.get("commitment_line_item_origin_id"))
                or text(row.get("change_order_line_item_origin_id")),
                _amount(row["amount"]),
            )
            for row in billed_lines
        )
        numbers = {str(row["origin_id"]): text(row.get("origin_code")) for row in change_orders}
        commitment_lines = {
            str(row["origin_id"]): BillableLine(
                str(row["origin_id"]),
                _amount(row["amount"]),
                billed.get(str(row["origin_id"]), Decimal(0)),
                f"line {row['position']} of commitment {number}",
            )
            for row in lines
        }
        co_lines = {
            str(row["origin_id"]): BillableLine(
                str(row["origin_id"]),
                _amount(row["amount"]),
                billed.get(str(row["origin_id"]), Decimal(0)),
                f"change order {numbers[str(row['parent_origin_id'])]} line {row['position']}",
            )
            for row in change_lines
        }
        return CommitmentBilling(
            origin_id=origin_id,
            number=number,
            void=is_void(values.get("status")),
            lines=commitment_lines,
            change_order_lines=co_lines,
            value=money.total(
                line.amount for line in (*commitment_lines.values(), *co_lines.values())
            ),
            billed=money.total(_amount(row["amount"]) for row in billed_lines),
        )

    def draft(self, conn: Connection, payload: Any) -> Draft:
        requisition = as_dict(payload)
        draft = CheckedDraft(
            as_int(requisition.get("procore_requisition_id")),
            {},
            item_type=self.item_type,
            payload=requisition,
        )
        commitment = self.known(
            conn,
            Entity.COMMITMENTS,
            {
                "origin_id": requisition.get("contract_origin_id"),
                "id": requisition.get("contract_id"),
            },
        )
        checked = check_requisition(
            requisition, None if commitment is None else self.billing(conn, commitment)
        )
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": checked.number,
            "commitment_origin_id": None
            if commitment is None
            else str(commitment._mapping["origin_id"]),
            "billing_date": checked.billing_date,
            "status": "Approved",
        }
        draft.problems = checked.problems + _length_problems(
            conn,
            self.adapter.target(self.entity, "create"),
            draft.values,
            {"origin_code": "The invoice number"},
        )
        lines_target = self.adapter.target(self.entity, "create_lines")
        for line in checked.lines:
            values = {
                "procore_id": line.procore_id,
                "position": line.position,
                "item_type": line.item_type,
                "description": line.description or None,
                "amount": line.amount,
                "retainage": line.retainage,
                "commitment_line_item_origin_id": line.commitment_line_origin_id,
                "change_order_line_item_origin_id": line.change_order_line_origin_id,
                "link_type": line.link_type,  # not a column: the line's External Data item type
            }
            draft.problems += _length_problems(
                conn, lines_target, values, {"description": f"Line {line.position} description"}
            )
            draft.lines.append(values)
        return draft

    def write(self, conn: Connection, draft: Draft) -> Row:
        """Under a lock on the commitment: two invoices of one commitment cannot together
        over-bill it."""
        draft = checked_again(self, conn, draft, Entity.COMMITMENTS, "commitment_origin_id")
        return super().write(conn, draft)

    def line_link_type(self, line: dict[str, Any]) -> str:
        """``requisition_contract_item``, ``requisition_contract_detail_item`` or
        ``requisition_change_order_item``, as the line's item type says."""
        return line["link_type"]


class ContractPayments(SqlEntity):
    """``create_contract_payment``, ``sync_contract_payments`` and ``reset_payment``."""

    entity = Entity.CONTRACT_PAYMENTS
    payload_key = "contract_payment"
    item_type = "contract_payment"

    def list(self) -> Iterator[ERPObject]:
        """The ERP's own live payments on invoices from Procore (see
        ``listing.invoice_payment``), streamed."""
        return (obj for obj in listing.stream(self.adapter, self.entity) if obj is not None)

    def balance(self, conn: Connection, requisition: Row) -> RequisitionBalance:
        values = requisition._mapping
        origin_id = str(values["origin_id"])
        lines = _rows(
            conn,
            self.adapter.source(Entity.REQUISITIONS, "list_lines"),
            "parent_origin_id",
            [origin_id],
        )
        payments = _rows(
            conn, self.adapter.source(self.entity, "list"), "requisition_origin_id", [origin_id]
        )
        return RequisitionBalance(
            origin_id=origin_id,
            number=text(values.get("origin_code")),
            void=is_void(values.get("status")),
            total=money.total(_amount(row["amount"]) for row in lines),
            paid=money.total(
                _amount(row["amount"]) for row in payments if not is_void(row.get("status"))
            ),
        )

    def draft(self, conn: Connection, payload: Any) -> Draft:
        payment = self.header(payload)
        draft = CheckedDraft(
            as_int(payment.get("id")), {}, item_type=self.item_type, payload=as_dict(payload)
        )
        if not payment:
            draft.problems.append("The export carries no payment.")
            return draft
        requisition = None
        if as_int(payment.get("requisition_id")) is not None:
            requisition = self.known(
                conn, Entity.REQUISITIONS, {"id": payment.get("requisition_id")}
            )
        problems, amount = check_payment(
            payment, None if requisition is None else self.balance(conn, requisition)
        )
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": payment_number(draft.procore_id or 0),
            "requisition_origin_id": None
            if requisition is None
            else str(requisition._mapping["origin_id"]),
            "amount": amount,
            "payment_date": payment_date(payment),
            "check_number": text(payment.get("check_number")) or None,
            "payment_method": text(payment.get("payment_method")) or None,
            "status": "Posted",
        }
        draft.problems = problems + _length_problems(
            conn,
            self.adapter.target(self.entity, "create"),
            draft.values,
            {"check_number": "The check number", "payment_method": "The payment method"},
        )
        return draft

    def write(self, conn: Connection, draft: Draft) -> Row:
        """Under a lock on the invoice: two payments cannot together pay it more than once."""
        draft = checked_again(self, conn, draft, Entity.REQUISITIONS, "requisition_origin_id")
        return super().write(conn, draft)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The payment by its ERP id, in the listing or else in the import table; void or live
        by its status word (``document_status``)."""
        origin_id = text(as_dict(ref).get("origin_id"))
        with self._connection("checking a payment in the ERP", part="list") as conn:
            row = self.adapter.lookup(conn, self.entity, {"origin_id": origin_id})
            conn.rollback()
        if row is None:
            return DocumentStanding(DocumentState.GONE, "The payment")
        values = row._mapping
        return DocumentStanding(
            document_state(values.get("status")),
            f"Payment {text(values.get('origin_code')) or origin_id}",
        )
