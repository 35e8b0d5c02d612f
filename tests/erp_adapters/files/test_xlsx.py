"""The XLSX reader (erp_adapters/files/xlsx.py): what Excel and other ERPs put in a workbook
(shared strings, inline strings, typed numbers, dates by their format, gaps) read as a CSV
would hold it, and memory that does not grow with the rows."""

from __future__ import annotations

import tracemalloc
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from erp_adapters.files.reading import Column, FileRefused, LayoutReader
from erp_adapters.files.xlsx import Workbook, is_date_format, stream_rows


def test_shared_strings_numbers_dates_and_gaps_come_back_as_written(tmp_path):
    from openpyxl import Workbook as OpenpyxlWorkbook

    book = OpenpyxlWorkbook()  # the normal mode writes text to the shared strings table
    sheet = book.active
    sheet.append(["erp_id", "amount", "starts", "active", "note"])
    sheet.append(["a", 1087.8, datetime(2026, 4, 3), True, "Ångström"])
    sheet.append(["b", 12, None, False, None])
    sheet["A5"] = "after a blank row"
    sheet["E5"] = "a"  # a repeated shared string
    sheet["B6"] = 0.1
    sheet["C6"] = datetime(2026, 4, 3, 14, 30)
    sheet["C6"].number_format = "dd/mm/yyyy hh:mm"
    path = tmp_path / "x.xlsx"
    book.save(path)

    rows = list(stream_rows(path))
    assert rows[0] == (1, ["erp_id", "amount", "starts", "active", "note"])
    assert rows[1] == (2, ["a", "1087.8", datetime(2026, 4, 3), True, "Ångström"])
    assert rows[2] == (3, ["b", "12", None, False])
    assert rows[3] == (5, ["after a blank row", None, None, None, "a"])
    assert rows[4] == (6, [None, "0.1", datetime(2026, 4, 3, 14, 30)])


def test_a_number_is_its_decimal_text_never_a_float(tmp_path):
    from openpyxl import Workbook as OpenpyxlWorkbook

    book = OpenpyxlWorkbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["erp_id", "amount"])
    sheet.append(["a", 987654321098.76])
    sheet.append(["b", 1e-7])
    path = tmp_path / "amounts.xlsx"
    book.save(path)
    reader = LayoutReader(path, (Column("erp_id"), Column("amount", kind="decimal")))
    assert [row.values["amount"] for row in reader.rows()] == [
        Decimal("987654321098.76"),
        Decimal("0.0000001"),
    ]


@pytest.mark.parametrize(
    ("code", "date"),
    [
        ("yyyy-mm-dd", True),
        ("d/m/yy h:mm", True),
        ("#,##0.00", False),
        ('0.00" days"', False),
        ("[Red]0.00", False),
    ],
)
def test_date_formats_are_told_from_number_formats(code, date):
    assert is_date_format(code) is date


def test_a_workbook_without_a_sheet_or_with_broken_xml_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "vendors.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets>")
    with pytest.raises(FileRefused, match=r"vendors\.xlsx is not a readable XLSX workbook"):
        list(LayoutReader(path, (Column("erp_id"),)).rows())


def _vendors_workbook(path: Path, rows: int) -> Path:
    from openpyxl import Workbook as OpenpyxlWorkbook

    book = OpenpyxlWorkbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["erp_id", "code", "name", "city"])
    for n in range(rows):
        sheet.append([f"erp-{n}", f"V-{n:06d}", f"Vendor {n} Construction Supply", "Austin"])
    book.save(path)
    return path


def _peak_while_reading(path: Path) -> int:
    workbook = Workbook(path)
    try:
        tracemalloc.start()
        for _ in workbook.rows():
            pass
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        workbook.close()
    return peak


def test_memory_does_not_grow_with_the_rows(tmp_path):
    """openpyxl's read-only mode kept ~150 bytes per row read (3 MiB more for 20,000 rows)."""
    small = _peak_while_reading(_vendors_workbook(tmp_path / "small.xlsx", 2_000))
    large = _peak_while_reading(_vendors_workbook(tmp_path / "large.xlsx", 20_000))
    assert large < small + 256 * 1024, (small, large)
