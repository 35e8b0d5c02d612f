"""The ERP's side of a file exchange, for the demo and the tests: it imports the outbox files the
portal wrote into its books (its export files in the import folder) and answers each in the inbox,
as an accounting system's scheduled importer does.

It reads the folders only (a real ERP cannot see the portal's tables): each finished outbox file
is imported once, then moved to ``outbox/imported/``. A file whose name contains one of
``refuse`` is answered ``failed`` instead, to show a refusal travel back to Procore.
"""

from __future__ import annotations

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path

from erp_adapters.base import Entity
from erp_adapters.files.exchange import ACK_COLUMNS, move_aside, write_atomically
from erp_adapters.files.layouts import EXPORT_FILE_STEMS, IMPORT_FILE_STEMS, IMPORT_LAYOUTS
from erp_adapters.files.reading import is_half_written

IMPORTED = "imported"
_ENTITY_OF_STEM = {stem: entity for entity, stem in (IMPORT_FILE_STEMS | EXPORT_FILE_STEMS).items()}


@dataclass(frozen=True)
class Imported:
    file: str
    status: str
    erp_id: str
    erp_code: str


def _entity_of(name: str) -> Entity | None:
    stem = name.rsplit("-", 3)[0]
    return _ENTITY_OF_STEM.get(stem)


def _next_code(entity: Entity, import_file: Path) -> str:
    """The next ``V-000123``-style code when Procore sent none (vendors, jobs)."""
    prefix = {Entity.VENDORS: "V-", Entity.JOBS: "J-"}.get(entity, "E-")
    numbers = [0]
    if import_file.exists():
        with import_file.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row.get("code") or ""
                if code.startswith(prefix) and code[len(prefix) :].isdigit():
                    numbers.append(int(code[len(prefix) :]))
    return f"{prefix}{max(numbers) + 1:06d}"


def _append(import_file: Path, entity: Entity, rows: list[dict[str, str]]) -> None:
    columns = [column.name for column in IMPORT_LAYOUTS[entity]]
    new = not import_file.exists()
    with import_file.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)


def erp_import_outbox(
    *, import_folder: Path, outbox_folder: Path, inbox_folder: Path, refuse: tuple[str, ...] = ()
) -> list[Imported]:
    """Import every finished outbox file into the books and acknowledge it; what was done."""
    done: list[Imported] = []
    answers: list[dict[str, str]] = []
    for path in sorted(outbox_folder.iterdir()):
        if not path.is_file() or is_half_written(path) or path.suffix.lower() != ".csv":
            continue
        entity = _entity_of(path.name)
        if entity is None:
            continue
        if any(word and word in path.name for word in refuse):
            answers.append(
                {"file": path.name, "status": "failed", "message": "Refused by the demo ERP."}
            )
            done.append(Imported(path.name, "failed", "", ""))
            move_aside(path, IMPORTED)
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        stem = IMPORT_FILE_STEMS.get(entity) or EXPORT_FILE_STEMS[entity]
        import_file = import_folder / f"{stem}.csv"
        # A budget's later files name the budget the ERP made for the first one.
        erp_id = rows[0].get("budget_erp_id") or f"{stem[:4].upper()}-{uuid.uuid4().hex[:12]}"
        code = rows[0].get("code") or rows[0].get("number") or _next_code(entity, import_file)
        line_ids = []
        books = []
        for row in rows:
            values = dict(row, erp_id=erp_id)
            if "code" in row:
                values["code"] = code
            if row.get("line_procore_id"):
                values["line_erp_id"] = f"{erp_id}-L{len(line_ids) + 1}"
                line_ids.append(values["line_erp_id"])
            books.append(values)
        book_export(import_folder, entity, books)
        answers.append(
            {
                "file": path.name,
                "status": "success",
                "erp_id": erp_id,
                "erp_code": code,
                "line_erp_ids": "|".join(line_ids),
            }
        )
        done.append(Imported(path.name, "success", erp_id, code))
        move_aside(path, IMPORTED)
    if answers:
        columns = [column.name for column in ACK_COLUMNS]
        rows = [{name: answer.get(name, "") for name in columns} for answer in answers]
        name = f"acks-{uuid.uuid4().hex[:8]}.csv"
        write_atomically(inbox_folder, name, rows, encoding="utf-8", delimiter=",")
    return done


# -- The job cost structure: where an export's rows go in the books ------------------------------


def book_export(import_folder: Path, entity: Entity, rows: list[dict[str, str]]) -> None:
    """Put an imported export's rows (each with its new ``erp_id``) into the books: a job or sub
    job is one row of jobs.csv or sub_jobs.csv and its cost codes and cost types rows of
    job_costs.csv; a budget stays in the ERP (it exports none); anything else is its rows."""
    if entity is Entity.BUDGETS:
        return
    import_file = import_folder / f"{IMPORT_FILE_STEMS[entity]}.csv"
    if entity not in (Entity.JOBS, Entity.SUB_JOBS):
        _append(import_file, entity, rows)
        return
    _append(import_file, entity, rows[:1])
    head = rows[0]
    job, sub_job = (
        (head["erp_id"], "") if entity is Entity.JOBS else (head["job_erp_id"], head["erp_id"])
    )
    opened = [
        {
            "job_erp_id": job,
            "sub_job_erp_id": sub_job,
            "cost_code_erp_id": row["cost_code_erp_id"],
            "cost_type_erp_id": row.get("cost_type_erp_id", ""),
        }
        for row in rows
        if row.get("cost_code_erp_id")
    ]
    if opened:
        job_costs_add(import_folder, opened)


def job_costs_add(import_folder: Path, rows: list[dict[str, str]]) -> None:
    """Add rows to job_costs.csv keeping each job's rows together (the layout requires it):
    the file is rewritten sorted by job, atomically."""
    path = import_folder / f"{IMPORT_FILE_STEMS[Entity.JOB_COSTS]}.csv"
    columns = [column.name for column in IMPORT_LAYOUTS[Entity.JOB_COSTS]]
    existing: list[dict[str, str]] = []
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            existing = list(csv.DictReader(handle))
    merged = sorted(existing + rows, key=lambda row: row["job_erp_id"])
    cells = [{name: row.get(name) or "" for name in columns} for row in merged]
    write_atomically(import_folder, path.name, cells, encoding="utf-8", delimiter=",")
