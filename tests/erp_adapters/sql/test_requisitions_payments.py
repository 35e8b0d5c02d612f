"""The SQL adapter's requisitions and payments where the database itself speaks: a line it
refuses on insert rolls the whole invoice back and the refusal names the line and the setting;
a mapping that does not fit is a settings problem naming the setting, never a refusal; the
payments listing streams page by page."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import ConstraintViolation, ERPMisconfigured, HealthState
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.adapters.sql import (  # noqa: F401 - fixtures
    erp_postgres_database,
    postgres_erp_schema,
    seeded_erp_url,
)
from tests.erp_adapters.contract.books import oid, requisition_books
from tests.erp_adapters.contract.requisition_exports import accepted, line_item, requisition


@pytest.fixture(params=["sqlite", "postgres"])
def erp_url(request, tmp_path) -> Iterator[str]:
    """The sample layout holding the contract's requisition books."""
    yield from seeded_erp_url(request, tmp_path, requisition_books())


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_a_line_the_database_refuses_rolls_the_invoice_back_naming_the_line(sql_adapter, erp_url):
    adapter = sql_adapter()
    adapter.requisitions.create(accepted())
    clash = requisition(
        line_item(601, "10.00", description="More"), line_item(501, "5.00"), procore_id=78
    )
    with pytest.raises(ConstraintViolation) as refused:
        adapter.requisitions.create(clash)
    (message,) = refused.value.messages
    assert message.startswith("The ERP refused the invoice: ")
    assert "(line 2, table requisition_lines, setting 'entities.requisitions.create_lines')" in (
        message
    )
    assert message.endswith("Nothing was written.")
    assert _count(erp_url, "SELECT COUNT(*) FROM requisitions WHERE procore_id = 78") == 0
    assert _count(erp_url, "SELECT COUNT(*) FROM requisition_lines WHERE procore_id = 601") == 0


def test_an_invoice_is_written_as_the_mapping_says(sql_adapter, erp_url):
    result = sql_adapter().requisitions.create(accepted())
    engine = create_engine(erp_url)
    with engine.connect() as conn:
        header = conn.execute(
            text(
                "SELECT invoice_number, commitment_id, billing_date, status FROM requisitions "
                "WHERE procore_id = 77"
            )
        ).one()
        lines = conn.execute(
            text(
                "SELECT line_no, item_type, amount, retainage, commitment_line_id, procore_id "
                "FROM requisition_lines WHERE requisition_id = :r ORDER BY line_no"
            ),
            {"r": result.origin_id},
        ).all()
    engine.dispose()
    assert (header[0], header[1], str(header[2])[:10], header[3]) == (
        "INV-8077",
        oid("sc1"),
        "2026-11-30",
        "Approved",
    )
    assert [(n, t, f"{a:.2f}", f"{r:.2f}", c, p) for n, t, a, r, c, p in lines] == [
        (1, "Billings::ContractItem", "1000.10", "100.01", oid("sc1-l1"), 501),
        (2, "Billings::ContractDetailItem", "0.10", "0.00", oid("sc1-l2"), 502),
    ]


def test_a_payments_mapping_without_the_invoices_procore_id_names_the_setting(sql_adapter):
    settings = sample_settings("sqlite://")["entities"]
    payments = settings["contract_payments"]
    payments["list"] = {"table": "payments", "columns": {"origin_id": "payment_id"}}
    adapter = sql_adapter(entities=settings)
    with pytest.raises(ERPMisconfigured) as wrong:
        list(adapter.contract_payments.list())
    assert "'entities.contract_payments.list.columns" in str(wrong.value)
    health = adapter.health_check()
    assert health.state is HealthState.FAILING
    assert "entities.contract_payments.list" in health.message


def test_payments_are_listed_page_by_page(sql_adapter, erp_url):
    """Thirty more payments of the ERP on INV-7001, read ten rows at a time."""
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        for n in range(30):
            conn.execute(
                text(
                    "INSERT INTO payments (payment_id, requisition_id, payment_number, amount, "
                    "paid_on, method) VALUES (:id, :r, :number, '1.00', :day, 'ach')"
                ),
                {
                    "id": oid(f"bulk-{n}"),
                    "r": oid("r1"),
                    "number": f"B-{n:04d}",
                    "day": "2026-11-20",
                },
            )
    engine.dispose()
    listed = list(sql_adapter().contract_payments.list())
    assert len(listed) == 31
    assert {o.data["invoice_id"] for o in listed} == {9001}


def test_an_invoice_waits_for_another_on_its_commitment_and_is_checked_after_it(
    sql_adapter, erp_url
):
    """Two invoices of one commitment at once cannot together over-bill it: the second waits
    for the lock on the commitment, then is checked against what the first billed."""
    if not erp_url.startswith("postgresql"):
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole file on write)")
    adapter = sql_adapter()
    refused: list[str] = []

    def export() -> None:
        try:
            adapter.requisitions.create(requisition(line_item(501, "7500.00")))
        except ConstraintViolation as exc:
            refused.extend(exc.messages)

    engine = create_engine(erp_url)
    with engine.connect() as other:
        other.execute(
            text("SELECT commitment_id FROM commitments WHERE commitment_id = :c FOR UPDATE"),
            {"c": oid("sc1")},
        )
        worker = threading.Thread(target=export)
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive()  # waiting for the lock
        other.execute(
            text(
                "INSERT INTO requisitions (requisition_id, commitment_id, invoice_number) "
                "VALUES ('r-other', :c, 'INV-OTHER')"
            ),
            {"c": oid("sc1")},
        )
        other.execute(
            text(
                "INSERT INTO requisition_lines (line_id, requisition_id, line_no, item_type, "
                "commitment_line_id, amount) VALUES ('r-other-1', 'r-other', 1, "
                "'Billings::ContractItem', :l, '1.00')"
            ),
            {"l": oid("sc1-l1")},
        )
        other.commit()
    engine.dispose()
    worker.join(timeout=20)
    assert refused and "but only 7,499.00 remains on line 1 of commitment SC-001" in refused[0]
    assert _count(erp_url, "SELECT COUNT(*) FROM requisitions WHERE procore_id = 77") == 0
