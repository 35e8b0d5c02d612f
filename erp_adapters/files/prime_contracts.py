"""Prime contracts and their change orders through a file exchange (docs/adapters.md).

Import: ``prime_contracts.csv``, one row per line like commitments; a void contract is left
out. Export: a prime contract change order goes to the outbox as one file, a row per line (at
its own amount) followed by a row per markup of that line; the Request Detail stays in progress
(``ERPPending``) until the ERP's acknowledgement gives the change order's id and, in file order,
the ids of its lines and markups.

Unlink and reset: the ERP's own list of its prime contract change orders
(``prime_contract_change_orders.csv``) says whether one is still there and whether it is void.
The portal cannot write the ERP's books, so what it forgets is its own tie: the answered export
is marked released, so that exporting the change order again sends a new file and the ERP
makes a new change order.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
)
from erp_adapters.change_order_markups import amount_or_none, base_mismatch, markups_of
from erp_adapters.document_status import document_state
from erp_adapters.files import layouts
from erp_adapters.files.commitments import Documents
from erp_adapters.files.entity import _as_int, _required
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import Row
from erp_adapters.payload import as_dict


class PrimeContracts(Documents):
    """The owner contracts of the ERP's jobs, listed with their lines (``Documents.list``)."""

    entity = Entity.PRIME_CONTRACTS
    item_type = "prime_contract"
    what = "prime contract"
    lines_key = "prime_contract_items"
    build = staticmethod(layouts.prime_contract_object)

    def check_create(self, payload: Any) -> list[str]:
        return [
            "Prime contracts are entered in the ERP and imported into Procore; the ERP takes "
            "none from Procore."
        ]

    def create(self, payload: Any) -> CreateResult:
        raise ConstraintViolation(self.check_create(payload))


class PrimeContractChangeOrders(Documents):
    """``create_prime_contract_change_order`` (a file, answered later), ``standing`` for an
    unlink and ``release`` for a Super User reset."""

    entity = Entity.PRIME_CONTRACT_CHANGE_ORDERS
    item_type = "change_order"
    what = "change order"
    payload_key = "prime_contract_change_order"
    lines_key = "prime_contract_change_order_items"
    export_rows = staticmethod(layouts.prime_change_order_export_rows)

    def list(self) -> Iterator[Any]:
        """Change orders go from Procore to the ERP only; nothing to import."""
        return iter(())

    # -- the ERP's books --------------------------------------------------------------------------

    def _head(self, entity: Entity, erp_id: str) -> dict[str, Any] | None:
        """The first row of the record ``erp_id`` in the ERP's export of ``entity``."""
        if not erp_id:
            return None
        for item in self.adapter.reader(entity).rows():
            if isinstance(item, Row) and item.values["erp_id"] == erp_id:
                return item.values
        return None

    def _number_taken(self, contract: str, number: str) -> bool:
        """A live change order of this number on the prime contract (a void one frees it)."""
        return any(
            isinstance(item, Row)
            and item.values["prime_contract_erp_id"] == contract
            and item.values["number"] == number
            and document_state(item.values["status"]) is not DocumentState.VOID
            for item in self.items()
        )

    # -- export -----------------------------------------------------------------------------------

    def rules(self, payload: dict[str, Any]) -> list[str]:
        change_order = self.header(payload)
        problems = _required(change_order, "number", "Change order number")
        contract_ref = as_dict(payload.get("prime_contract"))
        origin = str(contract_ref.get("origin_id") or "")
        contract = self._head(Entity.PRIME_CONTRACTS, origin)
        label = contract_ref.get("number") or contract_ref.get("title") or "(unknown)"
        if contract is None:
            problems.append(
                f"Prime contract {label} is not in the ERP; a change order needs its prime "
                "contract. Enter it in the ERP and import it into Procore (Refresh Prime "
                "Contracts) first."
            )
        elif document_state(contract["status"]) is DocumentState.VOID:
            problems.append(
                f"Prime contract {contract['number']} is void in the ERP; it takes no changes."
            )
        number = str(change_order.get("number") or "").strip()
        if contract is not None and number and self._number_taken(origin, number):
            problems.append(
                f"Change order {number} already exists on prime contract {contract['number']} "
                "in the ERP."
            )
        items = [item for item in map(as_dict, payload.get(self.lines_key) or []) if item]
        if not items:
            problems.append("The change order has no line items; the ERP needs at least one.")
        problems += self.line_rules(payload)
        problems += self.markup_rules(items)
        return problems

    def markup_rules(self, items: list[dict[str, Any]]) -> list[str]:
        """Each markup is an amount and posts (when it says where) to what the ERP holds; each
        marked-up line's own amount is its amount less its markups."""
        problems: list[str] = []
        codes = types = None
        for n, item in enumerate(items, start=1):
            label = f"Line {_as_int(item.get('position')) or n}"
            for markup_item in markups_of(item):
                markup = as_dict(markup_item.get("markup"))
                where = f"{label} markup '{markup.get('name') or 'markup'}'"
                if amount_or_none(markup_item.get("amount")) is None:
                    problems.append(
                        f"{where}: amount '{markup_item.get('amount')}' is not a number."
                    )
                percentage = markup.get("percentage")
                if percentage not in (None, "") and amount_or_none(percentage) is None:
                    problems.append(f"{where}: percentage '{percentage}' is not a number.")
                if codes is None:
                    codes = self.adapter.erp_ids(Entity.STANDARD_COST_CODES)
                    types = self.adapter.erp_ids(Entity.STANDARD_CATEGORIES)
                code_ref = as_dict(markup.get("destination_cost_code"))
                if code_ref and layouts.cost_code_erp_id(code_ref) not in codes:
                    problems.append(
                        f"{where}: cost code {code_ref.get('full_code') or '?'} is not in the "
                        "ERP's cost code list."
                    )
                type_ref = as_dict(markup.get("destination_line_item_type"))
                if type_ref and str(type_ref.get("origin_id") or "") not in (types or set()):
                    problems.append(
                        f"{where}: cost type {type_ref.get('code') or '?'} is not in the ERP."
                    )
            mismatch = base_mismatch(label, item)
            if mismatch:
                problems.append(mismatch)
        return problems

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        """The change order, then each line followed by its markups: the n-th row with a Procore
        id is the n-th id of the acknowledgement's ``line_erp_ids``."""
        links: list[list[Any]] = [[self.item_type, procore_id, ""]]
        index = 0
        for row in layouts.prime_change_order_export_rows(payload):
            row_procore_id = _as_int(row["line_procore_id"])
            if row_procore_id is None:
                continue
            kind = "markup" if row["line_kind"] == "markup" else "line_item"
            links.append([kind, row_procore_id, f"line:{index}"])
            index += 1
        return links

    # -- unlink and reset -------------------------------------------------------------------------

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Gone, void (its ties dropped: a void change order is never revived), or still in
        the ERP, by its ERP id or the one its file was answered with."""
        answered = self._answered(ref)
        erp_id = str(ref.get("origin_id") or "") or (answered.erp_id if answered else "")
        head = self._head(self.entity, erp_id)
        if head is None:
            procore_id = _as_int(ref.get("procore_id"))
            waiting = procore_id is not None and (
                self._exports(procore_id).filter(state=FileExport.State.WAITING).exists()
            )
            number = ref.get("number") or "(no number)"
            return DocumentStanding(
                DocumentState.OPEN if waiting else DocumentState.GONE,
                f"change order {number}"
                + (" (its file waits for the ERP's import)" if waiting else ""),
                reason="Its file waits for the ERP's import; unlink it once the ERP has "
                "imported it and voided it."
                if waiting
                else "",
            )
        contract = self._head(Entity.PRIME_CONTRACTS, head["prime_contract_erp_id"])
        contract_number = contract["number"] if contract is not None else "?"
        label = f"change order {head['number']} on prime contract {contract_number}"
        status = str(head["status"] or "")
        state = document_state(status)
        if state is DocumentState.VOID:
            dropped = self.release(ref) if answered is not None else ()
            return DocumentStanding(state, label, status=status, dropped=dropped)
        return DocumentStanding(
            state,
            label,
            status=status,
            reason=f"Change order {head['number']} is still {state.value} on prime contract "
            f"{contract_number} in the ERP; void or delete it there first, then unlink it.",
        )
