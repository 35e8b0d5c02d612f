"""Reading an ERP's export file strictly: encodings, delimiters, decimals, dates, XLSX, and
where a bad value is (file, line, column)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from erp_adapters.files.reading import (
    CellError,
    Column,
    FileRefused,
    Formats,
    LayoutReader,
    Row,
    RowProblem,
    is_half_written,
    read_date,
    read_decimal,
)

COLUMNS = (
    Column("erp_id", required=True),
    Column("amount", kind="decimal", default=None),
    Column("starts", kind="date", default=None),
    Column("active", kind="bool", default=True),
)


def rows_of(path, **options):
    return list(LayoutReader(path, COLUMNS, **options).rows())


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1234.50", ".", "1234.50"),
        ("-0.10", ".", "-0.10"),
        ("12", ".", "12"),
        ("1234,5", ",", "1234.5"),
    ],
)
def test_decimals_in_the_stated_form_are_read_exactly(text, separator, expected):
    assert read_decimal(text, Formats(separator)) == Decimal(expected)


@pytest.mark.parametrize("text", ["1,234.50", "1.234,50", "$12", "1e3", "12.", " ", "1 000"])
def test_anything_else_is_not_a_decimal(text):
    with pytest.raises(CellError, match=r"not a decimal number"):
        read_decimal(text, Formats("."))


@pytest.mark.parametrize("text", ["03/04/2026", "2026-4-3", "20260403", "2026-02-30"])
def test_dates_are_year_month_day_only(text):
    with pytest.raises(CellError):
        read_date(text)


def test_a_date_reads_as_a_date():
    assert read_date("2026-04-03") == date(2026, 4, 3)


def test_utf8_with_a_byte_order_mark_and_semicolons(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("\ufefferp_id;amount;starts;active\r\nÅ1;12,50;2026-01-31;no\r\n".encode())
    (row,) = rows_of(path, delimiter=";", formats=Formats(","))
    assert row == Row(
        2,
        {"erp_id": "Å1", "amount": Decimal("12.50"), "starts": date(2026, 1, 31), "active": False},
    )


def test_cp1252_when_the_settings_say_so(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes("erp_id,amount,starts,active\nMalmö,,,\n".encode("cp1252"))
    (row,) = rows_of(path, encoding="cp1252")
    assert row.values["erp_id"] == "Malmö"


def test_a_file_that_is_not_utf8_is_refused_whole(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_bytes("erp_id,amount,starts,active\nMalmö,,,\n".encode("cp1252"))
    with pytest.raises(FileRefused, match=r"vendors.csv is not utf-8 text \(byte 0xf6"):
        rows_of(path)


def test_a_header_missing_or_adding_a_column_refuses_the_file(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("id,amount,zip_code\n1,2,3\n")
    with pytest.raises(FileRefused) as refused:
        rows_of(path)
    message = str(refused.value)
    assert "lacks the column(s) erp_id" in message
    assert "id, zip_code are not in the layout" in message


def test_bad_rows_name_their_line_and_column_and_the_rest_is_read(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(
        "erp_id,amount,starts,active\n"
        "a,1.00,,\n"
        'b,"1,000.00",,\n'  # line 3: thousands separator
        '"multi\nline",2.00,,\n'  # lines 4-5: one record
        "c,3.00,04/03/2026,\n"  # line 6: date
        ",4.00,,\n"  # line 7: required
        "d,5.00,,yes,extra\n"  # line 8: a field too many
        "\n"
        "e,6.00,2026-04-03,1\n"  # line 10
    )
    rows = rows_of(path)
    good = [r.values["erp_id"] for r in rows if isinstance(r, Row)]
    bad = [(p.line, p.column, p.reason) for p in rows if isinstance(p, RowProblem)]
    assert good == ["a", "multi\nline", "e"]
    assert [(line, column) for line, column, _ in bad] == [
        (3, "amount"),
        (6, "starts"),
        (7, "erp_id"),
        (8, None),
    ]
    assert "not a decimal number" in bad[0][2]
    assert "5 fields where the header has 4" in bad[3][2]
    problem = next(p for p in rows if isinstance(p, RowProblem))
    assert problem.as_unreadable().where == "x.csv, line 3"
    assert problem.as_unreadable().reason.startswith("column amount: '1,000.00' is not")


def test_xlsx_is_streamed_with_typed_cells(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["erp_id", "amount", "starts", "active"])
    sheet.append(["a", 1250.5, datetime(2026, 4, 3), True])
    sheet.append([1001, 7, "2026-04-03", None])
    sheet.append(["c", "1.234,5", None, None])
    path = tmp_path / "x.xlsx"
    workbook.save(path)

    rows = rows_of(path)
    assert rows[0] == Row(
        2, {"erp_id": "a", "amount": Decimal("1250.5"), "starts": date(2026, 4, 3), "active": True}
    )
    assert rows[1].values["erp_id"] == "1001" and rows[1].values["amount"] == Decimal("7")
    assert isinstance(rows[2], RowProblem) and (rows[2].line, rows[2].column) == (4, "amount")


def test_a_broken_xlsx_is_refused(tmp_path):
    path = tmp_path / "vendors.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileRefused, match=r"vendors\.xlsx is not a readable XLSX workbook"):
        rows_of(path)


@pytest.mark.parametrize(
    ("name", "half"),
    [
        ("ack.csv", False),
        ("ack.csv.tmp", True),
        (".ack.csv", True),
        ("ack.csv.partial", True),
        ("ack.csv.filepart", True),
        ("~$vendors.xlsx", True),
    ],
)
def test_half_written_names(tmp_path, name, half):
    assert is_half_written(tmp_path / name) is half
