"""An ERP reached by exchanging files in folders (a mounted share or SFTP drop).

Import: the ERP exports one file per entity into the import folder (``vendors.csv`` or
``vendors.xlsx``, ``jobs``, ``cost_codes``, ``cost_types``; layouts in ``layouts.py`` and
docs/adapters.md); ``list()`` streams it row by row, and a bad row is reported (file, line,
column) while the rest proceeds.

Export: ``create()`` writes the Procore object as a one-row CSV into the outbox, atomically,
named ``<entity>-<procore id>-<request detail>-<n>.csv`` so the ERP's importer picks up
``<entity>-*.csv``, and raises ``ERPPending``: the Request Detail shows in progress. The ERP
answers with an acknowledgement file in the inbox; ``answers_collect()`` (on a schedule) records
each answer on its ``FileExport`` row and moves the file aside, and the portal asks ``create()``
again, which now returns the ERP's id or raises its refusal. With no answer within
``stale_after_hours``, ``create()`` raises ``ERPNoAnswer`` and the detail closes stale.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from erp_adapters.base import (
    Adapter,
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    EntityAdapter,
    ERPAnswer,
    ERPNoAnswer,
    ERPObject,
    ERPPending,
    ERPUnavailable,
    ExternalLink,
    HealthState,
    HealthStatus,
    ListingProblems,
    job_cost_code_origin_id,
)
from erp_adapters.document_status import document_state
from erp_adapters.document_totals import lines_total_problem
from erp_adapters.files import layouts
from erp_adapters.files.exchange import (
    PROCESSED,
    REJECTED,
    inbox_read,
    move_aside,
    write_atomically,
)
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import FileRefused, Formats, LayoutReader, Row, RowProblem

logger = logging.getLogger(__name__)

_FOLDER = {
    "type": "string",
    "pattern": "^/",
    "minLength": 2,
    "maxLength": 400,
}

SETTINGS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "File exchange",
    "type": "object",
    "properties": {
        "import_folder": {
            **_FOLDER,
            "title": "Import folder",
            "description": "absolute path of the folder where the ERP writes its exports "
            "(vendors.csv, jobs.csv, cost_codes.csv, cost_types.csv, or .xlsx)",
        },
        "outbox_folder": {
            **_FOLDER,
            "title": "Outbox folder",
            "description": "absolute path of the folder the ERP's importer reads: one CSV per "
            "object exported from Procore",
        },
        "inbox_folder": {
            **_FOLDER,
            "title": "Inbox folder",
            "description": "absolute path of the folder where the ERP writes its "
            "acknowledgement files; read ones are moved to its processed/ subfolder",
        },
        "encoding": {
            "title": "Encoding",
            "description": "the files' text encoding: utf-8 (a byte-order mark is accepted), "
            "cp1252 or latin-1",
            "enum": ["utf-8", "cp1252", "latin-1"],
            "default": "utf-8",
        },
        "delimiter": {
            "title": "Delimiter",
            "description": "the CSV field delimiter: ',' or ';'",
            "enum": [",", ";"],
            "default": ",",
        },
        "decimal_separator": {
            "title": "Decimal separator",
            "description": "what separates the decimals in numbers: '.' or ','; numbers never "
            "have a thousands separator",
            "enum": [".", ","],
            "default": ".",
        },
        "write_bom": {
            "title": "Write a byte-order mark",
            "description": "true or false; true starts every outbox file with a UTF-8 "
            "byte-order mark (some Windows importers need it)",
            "type": "boolean",
            "default": False,
        },
        "stale_after_hours": {
            "title": "Stale after (hours)",
            "description": "how long an export waits for the ERP's acknowledgement before "
            "its Request Detail closes as stale, 0.1 to 168 hours (the portal's "
            "WORK_MAX_AGE_HOURS, 24 by default, caps it)",
            "type": "number",
            "minimum": 0.1,
            "maximum": 168,
            "default": 24,
        },
        "check_every_seconds": {
            "title": "Check every (seconds)",
            "description": "how often a waiting export looks for its answer besides the "
            "inbox scan, 30 to 3600 seconds",
            "type": "integer",
            "minimum": 30,
            "maximum": 3600,
            "default": 300,
        },
        "entities": {
            "title": "Entities",
            "description": "the entities this ERP exchanges through the folders, e.g. "
            '["vendors", "jobs", "job_costs", "commitments"]; left out, all of them. The '
            "health check expects an import file for each listed entity the ERP exports, and "
            "the portal refuses to send the others",
            "type": "array",
            "items": {"enum": [str(entity) for entity in Entity]},
            "uniqueItems": True,
            "minItems": 1,
        },
    },
    "required": ["import_folder", "outbox_folder", "inbox_folder"],
    "additionalProperties": False,
}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


class FileEntity:
    """What every entity of a file-exchange ERP shares: reading its import file, and writing
    and tracking its export files."""

    entity: Entity
    item_type: str  # the External Data item type of an exported object
    what: str  # how an accountant calls it
    payload_key: str | None = None  # where the object sits in the payload (None: the payload)
    export_rows: Callable[[dict[str, Any]], list[dict[str, str]]]

    def __init__(self, adapter: FilesAdapter) -> None:
        self.adapter = adapter
        self.listing_problems = ListingProblems()

    # -- import ------------------------------------------------------------------------------

    def import_file(self) -> Path:
        """The entity's file in the import folder: ``<stem>.csv`` or ``<stem>.xlsx``. A missing
        folder or file is the ERP (or its share) not being there: retried, never read as an
        empty list, which would archive everything Procore holds."""
        return self.adapter.import_file(self.entity)

    def reader(self) -> LayoutReader:
        return self.adapter.reader(self.entity)

    def items(self) -> Iterator[Row | RowProblem]:
        try:
            yield from self.reader().rows()
        except OSError as exc:
            raise ERPUnavailable(f"The import file could not be read: {exc}") from exc

    def rows(self) -> Iterator[Row]:
        """The rows that read cleanly; the others go to ``listing_problems``."""
        self.listing_problems = problems = ListingProblems()
        for item in self.items():
            if isinstance(item, RowProblem):
                problems.add(item.as_unreadable())
            else:
                yield item

    def reject(self, file_name: str, row: Row, column: str | None, reason: str) -> None:
        """A row that read but cannot be sent: the record is still in the ERP (never archived)."""
        key = row.values.get("erp_id")
        problem = RowProblem(file_name, row.line, column, reason, key)
        self.listing_problems.add(problem.as_unreadable())

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        raise NotImplementedError

    def list(self) -> Iterator[ERPObject]:
        """One object per good row, streamed (memory does not grow with the file)."""
        for row in self.rows():
            yield self.to_object(row.values)

    # -- export ------------------------------------------------------------------------------

    def header(self, payload: Any) -> dict[str, Any]:
        data = payload if isinstance(payload, dict) else {}
        if self.payload_key:
            inner = data.get(self.payload_key)
            return inner if isinstance(inner, dict) else {}
        return data

    def rules(self, payload: dict[str, Any]) -> list[str]:
        """Why the ERP would refuse the export (``payload`` is the whole request data), as far
        as its files tell: a required value missing, a reference the ERP does not hold."""
        return []

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        """The External Data links the export needs once the ERP answers, header first:
        ``[item type, Procore id, ""]`` for the object itself (the ERP's id), ``line:<n>`` for
        the n-th line (the n-th of the ERP's line ids), ``job:<cost code>`` for a job cost
        code (``<job>|<cost code>``)."""
        return [[self.item_type, procore_id, ""]]

    def _exports(self, procore_id: int):
        return FileExport.objects.filter(
            outbox=self.adapter.outbox_key, entity=self.entity, procore_id=procore_id
        )

    def _handed_over(self, procore_id: int | None) -> bool:
        if procore_id is None:
            return False
        exports = self._exports(procore_id)
        if exports.filter(state=FileExport.State.SUCCESS).exists():
            return True
        latest = exports.order_by("-id").first()
        return latest is not None and not (
            # Released: void in the ERP, or reset; the export no longer stands for the object.
            latest.state == FileExport.State.RELEASED
            or (
                latest.answer_reported
                and latest.state in (FileExport.State.FAILED, FileExport.State.STALE)
            )
        )

    def _answered(self, ref: DocumentRef) -> FileExport | None:
        """The export the ERP answered for this document: by Procore id, else by ERP id."""
        exports = FileExport.objects.filter(
            outbox=self.adapter.outbox_key, entity=self.entity, state=FileExport.State.SUCCESS
        )
        procore_id = _as_int(ref.get("procore_id"))
        if procore_id is not None:
            found = exports.filter(procore_id=procore_id).order_by("-id").first()
            if found is not None:
                return found
        origin_id = str(ref.get("origin_id") or "")
        return exports.filter(erp_id=origin_id).order_by("-id").first() if origin_id else None

    def release(self, ref: DocumentRef) -> tuple[ExternalLink, ...]:
        """Forget the portal's tie to the document (its answered export, marked released: a
        void document is never revived, and exporting the Procore object again sends a new
        file); the ties it held."""
        answered = self._answered(ref)
        if answered is None:
            return ()
        dropped = self.result(answered, created=False).links
        FileExport.objects.filter(
            outbox=self.adapter.outbox_key,
            entity=self.entity,
            procore_id=answered.procore_id,
            state=FileExport.State.SUCCESS,
        ).update(state=FileExport.State.RELEASED)
        return dropped

    def check_create(self, payload: Any) -> list[str]:
        """Nothing to say about an object already handed to the ERP (its answer, when it comes,
        is what ``create`` reports)."""
        if self._handed_over(_as_int(self.header(payload).get("id"))):
            return []
        return self.rules(payload if isinstance(payload, dict) else {})

    def create(self, payload: Any) -> CreateResult:
        data = payload if isinstance(payload, dict) else {}
        header = self.header(data)
        procore_id = _as_int(header.get("id"))
        if procore_id is None:
            raise ConstraintViolation([f"The export carries no Procore id for the {self.what}."])
        self.adapter.folder("outbox_folder")  # an outbox that is not there: retry, claim nothing
        detail = _as_int(header.get("request_detail_id")) or _as_int(data.get("request_detail_id"))
        exports = self._exports(procore_id)
        answered = exports.filter(state=FileExport.State.SUCCESS).order_by("-id").first()
        if answered is not None:
            created = not answered.answer_reported
            if created:
                self._report(answered)
            return self.result(answered, created=created)
        latest = exports.order_by("-id").first()
        if latest is not None and latest.state == FileExport.State.WRITING:
            self._write(latest, data)  # a worker died before the rename: finish it
            latest.refresh_from_db()
        if latest is not None and latest.state == FileExport.State.WAITING:
            self._wait(latest)
        if (
            latest is not None
            and latest.state == FileExport.State.FAILED
            and not latest.answer_reported
        ):
            self._report(latest)
            raise ConstraintViolation([f"The ERP refused it: {latest.message}"])
        problems = self.rules(data)
        if problems:
            raise ConstraintViolation(problems)
        export = self._claim(data, procore_id, detail, exports.count() + 1)
        self._write(export, data)
        raise ERPPending(self._pending_message(export), check_again_in=self._check_again_in(export))

    # -- the steps ----------------------------------------------------------------------------

    def _claim(
        self, payload: dict[str, Any], procore_id: int, detail: int | None, number: int
    ) -> FileExport:
        """A new export row (its file name is unique per outbox, so two workers exporting the
        same object at once cannot both write it: the loser waits on the winner's file)."""
        stem = layouts.EXPORT_FILE_STEMS.get(self.entity) or layouts.IMPORT_FILE_STEMS[self.entity]
        name = f"{stem}-{procore_id}-{detail if detail is not None else 'x'}-{number}.csv"
        try:
            with transaction.atomic():
                return FileExport.objects.create(
                    outbox=self.adapter.outbox_key,
                    file_name=name,
                    entity=self.entity,
                    procore_id=procore_id,
                    request_detail_id=detail,
                    links=self.links(payload, procore_id),
                )
        except IntegrityError:
            winner = FileExport.objects.get(outbox=self.adapter.outbox_key, file_name=name)
            raise ERPPending(
                self._pending_message(winner), check_again_in=self.adapter.check_every
            ) from None

    def _write(self, export: FileExport, payload: dict[str, Any]) -> None:
        settings = self.adapter.settings
        rows = layouts.decimal_cells(type(self).export_rows(payload), settings["decimal_separator"])
        encoding = settings["encoding"]
        if encoding == "utf-8" and settings["write_bom"]:
            encoding = "utf-8-sig"
        try:
            write_atomically(
                self.adapter.folder("outbox_folder"),
                export.file_name,
                rows,
                encoding=encoding,
                delimiter=settings["delimiter"],
            )
        except UnicodeEncodeError as exc:
            FileExport.objects.filter(pk=export.pk).delete()
            (self.adapter.folder("outbox_folder") / f".{export.file_name}.tmp").unlink(
                missing_ok=True
            )
            raise ConstraintViolation(
                [
                    f"The {self.what} has characters the ERP's file encoding ({encoding}) "
                    f"cannot hold: {exc.object[exc.start : exc.end]!r}."
                ]
            ) from None
        except OSError as exc:
            raise ERPUnavailable(f"The outbox could not be written: {exc}") from exc
        FileExport.objects.filter(pk=export.pk, state=FileExport.State.WRITING).update(
            state=FileExport.State.WAITING, written_at=timezone.now()
        )

    def _wait(self, export: FileExport) -> None:
        """Still waiting: pending, or stale once the time limit has passed."""
        deadline = (export.written_at or export.created_at) + self.adapter.stale_after
        if timezone.now() >= deadline:
            FileExport.objects.filter(pk=export.pk, state=FileExport.State.WAITING).update(
                state=FileExport.State.STALE, answer_reported=True
            )
            hours = self.adapter.stale_after.total_seconds() / 3600
            raise ERPNoAnswer(
                f"The ERP did not acknowledge {export.file_name} within {hours:g} hours; it is "
                "closed as stale. Support can re-drive it once the ERP has imported the file, "
                "or to send it again."
            )
        raise ERPPending(self._pending_message(export), check_again_in=self._check_again_in(export))

    def _report(self, export: FileExport) -> None:
        FileExport.objects.filter(pk=export.pk).update(answer_reported=True)

    def _check_again_in(self, export: FileExport) -> float:
        deadline = (export.written_at or timezone.now()) + self.adapter.stale_after
        until_stale = (deadline - timezone.now()).total_seconds() + 1
        return max(1.0, min(float(self.adapter.check_every), until_stale))

    def _pending_message(self, export: FileExport) -> str:
        return (
            f"Handed to the ERP as {export.file_name}; waiting for the ERP to import it and "
            "acknowledge."
        )

    def result(self, export: FileExport, *, created: bool) -> CreateResult:
        erp_id, lines = export.erp_id, list(export.line_erp_ids or [])
        links = []
        for item_type, item_id, what in export.links or [[self.item_type, export.procore_id, ""]]:
            if not what:
                origin_id = erp_id
            elif what.startswith("line:"):
                index = int(what.removeprefix("line:"))
                if index >= len(lines):
                    continue  # the ERP did not say the line's id
                origin_id = lines[index]
            else:
                origin_id = job_cost_code_origin_id(erp_id, what.removeprefix("job:"))
            links.append(ExternalLink(item_type, int(item_id), origin_id))
        return CreateResult(erp_id, export.erp_code or erp_id, created, tuple(links))


def _required(header: dict[str, Any], key: str, label: str) -> list[str]:
    value = header.get(key)
    return [] if isinstance(value, str | int) and str(value).strip() else [f"{label} is required."]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class Vendors(FileEntity):
    entity = Entity.VENDORS
    item_type = "vendor"
    what = "vendor"
    payload_key = "vendor"
    export_rows = staticmethod(layouts.vendor_export_rows)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        vendor = self.header(payload)
        if str(vendor.get("name") or vendor.get("company") or "").strip():
            return []
        return ["Vendor name is required."]

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.vendor_object(values)


class Jobs(FileEntity):
    """``create_or_update_job``: the ERP creates the job from the file; once it has answered,
    a later export of the same project is answered with the same job (the file exchange
    carries no updates)."""

    entity = Entity.JOBS
    item_type = "project"
    what = "project"
    payload_key = "job"
    export_rows = staticmethod(layouts.job_export_rows)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        job = self.header(payload)
        problems = _required(job, "name", "Job name")
        if not str(job.get("origin_code") or "").strip():
            problems.append(
                "Job code is required: enter the ERP's job code when exporting the project."
            )
        return problems

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        """The job, and each of its cost codes whose standard cost code came from the ERP."""
        links = [[self.item_type, procore_id, ""]]
        for ref in map(_dict, payload.get("all_cost_codes") or []):
            standard = layouts.cost_code_erp_id(ref)
            if standard and _as_int(ref.get("id")) is not None:
                links.append(["cost_code", _as_int(ref.get("id")), f"job:{standard}"])
        return links

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.job_object(values)


class StandardCostCodes(FileEntity):
    """Cost codes are listed parents first, in code order, whatever order the file has: the
    file is read whole for that (a company's cost code list is hundreds to a few thousand
    codes), and a code whose parent is not in the file is reported, not sent."""

    entity = Entity.STANDARD_COST_CODES
    item_type = "standard_cost_code"
    what = "cost code"
    export_rows = staticmethod(layouts.cost_code_export_rows)

    def rules(self, item: dict[str, Any]) -> list[str]:
        code = str(item.get("full_code") or item.get("code") or "").strip()
        problems = [] if code else ["Cost code is required."]
        problems += _required(item, "name", "Cost code name")
        parent = str(item.get("parent_origin_id") or "").strip()
        parent_procore_id = _as_int(item.get("parent_id"))
        if parent_procore_id is not None and self._handed_over(parent_procore_id):
            return problems  # the parent went in an earlier file: the ERP imports them in order
        if parent and not self.adapter.holds(Entity.STANDARD_COST_CODES, parent):
            problems.append(
                f"Cost code {code}: its parent is not in the ERP's cost code list; export the "
                "parent first."
            )
        return problems

    def list(self) -> Iterator[ERPObject]:
        name = self.import_file().name
        rows = [row for row in self.rows() if row.values["is_active"]]
        codes = {row.values["erp_id"]: row.values["code"] for row in rows}
        rows.sort(key=lambda row: row.values["code"])
        for row in rows:
            parent = row.values["parent_erp_id"]
            if parent is not None and parent not in codes:
                self.reject(
                    name,
                    row,
                    "parent_erp_id",
                    f"the parent {parent!r} is not an active cost code of the file",
                )
                continue
            yield layouts.cost_code_object(row.values, codes.get(parent) if parent else None)


class CostTypes(FileEntity):
    entity = Entity.STANDARD_CATEGORIES
    item_type = "line_item_type"
    what = "cost type"
    export_rows = staticmethod(layouts.cost_type_export_rows)

    def rules(self, item: dict[str, Any]) -> list[str]:
        return _required(item, "code", "Cost type code") + _required(item, "name", "Cost type name")

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.cost_type_object(values)


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

    def find_head(self, erp_id: str) -> dict[str, Any] | None:
        """The document's first readable row (a streamed scan), None when the ERP has no row
        of it. A document whose rows are all unreadable is still in the ERP, never "gone"
        (that would let Procore unlink it): the check is retried until the file is corrected."""
        if not erp_id:
            return None
        unreadable = None
        for item in self.items():
            if isinstance(item, Row):
                if item.values["erp_id"] == erp_id:
                    return item.values
            elif item.key == erp_id and unreadable is None:
                unreadable = item.as_unreadable()
        if unreadable is not None:
            raise ERPUnavailable(
                f"The ERP's export holds the {self.what} {erp_id}, but {unreadable.where} "
                f"cannot be read ({unreadable.reason}); correct the file in the ERP."
            )
        return None

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        links = [[self.header_item_type(payload), procore_id, ""]]
        items = [item for item in map(_dict, payload.get(self.lines_key) or []) if item]
        for index, item in enumerate(items):
            if _as_int(item.get("id")) is not None:
                links.append(["line_item", _as_int(item.get("id")), f"line:{index}"])
        return links

    def header_item_type(self, payload: dict[str, Any]) -> str:
        return self.item_type

    def line_rules(self, payload: dict[str, Any]) -> list[str]:
        """Each line names a cost code and a cost type the ERP holds."""
        problems = []
        items = [item for item in map(_dict, payload.get(self.lines_key) or []) if item]
        codes = types = None
        for n, item in enumerate(items, start=1):
            problems += layouts.number_problems(
                f"Line {n}", {key: item.get(key) for key in ("amount", "quantity", "unit_cost")}
            )
            code = layouts.cost_code_erp_id(_dict(item.get("cost_code")))
            cost_type = str(_dict(item.get("line_item_type")).get("origin_id") or "")
            if codes is None:
                codes = self.adapter.erp_ids(Entity.STANDARD_COST_CODES)
                types = self.adapter.erp_ids(Entity.STANDARD_CATEGORIES)
            if code not in codes:
                label = _dict(item.get("cost_code")).get("full_code") or "?"
                problems.append(f"Line {n}: cost code {label} is not in the ERP's cost code list.")
            if cost_type not in types:
                label = _dict(item.get("line_item_type")).get("code") or "?"
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
        job = str(payload.get("job_id") or _dict(commitment.get("project")).get("origin_id") or "")
        if not job or not self.adapter.holds(Entity.JOBS, job):
            name = _dict(commitment.get("project")).get("name") or job
            problems.append(f"Job '{name}' is not in the ERP; export the project first.")
        problems += layouts.number_problems(
            "Commitment", {"retainage_percent": commitment.get("retainage_percent")}
        )
        vendor = str(_dict(commitment.get("vendor")).get("origin_id") or "")
        if not vendor or not self.adapter.holds(Entity.VENDORS, vendor):
            name = _dict(commitment.get("vendor")).get("company") or vendor
            problems.append(f"Vendor '{name}' is not in the ERP; export the vendor first.")
        problems += self.line_rules(payload)
        if not problems:
            items = [_dict(item) for item in payload.get(self.lines_key) or []]
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
        commitment = _dict(payload.get("commitment"))
        origin = str(commitment.get("origin_id") or "")
        if not origin or not self.adapter.holds(Entity.COMMITMENTS, origin):
            problems.append(
                f"Commitment {commitment.get('number') or origin} is not in the ERP; export "
                "the commitment first."
            )
        return problems + self.line_rules(payload)


class FilesAdapter(Adapter):
    """An ERP that exchanges files through folders; see docs/adapters.md."""

    key = "files"
    label = "File exchange"
    settings_schema = SETTINGS_SCHEMA
    answers_later = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        # Imported here: the job structure's entities build on this module's FileEntity.
        from erp_adapters.files import job_structure

        super().__init__(settings)
        self.outbox_key = os.path.normpath(self.settings["outbox_folder"])
        self.stale_after = timedelta(hours=float(self.settings["stale_after_hours"]))
        self.check_every = int(self.settings["check_every_seconds"])
        # Entities in modules of their own build on this one: imported here, not at the top.
        from erp_adapters.files.payapps_direct_costs import PAYAPP_DIRECT_COST_CLASSES
        from erp_adapters.files.prime_contracts import PRIME_CONTRACT_CLASSES

        self._entities: dict[Entity, EntityAdapter[Any]] = {
            cls.entity: cls(self)
            for cls in (
                Vendors,
                Jobs,
                StandardCostCodes,
                CostTypes,
                Commitments,
                CommitmentChangeOrders,
                *PRIME_CONTRACT_CLASSES,
                Requisitions,
                ContractPayments,
                *PAYAPP_DIRECT_COST_CLASSES,
                *job_structure.CLASSES,  # sub jobs, job costs, budgets; jobs with cost codes
            )
        }

    def entities(self) -> Mapping[Entity, EntityAdapter[Any]]:
        """The entities the settings name (all when they name none): an ERP that exports
        only vendors and jobs is healthy without the other files, and refuses the rest."""
        chosen = self.settings.get("entities")
        if not chosen:
            return self._entities
        return {entity: one for entity, one in self._entities.items() if str(entity) in chosen}

    def folder(self, setting: str) -> Path:
        """A configured folder that exists; ``ERPUnavailable`` when it does not (a share that
        is not mounted is an outage, not an empty ERP)."""
        path = Path(self.settings[setting])
        if not path.is_dir():
            raise ERPUnavailable(
                f"The {setting.replace('_', ' ')} {path} does not exist or is not a folder "
                "(is the share mounted?)."
            )
        return path

    def import_file(self, entity: Entity) -> Path:
        """``<stem>.csv`` or ``<stem>.xlsx`` in the import folder (see ``FileEntity``)."""
        folder = self.folder("import_folder")
        stem = layouts.IMPORT_FILE_STEMS[entity]
        found = [folder / f"{stem}{ext}" for ext in (".csv", ".xlsx")]
        found = [path for path in found if path.is_file()]
        if len(found) > 1:
            raise FileRefused(
                f"The import folder holds both {stem}.csv and {stem}.xlsx; keep the one the ERP "
                "exports."
            )
        if not found:
            raise ERPUnavailable(
                f"{stem}.csv (or {stem}.xlsx) is not in the import folder {folder} yet; the "
                "import runs once the ERP has exported it."
            )
        return found[0]

    def reader(self, entity: Entity) -> LayoutReader:
        return LayoutReader(
            self.import_file(entity),
            layouts.IMPORT_LAYOUTS[entity],
            encoding=self.settings["encoding"],
            delimiter=self.settings["delimiter"],
            formats=Formats(self.settings["decimal_separator"]),
        )

    def holds(self, entity: Entity, erp_id: str) -> bool:
        """Whether the ERP's export of ``entity`` holds a record with this id (a streamed scan:
        exports are a few a minute, and the file is the ERP's word)."""
        try:
            return any(
                isinstance(item, Row) and item.values["erp_id"] == erp_id
                for item in self.reader(entity).rows()
            )
        except OSError as exc:
            raise ERPUnavailable(f"The import file could not be read: {exc}") from exc

    def erp_ids(self, entity: Entity) -> set[str]:
        """Every id in the ERP's export of a small entity (cost codes, cost types)."""
        try:
            return {
                item.values["erp_id"]
                for item in self.reader(entity).rows()
                if isinstance(item, Row)
            }
        except OSError as exc:
            raise ERPUnavailable(f"The import file could not be read: {exc}") from exc

    def health_check(self) -> HealthStatus:
        """Every folder exists and is writable (the portal writes the outbox, moves files out
        of the inbox, and the import folder must at least be readable)."""
        problems: list[str] = []
        details: dict[str, Any] = {}
        for setting, needs in (
            ("import_folder", os.R_OK),
            ("outbox_folder", os.W_OK),
            ("inbox_folder", os.W_OK),
        ):
            path = Path(self.settings[setting])
            label = setting.replace("_", " ")
            if not path.is_dir():
                problems.append(f"the {label} {path} does not exist")
            elif not os.access(path, needs | os.X_OK):
                problems.append(
                    f"the {label} {path} is not {'writable' if needs == os.W_OK else 'readable'}"
                )
            details[setting] = str(path)
        if problems:
            return HealthStatus(
                HealthState.FAILING, f"File exchange: {'; '.join(problems)}.", details
            )
        stems = sorted(
            stem
            for entity, stem in layouts.IMPORT_FILE_STEMS.items()
            if entity in self.entities()
            if not any(
                (Path(self.settings["import_folder"]) / f"{stem}{ext}").is_file()
                for ext in (".csv", ".xlsx")
            )
        )
        waiting = FileExport.objects.filter(
            outbox=self.outbox_key, state=FileExport.State.WAITING
        ).count()
        details.update(missing_import_files=stems, waiting_exports=waiting)
        if stems:
            return HealthStatus(
                HealthState.DEGRADED,
                f"File exchange: the folders are ready, but the ERP has not exported "
                f"{', '.join(f'{s}.csv' for s in stems)} yet.",
                details,
            )
        return HealthStatus(
            HealthState.OK,
            f"File exchange: the folders are ready; {waiting} export(s) wait for the ERP.",
            details,
        )

    def answers_collect(self) -> list[ERPAnswer]:
        """Read every finished acknowledgement file in the inbox, record each answer on its
        export, and move the file to processed/ (rejected/ when it cannot be read at all)."""
        inbox = self.folder("inbox_folder")
        settings = self.settings
        collected: list[ERPAnswer] = []
        try:
            for path, answers, _bad in inbox_read(
                inbox, encoding=settings["encoding"], delimiter=settings["delimiter"]
            ):
                if answers is None:
                    move_aside(path, REJECTED)
                    continue
                for answer in answers:
                    export = self._record(answer)
                    if export is not None:
                        collected.append(
                            ERPAnswer(
                                Entity(export.entity),
                                export.procore_id,
                                export.request_detail_id,
                                answer.status,
                            )
                        )
                move_aside(path, PROCESSED)
        except OSError as exc:
            raise ERPUnavailable(f"The inbox could not be read: {exc}") from exc
        return collected

    def _record(self, answer) -> FileExport | None:
        """The first answer about a file stands; later ones are ignored."""
        export = FileExport.objects.filter(outbox=self.outbox_key, file_name=answer.file).first()
        if export is None:
            logger.warning(
                "ERP acknowledgement %s answers %s, which this outbox never wrote",
                answer.answer_file,
                answer.file,
            )
            return None
        if export.state in (FileExport.State.SUCCESS, FileExport.State.FAILED):
            return None
        fields: dict[str, Any] = {
            "state": answer.status,
            "answer_file": answer.answer_file[:255],
            "answered_at": timezone.now(),
            "answer_reported": False,
        }
        if answer.status == "success":
            fields.update(
                erp_id=answer.erp_id[:255],
                erp_code=answer.erp_code[:255],
                line_erp_ids=list(answer.line_erp_ids),
            )
        else:
            fields.update(message=answer.message[:2000])
        written = FileExport.objects.filter(
            pk=export.pk,
            state__in=(
                FileExport.State.WRITING,
                FileExport.State.WAITING,
                FileExport.State.STALE,
            ),
        ).update(**fields)
        return export if written else None


# -- Requisitions and contract payments (issue 13), in their own module ----------------------
from erp_adapters.files.requisitions import ContractPayments, Requisitions  # noqa: E402
