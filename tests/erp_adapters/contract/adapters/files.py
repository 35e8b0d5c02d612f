"""The files adapter in the contract suite: the books become the ERP's export files (one CSV per
entity, in the documented layouts) in a fresh temporary folder, and ``create`` plays the ERP's
part: it imports the outbox file into its books (adds the rows to its export file, with new
ERP ids) and writes its acknowledgement, as a file-exchange ERP does, before asking the
adapter again."""

from __future__ import annotations

import csv
import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from erp_adapters.base import Adapter, CreateResult, Entity, ERPPending
from erp_adapters.files.exchange import ACK_COLUMNS
from erp_adapters.files.layouts import IMPORT_FILE_STEMS, IMPORT_LAYOUTS
from erp_adapters.files.models import FileExport
from erp_adapters.files.simulator import book_export
from erp_adapters.registry import get_adapter
from tests.erp_adapters.contract.books import Books, LineRow
from tests.erp_adapters.contract.erp import ContractERP

_erps = itertools.count(1)


def _columns(entity: Entity) -> list[str]:
    return [column.name for column in IMPORT_LAYOUTS[entity]]


def _line_cells(line: LineRow) -> dict[str, Any]:
    return {
        "line_erp_id": line.origin_id,
        "line_position": line.position,
        "line_description": line.description,
        "line_amount": line.amount,
        "line_cost_code_erp_id": line.cost_code_origin_id,
        "line_cost_type_erp_id": line.cost_type_origin_id,
    }


def books_rows(books: Books) -> dict[Entity, list[dict[str, Any]]]:
    """The books as the ERP's export files hold them."""
    commitments = []
    for c in books.commitments:
        head = {
            "erp_id": c.origin_id,
            "kind": c.kind,
            "number": c.number,
            "title": c.title,
            "status": c.status,
            "job_erp_id": c.job_origin_id,
            "vendor_erp_id": c.vendor_origin_id,
        }
        commitments += [{**head, **_line_cells(line)} for line in c.lines] or [head]
    change_orders = []
    for co in books.change_orders:
        head = {
            "erp_id": co.origin_id,
            "number": co.number,
            "title": co.title,
            "job_erp_id": books.commitment(co.commitment_origin_id).job_origin_id,
            "commitment_erp_id": co.commitment_origin_id,
        }
        change_orders += [
            {
                **head,
                **_line_cells(line),
                "line_commitment_line_erp_id": line.commitment_line_origin_id,
            }
            for line in co.lines
        ] or [head]
    return {
        Entity.VENDORS: [
            {
                "erp_id": v.origin_id,
                "code": v.code,
                "name": v.name,
                "city": v.city,
                "state_code": v.state_code,
                "email_address": v.email_address,
            }
            for v in books.vendors
        ],
        Entity.STANDARD_COST_CODES: [
            {
                "erp_id": c.origin_id,
                "code": c.code,
                "name": c.name,
                "parent_erp_id": c.parent_origin_id,
            }
            for c in books.cost_codes
        ],
        Entity.STANDARD_CATEGORIES: [
            {"erp_id": t.origin_id, "code": t.code, "name": t.name} for t in books.cost_types
        ],
        Entity.JOBS: [
            {
                "erp_id": j.origin_id,
                "code": j.code,
                "name": j.name,
                "city": j.city,
                "state_code": j.state_code,
            }
            for j in books.jobs
        ],
        Entity.COMMITMENTS: commitments,
        Entity.COMMITMENT_CHANGE_ORDERS: change_orders,
        Entity.PRIME_CONTRACTS: prime_contract_rows(books),
        Entity.PRIME_CONTRACT_CHANGE_ORDERS: [],
        Entity.PAYMENT_APPLICATIONS: [
            {
                "erp_id": p.origin_id,
                "number": p.number,
                "job_erp_id": p.job_origin_id,
                "status": p.status,
                "billed_this_period": p.amount,
                "line_erp_id": p.line_origin_id,
                "line_position": 1,
                "line_amount": p.amount,
            }
            for p in books.pay_apps
        ],
        Entity.COMPANY_LEVEL_DIRECT_COSTS: [
            {
                "erp_id": d.origin_id,
                "number": d.number,
                "kind": d.kind,
                "vendor_erp_id": d.vendor_origin_id,
                "status": d.status,
                "total": d.amount,
                "line_erp_id": d.line_origin_id,
                "line_position": 1,
                "line_job_erp_id": d.job_origin_id,
                "line_amount": d.amount,
            }
            for d in books.direct_costs
        ],
        **requisition_rows(books),
        **structure_rows(books),
    }


class FilesContractERP(ContractERP):
    """A file-exchange ERP in three folders, and the adapter configured on them."""

    def __init__(self, root: Path, books: Books) -> None:
        self.folders = {name: root / name for name in ("import", "outbox", "inbox")}
        for path in self.folders.values():
            path.mkdir(parents=True)
        self.settings = {f"{name}_folder": str(path) for name, path in self.folders.items()}
        super().__init__(get_adapter("files", self.settings))
        for entity, rows in books_rows(books).items():
            self._append(entity, rows, header=True)

    def _import_path(self, entity: Entity) -> Path:
        return self.folders["import"] / f"{IMPORT_FILE_STEMS[entity]}.csv"

    def _append(self, entity: Entity, rows: list[dict[str, Any]], *, header: bool = False) -> None:
        columns = _columns(entity)
        with self._import_path(entity).open("a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            if header:
                writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})

    def create(self, entity: Entity, payload: dict[str, Any]) -> CreateResult:
        try:
            return self.adapter.entity(entity).create(payload)
        except ERPPending:
            pass
        self.answer_outbox()
        return self.adapter.entity(entity).create(payload)

    def answer_outbox(self) -> None:
        """Play the ERP: import every waiting export and collect the answers."""
        for export in FileExport.objects.filter(
            outbox=self.adapter.outbox_key, state=FileExport.State.WAITING
        ):
            self._import(export)
        assert self.adapter.answers_collect()

    def _import(self, export: FileExport) -> None:
        """The ERP's importer: the outbox file becomes rows of its books, and an answer. Jobs
        and sub jobs: one row of their file, their cost codes and cost types into job_costs.csv
        (kept sorted by job); budgets: kept by the ERP, answered with an id per transaction (the
        simulator's importer does the same)."""
        entity = Entity(export.entity)
        with (self.folders["outbox"] / export.file_name).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        if entity in (Entity.JOBS, Entity.SUB_JOBS, Entity.BUDGETS):
            erp_id = str(uuid.uuid4())
            code = rows[0].get("code") or f"E-{next(_erps)}"
            line_ids = [str(uuid.uuid4()) if row.get("line_procore_id") else "" for row in rows]
            book_export(
                self.folders["import"],
                entity,
                [{**row, "erp_id": erp_id, "code": code} for row in rows],
            )
        else:
            if self._refuse_lines_held(export, entity, rows):
                return
            erp_id = str(uuid.uuid4())
            head = rows[0]
            code = head.get("code") or head.get("number") or f"E-{next(_erps)}"
            line_ids = [str(uuid.uuid4()) if row.get("line_procore_id") else "" for row in rows]
            imported = []
            for row, line_id in zip(rows, line_ids, strict=True):
                values = {k: v for k, v in row.items() if k in _columns(entity)}
                values["erp_id"] = erp_id
                if "code" in values:
                    values["code"] = code
                if "parent_erp_id" in row:
                    values["parent_erp_id"] = row["parent_erp_id"] or None
                if line_id:
                    values["line_erp_id"] = line_id
                imported.append(values)
            self._append(entity, imported)
        self._answer(
            export,
            {
                "file": export.file_name,
                "status": "success",
                "erp_id": erp_id,
                "erp_code": code,
                "message": "",
                "line_erp_ids": "|".join(filter(None, line_ids)),
            },
        )

    def _refuse_lines_held(self, export: FileExport, entity: Entity, rows) -> bool:
        """The ERP's importer refuses a file with a line whose Procore id its books hold already
        (a unique key on the line's Procore id, as the sample SQL ERP has): a failed answer."""
        if "line_procore_id" not in _columns(entity):
            return False
        with self._import_path(entity).open(encoding="utf-8", newline="") as f:
            held = {row["line_procore_id"] for row in csv.DictReader(f) if row["line_procore_id"]}
        clash = [row["line_procore_id"] for row in rows if row.get("line_procore_id") in held]
        if not clash:
            return False
        self._answer(
            export,
            {
                "file": export.file_name,
                "status": "failed",
                "message": f"line {clash[0]} is already imported",
            },
        )
        return True

    def _answer(self, export: FileExport, answer: dict[str, str]) -> None:
        """The ERP's acknowledgement of one outbox file, in the inbox."""
        with (self.folders["inbox"] / f"ack-{export.file_name}").open(
            "w", encoding="utf-8", newline=""
        ) as handle:
            writer = csv.DictWriter(handle, [column.name for column in ACK_COLUMNS])
            writer.writeheader()
            writer.writerow(answer)

    def unavailable(self) -> Adapter:
        """The share is not mounted: none of the folders is there."""
        gone = str(self.folders["import"].parent / "not-mounted")
        return get_adapter(
            "files", {"import_folder": gone, "outbox_folder": gone, "inbox_folder": gone}
        )

    # -- Payment applications and company-level direct costs --------------------------------------

    def _rows(self, entity: Entity) -> list[dict[str, str]]:
        with self._import_path(entity).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def booked(self, entity: Entity, origin_id: str) -> tuple[Decimal, list[Decimal]]:
        rows = [row for row in self._rows(entity) if row["erp_id"] == origin_id]
        total = "billed_this_period" if entity is Entity.PAYMENT_APPLICATIONS else "total"
        lines = sorted((int(row["line_position"]), row["line_amount"]) for row in rows)
        return Decimal(rows[0][total]), [Decimal(amount) for _position, amount in lines]

    def void(self, entity: Entity, origin_id: str) -> None:
        """The ERP's export file, written again with the document's rows marked void."""
        path = self._import_path(entity)
        rows = self._rows(entity)
        for row in rows:
            if row["erp_id"] == origin_id:
                row["status"] = "Void"
        path.unlink()
        self._append(entity, rows, header=True)


@pytest.fixture
def files_contract_factory(db, tmp_path) -> Callable[[Books], ContractERP]:
    def make(books: Books) -> ContractERP:
        return FilesContractERP(tmp_path / f"erp-{next(_erps)}", books)

    return make


def prime_contract_rows(books: Books) -> list[dict[str, Any]]:
    """The books' owner contracts as ``prime_contracts.csv`` holds them, a row per line."""
    rows: list[dict[str, Any]] = []
    for pc in books.prime_contracts:
        head = {
            "erp_id": pc.origin_id,
            "number": pc.number,
            "title": pc.title,
            "status": pc.status,
            "job_erp_id": pc.job_origin_id,
        }
        rows += [{**head, **_line_cells(line)} for line in pc.lines] or [head]
    return rows


# -- Requisitions and payments (issue 13) -------------------------------------------------------


def requisition_rows(books: Books) -> dict[Entity, list[dict[str, Any]]]:
    """The books' invoices (one row per line) and payments as the ERP's export files hold them."""
    requisitions = [
        {
            "erp_id": r.origin_id,
            "number": r.number,
            "status": r.status,
            "commitment_erp_id": r.commitment_origin_id,
            "procore_id": r.procore_id,
            "billing_date": r.billing_date,
            "line_erp_id": line.origin_id,
            "line_position": line.position,
            "line_procore_id": line.procore_id,
            "line_item_type": line.item_type,
            "line_description": line.description,
            "line_amount": line.amount,
            "line_commitment_line_erp_id": line.commitment_line_origin_id,
            "line_change_order_line_erp_id": line.change_order_line_origin_id,
        }
        for r in books.requisitions
        for line in r.lines
    ]
    payments = [
        {
            "erp_id": p.origin_id,
            "number": p.number,
            "requisition_erp_id": p.requisition_origin_id,
            "amount": p.amount,
            "payment_date": p.paid_on,
            "check_number": p.check_number,
            "payment_method": p.method,
            "status": p.status,
            "procore_id": p.procore_id,
        }
        for p in books.payments
    ]
    return {Entity.REQUISITIONS: requisitions, Entity.CONTRACT_PAYMENTS: payments}


# -- Sub jobs, job costs and budgets ----------------------------------------------------------------


def structure_rows(books: Books) -> dict[Entity, list[dict[str, Any]]]:
    """The books' sub jobs and job costs as sub_jobs.csv and job_costs.csv hold them (the rows
    of each job together, as the layout requires)."""
    costs = []
    for entry in sorted(books.job_costs, key=lambda e: e.job_origin_id):
        amounts = entry.amounts or (None, None, None)
        costs.append(
            {
                "job_erp_id": entry.job_origin_id,
                "sub_job_erp_id": entry.sub_job_origin_id,
                "cost_code_erp_id": entry.cost_code_origin_id,
                "cost_type_erp_id": entry.cost_type_origin_id,
                **dict(
                    zip(("original_estimate", "estimate", "job_to_date_cost"), amounts, strict=True)
                ),
            }
        )
    return {
        Entity.SUB_JOBS: [
            {"erp_id": s.origin_id, "code": s.code, "name": s.name, "job_erp_id": s.job_origin_id}
            for s in books.sub_jobs
        ],
        Entity.JOB_COSTS: costs,
    }
