"""The first sheet of an XLSX workbook, row by row, in memory that does not grow with the rows.

Why not openpyxl's read-only mode: it streams the sheet's XML through ``ElementTree.iterparse``
and clears each row once read, but a cleared element stays attached to its parent
(``sheetData``), so every row read leaves an empty element behind: about 150 bytes a row, 15 MiB
of Python objects for 100,000 rows. And it loads the shared strings table (every distinct text
of the workbook, which is how Excel stores text) as one Python list. Both grow with the file.

Here each row is detached from ``sheetData`` once read, and the shared strings are spilled to
two temporary files (the texts, and a fixed-width offset per string) and read back by index
through a small cache, so what stays in memory is one row and the cache whatever the count.

Values come back as openpyxl's ``values_only`` would give them, except numbers: a number cell
is its decimal text as the workbook stores it (``"12.5"``, never a binary float), so amounts
are read exactly; a number in a date format becomes a ``datetime``.

The XML is the ERP's own export, parsed with the standard library: ElementTree resolves no
external entity, and expat (2.4.1 and later) refuses entity expansion attacks, so nothing here
needs defusedxml (``noqa: S314``).
"""

from __future__ import annotations

import posixpath
import re
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFSET = struct.Struct("<Q")
_COLUMN = re.compile(r"[A-Z]+")
# Excel's built-in number formats that show a date or a time (ECMA-376 §18.8.30).
BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


class WorkbookUnreadable(Exception):
    """Not a workbook this reader can open (not a zip, no sheet, broken XML)."""


def _column_index(reference: str | None, default: int) -> int:
    """``C12`` → 2 (0-based), or ``default`` when the cell carries no reference."""
    match = _COLUMN.match(reference or "")
    if not match:
        return default
    index = 0
    for letter in match.group():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _text_of(element: Element) -> str:
    """A string item's text: its ``t`` runs in order, phonetic guides (``rPh``) left out."""
    parts: list[str] = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            parts.extend(t.text or "" for t in child.iter(f"{MAIN}t"))
    return "".join(parts).replace("x005F_", "")


def is_date_format(code: str) -> bool:
    """A custom number format that shows a date or time (``yyyy-mm-dd``, ``d/m/yy h:mm``)."""
    return bool(_DATE_CODE.search(_QUOTED_OR_ESCAPED.sub("", code.split(";")[0])))


class SharedStrings:
    """The workbook's shared strings on disk, looked up by index."""

    def __init__(self) -> None:
        # Closed by ``close`` (the workbook's), not a with block: they outlive this method.
        self._texts: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self._offsets: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        self.count = 0
        self.get = lru_cache(maxsize=4096)(self._read)

    def load(self, source: IO[bytes]) -> None:
        position = 0
        root: Element | None = None
        for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
            if event == "start":
                if root is None:
                    root = element
                continue
            if element.tag == f"{MAIN}si":
                data = _text_of(element).encode("utf-8")
                self._offsets.write(_OFFSET.pack(position))
                self._texts.write(data)
                position += len(data)
                self.count += 1
                if root is not None:
                    root.clear()  # the strings read live on disk, not in the tree
        self._offsets.write(_OFFSET.pack(position))
        self._texts.flush()
        self._offsets.flush()

    def _read(self, index: int) -> str:
        if not 0 <= index < self.count:
            raise WorkbookUnreadable(f"a cell refers to shared string {index}, which is not there")
        self._offsets.seek(index * _OFFSET.size)
        start, end = struct.unpack("<QQ", self._offsets.read(2 * _OFFSET.size))
        self._texts.seek(start)
        return self._texts.read(end - start).decode("utf-8")

    def close(self) -> None:
        self._texts.close()
        self._offsets.close()


def _parse(archive: zipfile.ZipFile, name: str) -> Element:
    from xml.etree.ElementTree import fromstring

    return fromstring(archive.read(name))  # noqa: S314


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId → (type, path in the zip) of a part's relationships."""
    folder, base = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{base}.rels")
    if rels not in archive.namelist():
        return {}
    out = {}
    for rel in _parse(archive, rels).iter(f"{PACKAGE_REL}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(path))
    return out


class Workbook:
    """One open workbook: where its first sheet is, its strings, which styles are dates."""

    def __init__(self, path: Any) -> None:
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise WorkbookUnreadable(f"not an XLSX workbook ({exc})") from None
        self.strings = SharedStrings()
        try:
            self._open()
        except (KeyError, ParseError, ValueError) as exc:
            self.close()
            raise WorkbookUnreadable(f"its parts cannot be read ({exc})") from None
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        workbook_part = "xl/workbook.xml"
        for _id, (kind, target) in _relationships(self.archive, "").items():
            if kind.endswith("/officeDocument"):
                workbook_part = target
        workbook = _parse(self.archive, workbook_part)
        properties = workbook.find(f"{MAIN}workbookPr")
        self.date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
        if sheet is None:
            raise WorkbookUnreadable("it has no sheet")
        rels = _relationships(self.archive, workbook_part)
        self.sheet_part = rels[sheet.get(f"{REL}id", "")][1]
        self.date_styles: frozenset[int] = frozenset()
        for kind, target in rels.values():
            if kind.endswith("/sharedStrings"):
                with self.archive.open(target) as source:
                    self.strings.load(source)
            elif kind.endswith("/styles"):
                self.date_styles = self._date_styles(_parse(self.archive, target))

    @staticmethod
    def _date_styles(styles: Element) -> frozenset[int]:
        custom = {
            int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
            for fmt in styles.iter(f"{MAIN}numFmt")
        }
        xfs = styles.find(f"{MAIN}cellXfs")
        dates = set()
        for index, xf in enumerate([] if xfs is None else xfs.findall(f"{MAIN}xf")):
            fmt = int(xf.get("numFmtId", "0"))
            if fmt in BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt])):
                dates.add(index)
        return frozenset(dates)

    def _number(self, text: str, style: int) -> Any:
        if style in self.date_styles:
            from openpyxl.utils.datetime import (
                CALENDAR_MAC_1904,
                CALENDAR_WINDOWS_1900,
                from_excel,
            )

            epoch = CALENDAR_MAC_1904 if self.date1904 else CALENDAR_WINDOWS_1900
            return from_excel(float(text), epoch)
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if number == number.to_integral_value():
            return str(int(number))
        return f"{number:f}"

    def _value(self, cell: Element) -> Any:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            inline = cell.find(f"{MAIN}is")
            return None if inline is None else _text_of(inline)
        v = cell.find(f"{MAIN}v")
        if v is None or v.text is None:
            return None
        if kind == "s":
            return self.strings.get(int(v.text))
        if kind == "b":
            return v.text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(v.text.strip())
            except ValueError:
                return v.text
        if kind in ("str", "e"):
            return v.text
        return self._number(v.text.strip(), int(cell.get("s", "0")))

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) for each row of the first sheet that has a cell."""
        number = 0
        with self.archive.open(self.sheet_part) as source:
            parent: Element | None = None
            try:
                for event, element in iterparse(source, events=("start", "end")):  # noqa: S314
                    if event == "start":
                        if element.tag == f"{MAIN}sheetData":
                            parent = element
                        continue
                    if element.tag != f"{MAIN}row":
                        continue
                    number = int(element.get("r") or number + 1)
                    values: list[Any] = []
                    for cell in element.iter(f"{MAIN}c"):
                        index = _column_index(cell.get("r"), len(values))
                        values.extend([None] * (index - len(values)))
                        values.append(self._value(cell))
                    element.clear()
                    if parent is not None:
                        parent.clear()  # let go of the rows read: the point of this module
                    yield number, values
            except ParseError as exc:
                raise WorkbookUnreadable(f"its sheet is not well-formed XML ({exc})") from None

    def close(self) -> None:
        self.strings.close()
        self.archive.close()


def stream_rows(path: Any) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows, the workbook closed when the caller is done."""
    workbook = Workbook(path)
    try:
        yield from workbook.rows()
    finally:
        workbook.close()
