"""Reading an ERP's export file row by row, strictly, as the layout of its entity says.

One file per entity, CSV or XLSX. A CSV is read in the stated encoding (UTF-8 files may start
with a byte-order mark) and with the stated delimiter; an XLSX through openpyxl in read-only
mode (its first sheet), which streams rows from the zip instead of building the workbook, so
memory stays flat whatever the row count.

What is wrong with the file as a whole (it cannot be decoded, the header lacks a required
column or has one the layout does not know) raises ``FileRefused``: nothing of it is used, so a
broken export never archives what Procore holds. What is wrong with one row (a missing value,
a number with a thousands separator, a date not written YYYY-MM-DD) is a ``RowProblem`` naming
the file, the line and the column; the row is skipped and the rest proceeds.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from erp_adapters.base import AdapterError, UnreadableRecord
from erp_adapters.files.xlsx import Workbook, WorkbookUnreadable

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".filepart", ".crdownload")


def is_half_written(path: Path) -> bool:
    """A file still being written under a temporary name (``vendors.csv.tmp``, rclone's
    ``.partial``, WinSCP's ``.filepart``, a dot-file): never read, whatever it holds."""
    name = path.name
    return name.startswith((".", "~$")) or name.lower().endswith(IGNORED_SUFFIXES)


class FileRefused(AdapterError):
    """The file cannot be read at all; the message names it and says what to fix."""


@dataclass(frozen=True)
class Column:
    """One column of a layout: its header name, whether a value is required, and its kind
    (``text``, ``decimal``, ``date``, ``bool``, ``int``)."""

    name: str
    required: bool = False
    kind: str = "text"
    default: Any = ""


class CellError(ValueError):
    """A value that does not read as its column's kind; the message says what is expected."""


@dataclass(frozen=True)
class Formats:
    """How numbers are written in the ERP's files (the adapter's settings)."""

    decimal_separator: str = "."


_DECIMAL = {".": re.compile(r"^-?\d+(\.\d+)?$"), ",": re.compile(r"^-?\d+(,\d+)?$")}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}


def read_decimal(text: str, formats: Formats) -> Decimal:
    """Digits, an optional minus and one decimal separator: nothing else (no thousands
    separator, no currency sign, no exponent), so '1.234' can never mean one thousand."""
    if not _DECIMAL[formats.decimal_separator].match(text):
        raise CellError(
            f"{text!r} is not a decimal number (write digits with "
            f"'{formats.decimal_separator}' before the decimals and no thousands separator, "
            f"e.g. 1234{formats.decimal_separator}50)"
        )
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise CellError(f"{text!r} is not a decimal number") from exc


def read_date(text: str) -> date:
    if not _DATE.match(text):
        raise CellError(f"{text!r} is not a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CellError(f"{text!r} is not a date of the calendar") from exc


def read_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise CellError(f"{text!r} is not true or false (write true/false, yes/no or 1/0)")


def read_int(text: str) -> int:
    if not re.match(r"^-?\d+$", text):
        raise CellError(f"{text!r} is not a whole number")
    return int(text)


def read_value(column: Column, text: str, formats: Formats) -> Any:
    """The cell's value as its column's kind; blank gives the column's default (or a
    ``CellError`` when a value is required)."""
    if text == "":
        if column.required:
            raise CellError("a value is required")
        return column.default
    if column.kind == "decimal":
        return read_decimal(text, formats)
    if column.kind == "date":
        return read_date(text)
    if column.kind == "bool":
        return read_bool(text)
    if column.kind == "int":
        return read_int(text)
    return text


@dataclass(frozen=True)
class Row:
    """A row that read cleanly: its values by column name, and where it is."""

    line: int
    values: dict[str, Any]


@dataclass(frozen=True)
class RowProblem:
    """A row that did not read: where, and why. ``key`` is the raw text of the layout's first
    column (the record's ERP id) when the row has one, so the lines of a document can be told
    apart from another document's even when one of them is bad, and so the import never takes
    the record for one that left the ERP (``UnreadableRecord.origin_id``)."""

    file: str
    line: int
    column: str | None
    reason: str
    key: str | None = None

    def as_unreadable(self) -> UnreadableRecord:
        where = f"{self.file}, line {self.line}"
        reason = f"column {self.column}: {self.reason}" if self.column else self.reason
        return UnreadableRecord(where, reason, self.key)


def _xlsx_text(value: Any, column: Column) -> str:
    """An XLSX cell as the text a CSV would hold: spreadsheets type their cells, and a number
    or date the ERP typed is taken as it is (a whole number without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if column.kind == "date" and value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


class LayoutReader:
    """Streams the rows of one file against a layout (``Column``s by header name)."""

    def __init__(
        self,
        path: Path,
        columns: tuple[Column, ...],
        *,
        encoding: str = "utf-8",
        delimiter: str = ",",
        formats: Formats = Formats(),
    ) -> None:
        self.path = path
        self.columns = {column.name: column for column in columns}
        self.encoding = encoding
        self.delimiter = delimiter
        self.formats = formats

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self) -> Iterator[Row | RowProblem]:
        """Each data row, read (``Row``) or refused (``RowProblem``); ``FileRefused`` when the
        file as a whole cannot be read."""
        if self.path.suffix.lower() == ".xlsx":
            yield from self._xlsx_rows()
        else:
            yield from self._csv_rows()

    # -- the header ------------------------------------------------------------------------

    def _check_header(self, header: list[str]) -> list[str]:
        names = [name.strip() for name in header]
        unknown = [n for n in names if n and n not in self.columns]
        missing = [c.name for c in self.columns.values() if c.required and c.name not in names]
        repeated = sorted({n for n in names if n and names.count(n) > 1})
        problems = []
        if missing:
            problems.append(f"the header lacks the column(s) {', '.join(missing)}")
        if unknown:
            problems.append(f"the column(s) {', '.join(unknown)} are not in the layout")
        if repeated:
            problems.append(f"the column(s) {', '.join(repeated)} appear more than once")
        if problems:
            raise FileRefused(
                f"{self.name}: {'; '.join(problems)} (the layout's columns: "
                f"{', '.join(self.columns)}; see docs/adapters.md)."
            )
        return names

    # -- one row ---------------------------------------------------------------------------

    def _read(self, names: list[str], cells: list[str], line: int) -> Row | RowProblem:
        first = next(iter(self.columns))
        # The record's id even when the row has too many or too few fields (a thousands
        # separator in an amount splits it after the id), so the bad row spoils its own record.
        key = (
            cells[names.index(first)].strip() or None
            if first in names and names.index(first) < len(cells)
            else None
        )
        if len(cells) != len(names):
            return RowProblem(
                self.name,
                line,
                None,
                f"{len(cells)} fields where the header has {len(names)} (check the "
                f"delimiter {self.delimiter!r} and the quoting)",
                key,
            )
        values: dict[str, Any] = {}
        by_name = dict(zip(names, cells, strict=True))
        for column in self.columns.values():
            text = (by_name.get(column.name) or "").strip()
            try:
                values[column.name] = read_value(column, text, self.formats)
            except CellError as exc:
                return RowProblem(self.name, line, column.name, str(exc), key)
        return Row(line, values)

    # -- CSV -------------------------------------------------------------------------------

    def _csv_rows(self) -> Iterator[Row | RowProblem]:
        encoding = (
            "utf-8-sig" if self.encoding.replace("_", "-").lower() == "utf-8" else self.encoding
        )
        try:
            with self.path.open(encoding=encoding, errors="strict", newline="") as handle:
                reader = csv.reader(handle, delimiter=self.delimiter, strict=True)
                try:
                    header = next(reader)
                except StopIteration:
                    raise FileRefused(
                        f"{self.name} is empty: it needs at least the header."
                    ) from None
                names = self._check_header(header)
                while True:
                    start = reader.line_num + 1
                    try:
                        cells = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as exc:
                        yield RowProblem(self.name, start, None, f"not valid CSV: {exc}")
                        continue
                    if not any(cell.strip() for cell in cells):
                        continue  # a blank line
                    yield self._read(names, cells, start)
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"{self.name} is not {self.encoding} text (byte {exc.object[exc.start]:#04x} at "
                f"byte offset {exc.start} of a read block): save it as {self.encoding} or "
                "change the adapter's encoding setting."
            ) from None

    # -- XLSX ------------------------------------------------------------------------------

    def _xlsx_rows(self) -> Iterator[Row | RowProblem]:
        """The first sheet, streamed by ``xlsx.Workbook`` (flat memory whatever the rows)."""
        try:
            workbook = Workbook(self.path)
        except WorkbookUnreadable as exc:
            raise FileRefused(f"{self.name} is not a readable XLSX workbook: {exc}") from None
        try:
            rows = workbook.rows()
            try:
                _line, header = next(rows)
            except StopIteration:
                raise FileRefused(f"{self.name} is empty: it needs at least the header.") from None
            except WorkbookUnreadable as exc:
                raise FileRefused(f"{self.name} is not a readable XLSX workbook: {exc}") from None
            header_cells = ["" if cell is None else str(cell) for cell in header]
            while header_cells and not header_cells[-1].strip():
                header_cells.pop()
            names = self._check_header(header_cells)
            try:
                for line, cells in rows:
                    cells = list(cells)[: len(names)] + [None] * (len(names) - len(cells))
                    if all(cell is None or str(cell).strip() == "" for cell in cells):
                        continue
                    texts = [
                        _xlsx_text(cell, self.columns.get(name, Column(name)))
                        for name, cell in zip(names, cells, strict=True)
                    ]
                    yield self._read(names, texts, line)
            except WorkbookUnreadable as exc:
                raise FileRefused(f"{self.name} stops being readable: {exc}") from None
        finally:
            workbook.close()
