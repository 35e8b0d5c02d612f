"""Money in the files adapter's export files: what the ERP's importer reads is the amount as the
ERP keeps it (rounded once, half up, in erp_adapters/money.py), written with the decimal
separator the ERP reads; an amount that is no number is refused before any file is written."""

from __future__ import annotations

import csv

import pytest

from erp_adapters.base import ConstraintViolation, ERPPending
from erp_adapters.files.layouts import IMPORT_FILE_STEMS, IMPORT_LAYOUTS
from erp_adapters.files.models import FileExport
from erp_adapters.registry import get_adapter
from tests.erp_adapters.contract.adapters.files import FilesContractERP
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.entities import change_order_export, commitment_export


@pytest.fixture
def erp(db, tmp_path) -> FilesContractERP:
    return FilesContractERP(tmp_path / "erp", sample_books())


def outbox_rows(erp: FilesContractERP, delimiter: str = ",") -> list[dict[str, str]]:
    (path,) = [p for p in erp.folders["outbox"].iterdir() if not p.name.startswith(".")]
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_a_commitments_amounts_are_written_as_the_erp_keeps_them(erp):
    payload = commitment_export(sample_books())
    first, second = payload["commitment_items"]
    first.update(amount="0.125", quantity="3", unit_cost=0.041666)
    second.update(amount=1087.8)  # a JSON number
    payload["commitment"]["retainage_percent"] = 10
    payload["commitment"].pop("grand_total", None)  # rounding, not the total, under test here
    with pytest.raises(ERPPending):
        erp.adapter.commitments.create(payload)
    rows = outbox_rows(erp)
    assert [row["line_amount"] for row in rows] == ["0.13", "1087.80"]
    assert (rows[0]["line_quantity"], rows[0]["line_unit_cost"]) == ("3.0000", "0.0417")
    assert {row["retainage_percent"] for row in rows} == {"10.00"}


def as_european_files(erp: FilesContractERP) -> None:
    """The ERP's export files rewritten as a European ERP writes them: ';' and decimal commas."""
    for entity, columns in IMPORT_LAYOUTS.items():
        path = erp.folders["import"] / f"{IMPORT_FILE_STEMS[entity]}.csv"
        decimals = {column.name for column in columns if column.kind == "decimal"}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            names, rows = list(reader.fieldnames or []), list(reader)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, names, delimiter=";")
            writer.writeheader()
            for row in rows:
                writer.writerow(
                    {k: v.replace(".", ",") if k in decimals else v for k, v in row.items()}
                )


def test_an_erp_reading_decimal_commas_gets_them(erp):
    as_european_files(erp)
    adapter = get_adapter("files", {**erp.settings, "decimal_separator": ",", "delimiter": ";"})
    payload = change_order_export(sample_books())
    payload["change_order_items"][0]["amount"] = "-1234.565"
    with pytest.raises(ERPPending):
        adapter.commitment_change_orders.create(payload)
    (row,) = outbox_rows(erp, delimiter=";")
    assert row["line_amount"] == "-1234,57"
    assert row["line_quantity"] == "0,0000"


def test_a_line_amount_that_is_no_number_is_refused_before_any_file(erp):
    payload = commitment_export(sample_books())
    payload["commitment_items"][1]["amount"] = "12.5x"
    assert erp.adapter.commitments.check_create(payload) == [
        "Line 2 amount '12.5x' is not a number."
    ]
    with pytest.raises(ConstraintViolation):
        erp.adapter.commitments.create(payload)
    assert not FileExport.objects.exists()
