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
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from erp_adapters.base import (
    Adapter,
    Entity,
    EntityAdapter,
    ERPAnswer,
    ERPUnavailable,
    HealthState,
    HealthStatus,
)
from erp_adapters.files import layouts
from erp_adapters.files.entities import ENTITY_CLASSES
from erp_adapters.files.exchange import (
    PROCESSED,
    REJECTED,
    inbox_read,
    move_aside,
)
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import FileRefused, Formats, LayoutReader, Row

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


class FilesAdapter(Adapter):
    """An ERP that exchanges files through folders; see docs/adapters.md."""

    key = "files"
    label = "File exchange"
    settings_schema = SETTINGS_SCHEMA
    answers_later = True

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.outbox_key = os.path.normpath(self.settings["outbox_folder"])
        self.stale_after = timedelta(hours=float(self.settings["stale_after_hours"]))
        self.check_every = int(self.settings["check_every_seconds"])
        self._entities: dict[Entity, EntityAdapter[Any]] = {
            cls.entity: cls(self) for cls in ENTITY_CLASSES
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
