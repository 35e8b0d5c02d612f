"""Commitments and their change orders: documents of one row per line in the import file,
exported with their lines and checked against the commitment the ERP holds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from erp_adapters.base import (
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ERPObject,
    ListingProblems,
)
from erp_adapters.document_status import document_state
from erp_adapters.document_totals import lines_total_problem
from erp_adapters.files import layouts
from erp_adapters.files.entity import FileEntity, _as_int, _required
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import Row, RowProblem
from erp_adapters.payload import as_dict


class Documents(FileEntity):
    """Commitments and change orders: one row per line, the rows of a document together. A
    bad row spoils its whole document (sending it without a line would misstate it), which is
    reported once per bad row; the other documents proceed. Memory holds one document."""

    build: Callable[[list[dict[str, Any]]], ERPObject | None]
    lines_key: str

    def list(self) -> Iterator[ERPObject]:
        name = self.import_file().name
        self.listing_problems = problems = ListingProblems()
        seen: set[str] = set()
        current: str | None = None
        rows: list[Row] = []
        spoiled = False

        def finish() -> ERPObject | None:
            if current is None or spoiled or not rows:
                return None
            return type(self).build([row.values for row in rows])

        for item in self.items():
            key = item.values["erp_id"] if isinstance(item, Row) else item.key
            if key != current or key is None:
                done = finish()
                if done is not None:
                    yield done
                if key is not None and key in seen:
                    problems.add(
                        RowProblem(
                            name,
                            item.line,
                            "erp_id",
                            f"the rows of {key} must be together; this one is apart",
                            key,
                        ).as_unreadable()
                    )
                    current, rows, spoiled = None, [], True
                    continue
                current, rows, spoiled = key, [], False
                if key is not None:
                    seen.add(key)
            if isinstance(item, RowProblem):
                problems.add(item.as_unreadable())
                spoiled = True
                continue
            missing = [
                column
                for column in layouts.LINE_REQUIRED
                if item.values["line_erp_id"] is not None and item.values[column] is None
            ]
            if missing:
                problems.add(
                    RowProblem(
                        name, item.line, missing[0], "a line needs a value", key
                    ).as_unreadable()
                )
                spoiled = True
                continue
            if not self.valid_head(item, name, problems):
                spoiled = True
                continue
            rows.append(item)
        done = finish()
        if done is not None:
            yield done

    def valid_head(self, row: Row, name: str, problems: ListingProblems) -> bool:
        return True

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        links = [[self.header_item_type(payload), procore_id, ""]]
        items = [item for item in map(as_dict, payload.get(self.lines_key) or []) if item]
        for index, item in enumerate(items):
            if _as_int(item.get("id")) is not None:
                links.append(["line_item", _as_int(item.get("id")), f"line:{index}"])
        return links

    def header_item_type(self, payload: dict[str, Any]) -> str:
        return self.item_type

    def line_rules(self, payload: dict[str, Any]) -> list[str]:
        """Each line names a cost code and a cost type the ERP holds."""
        problems = []
        items = [item for item in map(as_dict, payload.get(self.lines_key) or []) if item]
        codes = types = None
        for n, item in enumerate(items, start=1):
            problems += layouts.number_problems(
                f"Line {n}", {key: item.get(key) for key in ("amount", "quantity", "unit_cost")}
            )
            code = layouts.cost_code_erp_id(as_dict(item.get("cost_code")))
            cost_type = str(as_dict(item.get("line_item_type")).get("origin_id") or "")
            if codes is None:
                codes = self.adapter.erp_ids(Entity.STANDARD_COST_CODES)
                types = self.adapter.erp_ids(Entity.STANDARD_CATEGORIES)
            if code not in codes:
                label = as_dict(item.get("cost_code")).get("full_code") or "?"
                problems.append(f"Line {n}: cost code {label} is not in the ERP's cost code list.")
            if cost_type not in types:
                label = as_dict(item.get("line_item_type")).get("code") or "?"
                problems.append(f"Line {n}: cost type {label} is not in the ERP.")
        return problems


class Commitments(Documents):
    entity = Entity.COMMITMENTS
    item_type = "work_order_contract"
    what = "commitment"
    payload_key = "commitment"
    lines_key = "commitment_items"
    export_rows = staticmethod(layouts.commitment_export_rows)
    build = staticmethod(layouts.commitment_object)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Where the commitment stands in the ERP's export (``unlink_commitment``): found by its
        ERP id, or by the ERP id its export file was answered with; its ``status`` column read by
        ``document_status``. Handed over and not answered yet: still open (the ERP may import
        it any minute)."""
        erp_id = str(ref.get("origin_id") or "")
        procore = ref.get("procore_id")
        if not erp_id and procore is not None:
            answered = self._exports(int(procore)).filter(state=FileExport.State.SUCCESS).first()
            erp_id = answered.erp_id if answered is not None else ""
        head = self.find_head(erp_id)
        if head is None:
            if (
                procore is not None
                and self._exports(int(procore)).filter(state=FileExport.State.WAITING).exists()
            ):
                return DocumentStanding(
                    DocumentState.OPEN, "The commitment (its file waits for the ERP's import)"
                )
            return DocumentStanding(DocumentState.GONE, "The commitment")
        label = f"Commitment {head['number']}"
        for item in self.adapter.reader(Entity.JOBS).rows():
            if isinstance(item, Row) and item.values["erp_id"] == head["job_erp_id"]:
                label += f" on job {item.values['code']}"
                break
        return DocumentStanding(document_state(head["status"]), label)

    def valid_head(self, row: Row, name: str, problems: ListingProblems) -> bool:
        if row.values["kind"] in layouts.COMMITMENT_KINDS:
            return True
        problems.add(
            RowProblem(
                name,
                row.line,
                "kind",
                f"{row.values['kind']!r} is neither subcontract nor purchase_order",
                row.values["erp_id"],
            ).as_unreadable()
        )
        return False

    def header_item_type(self, payload: dict[str, Any]) -> str:
        kind = layouts.PROCORE_COMMITMENT_TYPES.get(str(self.header(payload).get("type")))
        return layouts.COMMITMENT_KINDS.get(kind or "", self.item_type)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        commitment = self.header(payload)
        problems = _required(commitment, "number", "Commitment number")
        if str(commitment.get("type")) not in layouts.PROCORE_COMMITMENT_TYPES:
            problems.append(
                f"Commitment type '{commitment.get('type')}' is neither a subcontract nor a "
                "purchase order."
            )
        job = str(
            payload.get("job_id") or as_dict(commitment.get("project")).get("origin_id") or ""
        )
        if not job or not self.adapter.holds(Entity.JOBS, job):
            name = as_dict(commitment.get("project")).get("name") or job
            problems.append(f"Job '{name}' is not in the ERP; export the project first.")
        problems += layouts.number_problems(
            "Commitment", {"retainage_percent": commitment.get("retainage_percent")}
        )
        vendor = str(as_dict(commitment.get("vendor")).get("origin_id") or "")
        if not vendor or not self.adapter.holds(Entity.VENDORS, vendor):
            name = as_dict(commitment.get("vendor")).get("company") or vendor
            problems.append(f"Vendor '{name}' is not in the ERP; export the vendor first.")
        problems += self.line_rules(payload)
        if not problems:
            items = [as_dict(item) for item in payload.get(self.lines_key) or []]
            total = lines_total_problem(
                commitment.get("grand_total"), [item.get("amount") for item in items]
            )
            problems += [total] if total else []
        return problems


class CommitmentChangeOrders(Documents):
    entity = Entity.COMMITMENT_CHANGE_ORDERS
    item_type = "change_order"
    what = "change order"
    payload_key = "change_order"
    lines_key = "change_order_items"
    export_rows = staticmethod(layouts.change_order_export_rows)
    build = staticmethod(layouts.change_order_object)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The change order as the ERP's export holds it, for
        ``unlink_commitment_change_order``: by its ERP id, else the ERP id its file was answered with; void by its status word;
        the Procore ids of its lines as its export file carried them."""
        origin_id, procore_id = ref.get("origin_id"), ref.get("procore_id")
        erp_id = str(origin_id or "")
        answered = None
        if procore_id is not None:
            answered = self._exports(int(procore_id)).filter(state=FileExport.State.SUCCESS).first()
        if not erp_id and answered is not None:
            erp_id = answered.erp_id
        head = self.find_head(erp_id)
        if head is None:
            waiting = procore_id is not None and (
                self._exports(int(procore_id)).filter(state=FileExport.State.WAITING).exists()
            )
            state = DocumentState.OPEN if waiting else DocumentState.GONE
            return DocumentStanding(state, "the change order")
        number = "?"
        for item in self.adapter.reader(Entity.COMMITMENTS).rows():
            if isinstance(item, Row) and item.values["erp_id"] == head["commitment_erp_id"]:
                number = item.values["number"]
                break
        lines: tuple[int, ...] = ()
        if answered is not None and answered.erp_id == erp_id:
            lines = tuple(
                int(link[1]) for link in answered.links[1:] if str(link[2]).startswith("line:")
            )
        return DocumentStanding(
            document_state(head["status"]),
            f"change order {head['number']} on commitment {number}",
            status=str(head["status"] or ""),
            line_procore_ids=lines,
        )

    def rules(self, payload: dict[str, Any]) -> list[str]:
        change_order = self.header(payload)
        problems = _required(change_order, "number", "Change order number")
        commitment = as_dict(payload.get("commitment"))
        origin = str(commitment.get("origin_id") or "")
        if not origin or not self.adapter.holds(Entity.COMMITMENTS, origin):
            problems.append(
                f"Commitment {commitment.get('number') or origin} is not in the ERP; export "
                "the commitment first."
            )
        return problems + self.line_rules(payload)
