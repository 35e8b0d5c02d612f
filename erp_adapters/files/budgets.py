"""Budgets exported from Procore to a file-exchange ERP (``create_budget``/``update_budget``).

A budget export hands the ERP a ``budgets-…csv`` of the transactions it does not hold yet, one per
row (``line_procore_id`` is Procore's transaction id), and waits for its answer like every export
of this adapter (``ERPPending``; the Request Detail in progress). The answer's ``erp_id`` is the
budget's and ``line_erp_ids`` the transactions', in the file's order. A re-export writes a file
with only the transactions no earlier file carried (a refused or stale file frees its own), so no
transaction is posted twice; later files name the budget the ERP made for the first
(``budget_erp_id``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from erp_adapters.base import (
    BudgetExport,
    BudgetResult,
    ConstraintViolation,
    Entity,
    EntityNotSupported,
    ERPObject,
    ERPPending,
    ExternalLink,
    TransactionLink,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.files import layouts
from erp_adapters.files.entity import FileEntity, _as_int
from erp_adapters.files.models import FileExport
from erp_adapters.money import NotAnAmount, amount
from erp_adapters.payload import as_dict

TRANSACTION = "erp_transaction"  # links: [TRANSACTION, Procore transaction id, "line:<n>"]


class Budgets(FileEntity):
    """``Entity.BUDGETS`` (``base.BudgetAdapter``): a budget export hands the ERP a file of the
    transactions it does not hold yet and waits for its answer (``ERPPending``)."""

    entity = Entity.BUDGETS
    item_type = "budget"
    what = "budget"
    payload_key = "budget"
    export_rows = staticmethod(layouts.budget_export_rows)

    def import_file(self) -> Path:
        raise EntityNotSupported("The ERP exports no budgets; they go from Procore to the ERP.")

    def list(self) -> Iterator[ERPObject]:
        """Budgets go from Procore to the ERP only: nothing to list."""
        raise EntityNotSupported("The ERP exports no budgets; they go from Procore to the ERP.")

    def rules(self, payload: dict[str, Any]) -> list[str]:
        problems = []
        job = str(payload.get("job_id") or "")
        if not job or not self.adapter.holds(Entity.JOBS, job):
            return ["The budget's job is not in the ERP; export the project first."]
        if _as_int(self.header(payload).get("id")) is None:
            problems.append("The export carries no Procore id for the budget.")
        block = self.adapter.entity(Entity.JOB_COSTS).block_of(job)
        types = self.adapter.erp_ids(Entity.STANDARD_CATEGORIES)
        lines = {}
        for line in map(as_dict, payload.get("job_costs") or []):
            line_id = _as_int(line.get("id"))
            if line_id is None:
                problems.append("A budget line carries no Procore job cost id.")
                continue
            sub_job = str(line.get("sub_job_origin_id") or "") or None
            standard = standard_part_of_cost_code_origin_id(
                str(line.get("cost_code_origin_id") or "")
            )
            biller = None if block is None else block.billers.get(sub_job)
            if biller is None or standard not in biller.codes:
                where = "its sub job" if sub_job else "the job"
                problems.append(
                    f"A budget line's cost code is not on {where} in the ERP; export the job's "
                    "cost codes first."
                )
                continue
            if str(line.get("line_item_type_origin_id") or "") not in types:
                problems.append(
                    f"A budget line on cost code {biller.codes[standard][0]} has a cost type the "
                    "ERP does not know."
                )
                continue
            lines[line_id] = line
        for item in map(as_dict, payload.get("transactions") or []):
            try:
                value = amount(item.get("value"))
                if abs(value) >= 10**12:
                    problems.append("A transaction amount is larger than the ERP allows.")
            except NotAnAmount:
                problems.append(f"Transaction amount '{item.get('value')}' is not a number.")
            if _as_int(item.get("id")) is None:
                problems.append("A transaction carries no Procore id.")
            if _as_int(item.get("job_cost_id")) not in lines:
                problems.append(
                    f"Transaction {item.get('id')} names a budget line the export does not carry."
                )
        return list(dict.fromkeys(problems))

    def _carried(self, budget_id: int) -> dict[int, FileExport]:
        """Each transaction handed over, and the export that carries it (the latest live one:
        a refusal reported or an export gone stale frees its transactions)."""
        carried: dict[int, FileExport] = {}
        for export in self._exports(budget_id).order_by("id"):
            dead = export.answer_reported and export.state in (
                FileExport.State.FAILED,
                FileExport.State.STALE,
            )
            for link in export.links or []:
                if link[0] == TRANSACTION:
                    if dead:
                        carried.pop(int(link[1]), None)
                    else:
                        carried[int(link[1])] = export
        return carried

    def check_export(self, payload: BudgetExport) -> list[str]:
        data = as_dict(payload)
        budget_id = _as_int(self.header(data).get("id"))
        ids = [_as_int(as_dict(t).get("id")) for t in data.get("transactions") or []]
        if budget_id is not None and ids and None not in ids:
            carried = self._carried(budget_id)
            if all(i in carried for i in ids):
                return []
        return self.rules(data)

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        transactions = [as_dict(t) for t in payload.get("transactions") or []]
        return [
            [self.item_type, procore_id, ""],
            *[[TRANSACTION, int(t["id"]), f"line:{n}"] for n, t in enumerate(transactions)],
        ]

    def export(self, payload: BudgetExport) -> BudgetResult:
        data = as_dict(payload)
        budget_id = _as_int(self.header(data).get("id"))
        if budget_id is None:
            raise ConstraintViolation(["The export carries no Procore id for the budget."])
        self.adapter.folder("outbox_folder")
        transactions = [as_dict(t) for t in data.get("transactions") or []]
        carried = self._carried(budget_id)
        for export in {e.pk: e for e in carried.values()}.values():
            if export.state == FileExport.State.WRITING:
                subset = [t for t in transactions if _as_int(t.get("id")) in _ids(export)]
                self._write(export, {**data, "transactions": subset})
                export.refresh_from_db()
            if export.state == FileExport.State.WAITING:
                self._wait(export)
            if export.state == FileExport.State.FAILED and not export.answer_reported:
                self._report(export)
                raise ConstraintViolation([f"The ERP refused it: {export.message}"])
        new = [t for t in transactions if _as_int(t.get("id")) not in carried]
        if new or not carried:
            problems = self.rules(data)
            if problems:
                raise ConstraintViolation(problems)
            # The ERP's id of the budget, once it has answered one export: later files name it.
            known = self._first_answer(budget_id)
            budget = {**self.header(data), "origin_id": known.erp_id if known else ""}
            subset = {**data, "budget": budget, "transactions": new}
            detail = _as_int(data.get("request_detail_id"))
            export = self._claim(subset, budget_id, detail, self._exports(budget_id).count() + 1)
            self._write(export, subset)
            raise ERPPending(
                self._pending_message(export), check_again_in=self._check_again_in(export)
            )
        return self._budget_result(budget_id, transactions, carried)

    def _budget_result(
        self, budget_id: int, transactions: list[dict[str, Any]], carried: dict[int, FileExport]
    ) -> BudgetResult:
        exports = {e.pk: e for e in carried.values()}
        links: list[TransactionLink] = []
        for item in transactions:
            export = carried[int(item["id"])]
            for link in FileEntity.result(self, export, created=False).links:
                if link.item_type == TRANSACTION and link.item_id == int(item["id"]):
                    links.append(TransactionLink(link.item_id, link.origin_id))
        fresh = [e for e in exports.values() if not e.answer_reported]
        posted = sum(len(_ids(e)) for e in fresh)
        for export in fresh:
            self._report(export)
        first = self._first_answer(budget_id) or max(exports.values(), key=lambda e: e.pk)
        created = first.pk in {e.pk for e in fresh}
        header = ExternalLink(self.item_type, budget_id, first.erp_id)
        return BudgetResult(
            first.erp_id, first.erp_code or first.erp_id, created, (header,), tuple(links), posted
        )

    def _first_answer(self, budget_id: int) -> FileExport | None:
        """The budget's first export the ERP imported: its answer is the budget's ERP id."""
        exports = self._exports(budget_id).filter(state=FileExport.State.SUCCESS)
        return exports.order_by("id").first()

    def note_imported(self, project_origin_id: str, budget_id: int) -> str | None:
        """The ERP's budgets are not read from its files: none to remember."""
        return None


def _ids(export: FileExport) -> set[int]:
    return {int(link[1]) for link in export.links or [] if link[0] == TRANSACTION}
