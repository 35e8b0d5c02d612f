"""The two folders an export travels through: the outbox the ERP imports from, and the inbox
where the ERP writes its acknowledgements.

Writing is atomic: the file is written under a temporary name the ERP's importer ignores
(``.<name>.tmp``), flushed to disk, then renamed, so the importer sees the whole file or
nothing. Reading the inbox skips what is still being written (temporary names), applies every
answer it finds, then moves the file to ``processed/`` (or ``rejected/`` when it cannot be read
at all): no acknowledgement is read twice.

An acknowledgement is a CSV (the adapter's encoding and delimiter) with the header
``file,status,erp_id,erp_code,message`` (and, optionally, ``line_erp_ids``) and one row per
export it answers; ``file`` is the name of the outbox file. ``status`` is ``success`` (then
``erp_id`` is required) or ``failed`` (then ``message`` is required). For a commitment or a
change order, ``line_erp_ids`` lists the ERP ids of its lines, in the outbox file's order,
separated by ``|``.
"""

from __future__ import annotations

import csv
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from erp_adapters.files.reading import Column, FileRefused, LayoutReader, Row, is_half_written

logger = logging.getLogger(__name__)

PROCESSED = "processed"
REJECTED = "rejected"

ACK_COLUMNS = (
    Column("file", required=True),
    Column("status", required=True),
    Column("erp_id"),
    Column("erp_code"),
    Column("message"),
    Column("line_erp_ids"),
)
ACK_STATUSES = ("success", "failed")


def write_atomically(
    folder: Path, name: str, rows: list[dict[str, str]], *, encoding: str, delimiter: str
) -> Path:
    """Write a CSV (a header, then ``rows``) as ``folder/name``, whole or not at all."""
    final = folder / name
    temporary = folder / f".{name}.tmp"
    with temporary.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(list(rows[0]))
        writer.writerows([list(row.values()) for row in rows])
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    return final


@dataclass(frozen=True)
class Answer:
    """One row of an acknowledgement file."""

    file: str
    status: str
    erp_id: str
    erp_code: str
    message: str
    answer_file: str
    line_erp_ids: tuple[str, ...] = ()


@dataclass
class InboxReport:
    answers: list[Answer]
    files: int = 0
    rejected: int = 0
    bad_rows: int = 0


def _answer(row: Row, answer_file: str) -> Answer | str:
    values = row.values
    status = values["status"].lower()
    if status not in ACK_STATUSES:
        return f"status {values['status']!r} is neither success nor failed"
    if status == "success" and not values["erp_id"]:
        return "a success needs the ERP's id (erp_id)"
    if status == "failed" and not values["message"]:
        return "a failure needs the ERP's message (message)"
    return Answer(
        file=Path(values["file"]).name,
        status=status,
        erp_id=values["erp_id"],
        erp_code=values["erp_code"] or values["erp_id"],
        message=values["message"],
        answer_file=answer_file,
        line_erp_ids=tuple(
            part.strip() for part in values["line_erp_ids"].split("|") if part.strip()
        ),
    )


def acknowledgement_files(inbox: Path) -> Iterator[Path]:
    """The inbox's finished CSV files, oldest first (half-written ones are left alone)."""
    files = [
        path
        for path in inbox.iterdir()
        if path.is_file() and path.suffix.lower() == ".csv" and not is_half_written(path)
    ]
    yield from sorted(files, key=lambda path: (path.stat().st_mtime, path.name))


def read_acknowledgement(path: Path, *, encoding: str, delimiter: str) -> tuple[list[Answer], int]:
    """The answers of one file and how many of its rows could not be read (logged)."""
    reader = LayoutReader(path, ACK_COLUMNS, encoding=encoding, delimiter=delimiter)
    answers: list[Answer] = []
    bad = 0
    for item in reader.rows():
        result = _answer(item, path.name) if isinstance(item, Row) else item.reason
        if isinstance(result, Answer):
            answers.append(result)
        else:
            bad += 1
            line = item.line
            logger.error("ERP acknowledgement %s, line %s is not usable: %s", path, line, result)
    return answers, bad


def move_aside(path: Path, folder_name: str) -> Path | None:
    """Move an inbox file to ``<inbox>/<folder_name>/``, its name prefixed with the time, so
    it is never read again; None when another worker moved it first."""
    target_folder = path.parent / folder_name
    target_folder.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = target_folder / f"{stamp}-{path.name}"
    try:
        os.replace(path, target)
    except FileNotFoundError:
        return None
    return target


def inbox_read(
    inbox: Path, *, encoding: str, delimiter: str
) -> Iterator[tuple[Path, list[Answer] | None, int]]:
    """Each finished acknowledgement file with its answers (None when it cannot be read at
    all) and its count of unusable rows. The caller records the answers, then moves the file."""
    for path in acknowledgement_files(inbox):
        try:
            answers, bad = read_acknowledgement(path, encoding=encoding, delimiter=delimiter)
        except FileRefused as exc:
            logger.error("ERP acknowledgement %s cannot be read: %s", path, exc)
            yield path, None, 0
            continue
        except FileNotFoundError:
            continue  # another worker took it
        yield path, answers, bad
