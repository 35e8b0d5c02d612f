"""Prime contracts and their change orders in an ERP's database (docs/adapters.md).

A prime contract is the ERP's: listed with its lines for Procore to stage
(``entities.prime_contracts.list`` and ``list_lines``), never written. Its change orders come
from Procore: the change order, its lines and the lines' markups are written in one transaction
(``create``, ``create_lines``, ``create_markups``), once per Procore id, as commitments are
(``writing.SqlEntity``). A line is kept at its own amount (Procore's amount less its markups);
each markup is a row of its own under its line.

Unlink and reset read and write the same tables: a change order the ERP holds void forgets its
Procore ids (and those of its lines and markups), so a new export makes a new one; a reset
forgets them whatever the state.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DataError, IntegrityError

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ExternalLink,
)
from erp_adapters.change_order_markups import base_mismatch, line_base, markups_of
from erp_adapters.document_status import document_state
from erp_adapters.sql.database import describe
from erp_adapters.sql.fields import MONEY, QUANTITY, parse_decimal
from erp_adapters.sql.writing import DocumentEntity, Draft, SqlEntity, as_dict, as_int, text


class PrimeContracts(SqlEntity):
    """The owner contracts of the ERP's jobs, listed with their lines (``listing.stream``)."""

    entity = Entity.PRIME_CONTRACTS
    item_type = "prime_contract"

    def check_create(self, payload: Any) -> list[str]:
        return [
            "Prime contracts are entered in the ERP and imported into Procore; the ERP takes "
            "none from Procore."
        ]

    def create(self, payload: Any) -> CreateResult:
        raise ConstraintViolation(self.check_create(payload))


@dataclass
class ChangeOrderDraft(Draft):
    # Per markup: the Procore id of its line, its values, and a name for messages.
    markups: list[tuple[int | None, dict[str, Any], str]] = field(default_factory=list)


class PrimeContractChangeOrders(DocumentEntity):
    """``create_prime_contract_change_order``, ``unlink_…`` (``standing``) and ``reset_…``
    (``release``)."""

    entity = Entity.PRIME_CONTRACT_CHANGE_ORDERS
    payload_key = "prime_contract_change_order"
    item_type = "change_order"

    def list(self) -> Iterator[ERPObject]:
        """Change orders go from Procore to the ERP only; nothing to import."""
        return iter(())

    # -- reading the ERP's own rows ---------------------------------------------------------------

    def prime_contract(self, conn: Connection, ref: dict[str, Any]) -> Row | None:
        """The change order's prime contract, by the ERP id Procore imported it with."""
        source = self.adapter.source(Entity.PRIME_CONTRACTS, "list")
        return self.adapter._find(conn, source, "origin_id", text(ref.get("origin_id")))  # type: ignore[attr-defined]

    def find_row(self, conn: Connection, ref: DocumentRef) -> Row | None:
        """The change order in the create table: by its ERP id, else by its Procore id."""
        target = self.adapter.target(self.entity, "create")
        if target.procedure:
            return None
        ref = as_dict(ref)
        found = self.adapter._find(conn, target, "origin_id", text(ref.get("origin_id")))  # type: ignore[attr-defined]
        procore_id = as_int(ref.get("procore_id"))
        if found is None and procore_id is not None:
            found = target.find(conn, "procore_id", procore_id)
        return found

    def _void_refusal(self, row: Row) -> str:
        number = text(row._mapping.get("origin_code"))
        return (
            f"Change order {number} is void in the ERP and stays void; unlink it in Procore, "
            "then export it again to enter it as a new change order."
        )

    def _is_void(self, row: Row) -> bool:
        return document_state(row._mapping.get("status")) is DocumentState.VOID

    # -- creating ---------------------------------------------------------------------------------

    def check_create(self, payload: Any) -> list[str]:
        procore_id = as_int(self.header(payload).get("id"))
        if procore_id is not None:
            with self._connection(f"checking a {self.label} export") as conn:
                row = self.existing(conn, procore_id)
                conn.rollback()
            if row is not None and self._is_void(row):
                return [self._void_refusal(row)]
        return super().check_create(payload)

    def after_existing(self, conn: Connection, payload: Any, row: Row) -> CreateResult:
        if self._is_void(row):
            raise ConstraintViolation([self._void_refusal(row)])
        return super().after_existing(conn, payload, row)

    def draft(self, conn: Connection, payload: Any) -> ChangeOrderDraft:
        data, change_order = as_dict(payload), self.header(payload)
        draft = ChangeOrderDraft(as_int(change_order.get("id")), {})
        if not change_order:
            draft.problems.append("The export carries no prime contract change order.")
            return draft
        contract_ref = as_dict(data.get("prime_contract"))
        contract = self.prime_contract(conn, contract_ref)
        contract_values = {} if contract is None else contract._mapping
        contract_label = text(contract_ref.get("number")) or text(contract_ref.get("title"))
        if contract is None:
            draft.problems.append(
                f"Prime contract {contract_label or '(unknown)'} is not in the ERP; a change "
                "order needs its prime contract. Enter it in the ERP and import it into Procore "
                "(Refresh Prime Contracts) first."
            )
        elif document_state(contract_values.get("status")) is DocumentState.VOID:
            draft.problems.append(
                f"Prime contract {text(contract_values.get('origin_code'))} is void in the ERP; "
                "it takes no changes."
            )
        when = text(as_dict(change_order.get("erp_custom_fields")).get("transaction_date"))
        transaction_date = None
        if when:
            try:
                transaction_date = date.fromisoformat(when[:10])
            except ValueError:
                draft.problems.append(f"Transaction date '{when}' is not a date (YYYY-MM-DD).")
        contract_id = None if contract is None else str(contract_values["origin_id"])
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(change_order.get("number")),
            "prime_contract_origin_id": contract_id,
            "project_origin_id": text(contract_values.get("project_origin_id")) or None,
            "title": text(change_order.get("title")) or None,
            "description": text(change_order.get("description")) or None,
            "status": "Approved"
            if text(change_order.get("status")).lower() in ("", "approved")
            else "Open",
            "transaction_date": transaction_date,
        }
        self.check_values(conn, draft, ("origin_code",))
        number = draft.values["origin_code"]
        if self.number_taken_on_contract(conn, number, contract_id):
            draft.problems.append(
                f"Change order {number} already exists on prime contract "
                f"{text(contract_values.get('origin_code'))} in the ERP."
            )
        items = [as_dict(item) for item in data.get("prime_contract_change_order_items") or []]
        self.check_document(conn, draft, items)
        prime_lines = {
            as_int(item.get("id")): text(item.get("origin_id"))
            for item in map(as_dict, data.get("prime_contract_items") or [])
        }
        for line, item in zip(draft.lines, items, strict=True):
            label = f"Line {line['position']}"
            mismatch = base_mismatch(label, item)
            if mismatch:
                draft.problems.append(mismatch)
            base = line_base(item)
            line["amount"] = None if base is None else parse_decimal(base, MONEY)
            line["prime_contract_line_item_origin_id"] = (
                text(item.get("prime_line_item_origin_id"))
                or prime_lines.get(as_int(item.get("prime_line_item_id")))
                or None
            )
            for markup_item in markups_of(item):
                self.markup_draft(conn, draft, line, markup_item)
        return draft

    def markup_draft(
        self, conn: Connection, draft: ChangeOrderDraft, line: dict[str, Any], item: dict[str, Any]
    ) -> None:
        """One markup of a line: its amount, percentage and where it posts, all in the ERP."""
        markup = as_dict(item.get("markup"))
        name = text(markup.get("name")) or "markup"
        where = f"Line {line['position']} markup '{name}'"
        values: dict[str, Any] = {
            "procore_id": as_int(item.get("id")),
            "name": name,
            "amount": parse_decimal(item.get("amount"), MONEY),
            "percentage": None,
            "cost_code_origin_id": None,
            "line_item_type_origin_id": None,
        }
        if values["amount"] is None:
            draft.problems.append(f"{where}: amount '{item.get('amount')}' is not a number.")
        percentage = markup.get("percentage")
        if percentage not in (None, ""):
            values["percentage"] = parse_decimal(percentage, QUANTITY)
            if values["percentage"] is None:
                draft.problems.append(f"{where}: percentage '{percentage}' is not a number.")
        cost_code = as_dict(markup.get("destination_cost_code"))
        if cost_code:
            found = self.adapter.cost_code(conn, cost_code)
            if found is None:
                code = text(cost_code.get("full_code")) or text(cost_code.get("code"))
                draft.problems.append(
                    f"{where}: cost code {code} is not in the ERP's cost code list."
                )
            else:
                values["cost_code_origin_id"] = str(found._mapping["origin_id"])
        cost_type = as_dict(markup.get("destination_line_item_type"))
        if cost_type:
            found = self.known(
                conn, Entity.STANDARD_CATEGORIES, cost_type, code=text(cost_type.get("code"))
            )
            if found is None:
                draft.problems.append(
                    f"{where}: cost type '{text(cost_type.get('name'))}' "
                    f"({text(cost_type.get('code'))}) is not in the ERP."
                )
            else:
                values["line_item_type_origin_id"] = str(found._mapping["origin_id"])
        draft.markups.append((line["procore_id"], values, where))

    def number_taken_on_contract(self, conn: Connection, number: str, contract: Any) -> bool:
        """A live change order of the same number on the same prime contract (a void one
        leaves its number free)."""
        target = self.adapter.target(self.entity, "create")
        if not number or contract is None or target.procedure:
            return False
        return any(
            text(row._mapping.get("origin_code")) == number
            and document_state(row._mapping.get("status")) is not DocumentState.VOID
            for row in target.rows_where(conn, "prime_contract_origin_id", contract)
        )

    def write(self, conn: Connection, draft: Draft) -> Any:
        """The change order, its lines, then each line's markups, in the caller's transaction."""
        header = super().write(conn, draft)
        self.write_lines(conn, draft, str(header["origin_id"]))
        lines = self._written(conn, "create_lines", str(header["origin_id"]))
        target = self.adapter.target(self.entity, "create_markups")
        for line_procore_id, markup, where in getattr(draft, "markups", []):
            values = {**markup, "parent_origin_id": lines.get(line_procore_id)}
            try:
                if target.procedure:
                    target.call(conn, values)
                    continue
                values["origin_id"] = target.origin_id_value(conn)
                if values["origin_id"] is None:
                    values.pop("origin_id")
                target.insert(conn, values)
            except (IntegrityError, DataError) as exc:
                exc._markup = where  # type: ignore[attr-defined]
                raise
        return header

    def refusal(self, exc: Exception, draft: Draft) -> str:
        where = getattr(exc, "_markup", None)
        if where is None:
            return super().refusal(exc, draft)
        markups = self.adapter.target(self.entity, "create_markups")
        return (
            f"The ERP refused the {self.label}: {describe(exc)} ({where}, {markups.describe()}, "
            f"setting 'entities.{self.entity}.create_markups'). Nothing was written."
        )

    def _written(self, conn: Connection, part: str, parent: str) -> dict[int | None, str]:
        """Procore id → ERP id of the rows under ``parent`` in a line or markup table."""
        target = self.adapter.target(self.entity, part)
        if target.procedure:
            return {}
        return {
            as_int(row._mapping.get("procore_id")): str(row._mapping["origin_id"])
            for row in target.rows_where(conn, "parent_origin_id", parent)
        }

    def extra_links(
        self, conn: Connection, draft: Draft, origin_id: str
    ) -> list[tuple[str, int, str]]:
        """Each line (with a Procore id), followed by its markups, as the demo ERP links them."""
        lines = self._written(conn, "create_lines", origin_id)
        links: list[tuple[str, int, str]] = []
        markups = getattr(draft, "markups", [])
        for line in draft.lines:
            line_id = lines.get(line["procore_id"]) if line["procore_id"] is not None else None
            if line_id is None:
                continue
            links.append(("line_item", line["procore_id"], line_id))
            written = self._written(conn, "create_markups", line_id)
            for line_procore_id, markup, _ in markups:
                pid = markup["procore_id"]
                if line_procore_id == line["procore_id"] and pid is not None and pid in written:
                    links.append(("markup", pid, written[pid]))
        return links

    # -- unlink and reset -------------------------------------------------------------------------

    def forget_procore_ids(self, conn: Connection, row: Row) -> tuple[ExternalLink, ...]:
        """Drop the Procore ids of the change order, its lines and markups (in the caller's
        transaction); the ties dropped, header first, each line followed by its markups."""
        header = row._mapping
        dropped: list[ExternalLink] = []
        if header.get("procore_id") is not None:
            dropped.append(
                ExternalLink("change_order", int(header["procore_id"]), str(header["origin_id"]))
            )
        lines = self.adapter.target(self.entity, "create_lines")
        markups = self.adapter.target(self.entity, "create_markups")
        updates: list[tuple[Any, int]] = []
        for line in lines.rows_where(conn, "parent_origin_id", header["origin_id"]):
            values = line._mapping
            if values.get("procore_id") is not None:
                dropped.append(
                    ExternalLink("line_item", int(values["procore_id"]), str(values["origin_id"]))
                )
                updates.append((lines, int(values["procore_id"])))
            for markup in markups.rows_where(conn, "parent_origin_id", values["origin_id"]):
                if markup._mapping.get("procore_id") is not None:
                    pid = int(markup._mapping["procore_id"])
                    dropped.append(ExternalLink("markup", pid, str(markup._mapping["origin_id"])))
                    updates.append((markups, pid))
        if header.get("procore_id") is not None:
            updates.append((self.adapter.target(self.entity, "create"), int(header["procore_id"])))
        for target, procore_id in updates:
            target.update(conn, procore_id, {"procore_id": None})
        return tuple(dropped)

    def _contract_number(self, conn: Connection, row: Row) -> str:
        origin_id = row._mapping.get("prime_contract_origin_id")
        contract = self.prime_contract(conn, {"origin_id": origin_id})
        return "?" if contract is None else text(contract._mapping.get("origin_code"))

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Gone, void (its Procore ids dropped: a void change order is never revived), or
        still open or approved, with the sentence saying what to do first."""
        with self._connection(f"checking a {self.label} in the ERP") as conn:
            row = self.find_row(conn, ref)
            if row is None:
                conn.rollback()
                number = text(as_dict(ref).get("number")) or "(no number)"
                return DocumentStanding(DocumentState.GONE, f"change order {number}")
            number = text(row._mapping.get("origin_code"))
            contract = self._contract_number(conn, row)
            label = f"change order {number} on prime contract {contract}"
            status = text(row._mapping.get("status"))
            state = document_state(status)
            if state is DocumentState.VOID:
                dropped = self.forget_procore_ids(conn, row)
                conn.commit()
                return DocumentStanding(state, label, status=status, dropped=dropped)
            conn.rollback()
        return DocumentStanding(
            state,
            label,
            status=status,
            reason=f"Change order {number} is still {state.value} on prime contract {contract} "
            "in the ERP; void or delete it there first, then unlink it.",
        )

    def release(self, ref: DocumentRef) -> tuple[ExternalLink, ...]:
        """A Super User reset: the ERP keeps the change order, untied from Procore."""
        with self._connection(f"resetting a {self.label} in the ERP") as conn:
            row = self.find_row(conn, ref)
            if row is None:
                conn.rollback()
                return ()
            dropped = self.forget_procore_ids(conn, row)
            conn.commit()
            return dropped
