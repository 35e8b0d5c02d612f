"""What every entity of the file-exchange ERP shares (``FileEntity``): reading its import
file, and writing and tracking its export files; with the small helpers the entities use to
read an export's payload."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DocumentRef,
    Entity,
    ERPNoAnswer,
    ERPObject,
    ERPPending,
    ERPUnavailable,
    ExternalLink,
    ListingProblems,
    job_cost_code_origin_id,
)
from erp_adapters.files import layouts
from erp_adapters.files.exchange import (
    write_atomically,
)
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import LayoutReader, Row, RowProblem

if TYPE_CHECKING:
    from erp_adapters.files.books import FilesBooks

logger = logging.getLogger(__name__)


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

    def __init__(self, adapter: FilesBooks) -> None:
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

    def find_head(self, erp_id: str, *, noun: str = "") -> dict[str, Any] | None:
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
                f"The ERP's export holds the {noun or self.what} {erp_id}, but {unreadable.where} "
                f"cannot be read ({unreadable.reason}); correct the file in the ERP."
            )
        return None

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
