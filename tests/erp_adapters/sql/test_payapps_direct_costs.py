"""The SQL adapter's pay applications and direct costs beyond the contract: a line the database
refuses rolls the whole document back and names the line; a void document's unlink clears its
Procore ids in the import tables; the mapping's lines are part of the settings and the health
check; the ERP's status may come from a read-only query of its own words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import (
    AdapterSettingsError,
    ConstraintViolation,
    DocumentState,
    HealthState,
)
from erp_adapters.registry import get_adapter
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.adapters.sql import seed_sample_billing
from tests.erp_adapters.contract.billing_exports import direct_cost_export, pay_app_export
from tests.erp_adapters.contract.books import billing_books, oid, sample_books


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def exact(value) -> Decimal:
    """A NUMERIC as the database gives it (SQLite: a float of the stored decimal)."""
    return Decimal(str(value))


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_a_pay_application_whose_third_line_the_database_refuses_leaves_nothing(
    erp_url, sql_adapter
):
    """Header and two lines go in, the third breaks the lines table (its CHECK on SQLite, its
    NUMERIC(14, 2) on PostgreSQL): the transaction
    rolls back, and the refusal names the line, the table and the setting."""
    books = sample_books()
    payload = pay_app_export(
        books,
        ("General Conditions", "1000.00", "250.00"),
        ("Credit", "-999999999999.99", "-999999999999.99"),
        ("Tower crane", "1000000000000.00", "1000000000000.00"),
    )  # the header's sums fit its columns; the third line does not fit its own
    adapter = sql_adapter()
    assert adapter.payment_applications.check_create(payload) == []  # only the database knows
    with pytest.raises(ConstraintViolation) as refused:
        adapter.payment_applications.create(payload)
    (message,) = refused.value.messages
    assert message.startswith("The ERP refused the pay application:")
    assert "line 3, table pay_application_lines" in message
    assert "entities.payment_applications.create_lines" in message
    assert message.endswith("Nothing was written.")
    assert query(erp_url, "SELECT COUNT(*) FROM pay_applications") == [(0,)]
    assert query(erp_url, "SELECT COUNT(*) FROM pay_application_lines") == [(0,)]
    # Corrected in Procore and exported again: entered whole.
    result = adapter.payment_applications.create(pay_app_export(books))
    ((number, status, billed, due),) = query(
        erp_url,
        "SELECT number, status, billed_this_period, amount_due FROM pay_applications "
        "WHERE pay_app_id = :id",
        id=result.origin_id,
    )
    assert (number, status, exact(billed), exact(due)) == (
        "7",
        "Approved",
        Decimal("250.20"),
        Decimal("250.20"),
    )
    assert query(erp_url, "SELECT COUNT(*) FROM pay_application_lines") == [(2,)]


def test_a_direct_cost_is_booked_on_the_erps_own_ids(erp_url, sql_adapter):
    books = sample_books()
    result = sql_adapter().direct_costs.create(direct_cost_export(books, "1000.00", "0.125"))
    (header,) = query(
        erp_url,
        "SELECT vendor_id, cost_kind, invoice_number, cost_date, total FROM direct_costs "
        "WHERE direct_cost_id = :id",
        id=result.origin_id,
    )
    assert header[:3] == (oid("v1"), "invoice", "INV-7781")
    assert str(header[3])[:10] == "2025-06-01"
    lines = query(
        erp_url,
        "SELECT line_no, job_id, cost_code_id, cost_type_id, amount FROM direct_cost_lines "
        "WHERE direct_cost_id = :id ORDER BY line_no",
        id=result.origin_id,
    )
    assert [line[:4] for line in lines] == [
        (1, oid("j1"), oid("cc-03-300"), oid("ct-M")),
        (2, oid("j1"), oid("cc-03-300"), oid("ct-M")),
    ]
    assert [exact(line[4]) for line in lines] == [Decimal("1000.00"), Decimal("0.13")]


def test_the_unlink_of_a_void_document_clears_its_procore_ids(erp_url, sql_adapter):
    books = sample_books()
    adapter = sql_adapter()
    first = adapter.payment_applications.create(pay_app_export(books))
    execute(erp_url, "UPDATE pay_applications SET status = 'Cancelled'")
    standing = adapter.payment_applications.standing({"procore_id": 77, "origin_id": None})
    assert (standing.state, standing.status) == (DocumentState.VOID, "Cancelled")
    assert standing.line_procore_ids == (901, 902)
    assert [(link.item_type, link.item_id) for link in standing.dropped] == [
        ("payment_application", 77),
        ("payment_application_line_item", 901),
        ("payment_application_line_item", 902),
    ]
    assert query(erp_url, "SELECT procore_id FROM pay_applications") == [(None,)]
    assert query(erp_url, "SELECT procore_id FROM pay_application_lines") == [(None,), (None,)]
    # A pay application of the same number goes on the job again; the void one stays.
    again = adapter.payment_applications.create(pay_app_export(books))
    assert again.origin_id != first.origin_id
    assert query(erp_url, "SELECT COUNT(*) FROM pay_applications WHERE number = '7'") == [(2,)]


def test_a_number_taken_by_a_live_document_is_refused(erp_url, sql_adapter):
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        seed_sample_billing(conn, billing_books())
    engine.dispose()
    books = sample_books()
    payload = pay_app_export(books)
    payload["payment_application"]["invoice_number"] = "1"  # pay application 1 on J-1001
    assert sql_adapter().payment_applications.check_create(payload) == [
        "Pay application 1 already exists on job J-1001 in the ERP."
    ]
    direct_cost = direct_cost_export(books)
    direct_cost["direct_cost"]["invoice_number"] = "INV-501"
    assert sql_adapter().direct_costs.check_create(direct_cost) == [
        "Invoice INV-501 of vendor 'Acme Paving Inc' is already in the ERP."
    ]


def test_the_status_may_come_from_a_read_only_query(erp_url):
    """An ERP that keeps a status code: a query translates it into its words."""
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        seed_sample_billing(conn, billing_books())
        conn.exec_driver_sql("CREATE TABLE cost_states (code VARCHAR(1), word VARCHAR(20))")
        conn.exec_driver_sql("INSERT INTO cost_states VALUES ('A', 'Approved'), ('X', 'Void')")
        conn.exec_driver_sql(
            "UPDATE direct_costs SET status = 'X' WHERE invoice_number = 'INV-501'"
        )
    engine.dispose()
    settings = sample_settings(erp_url)
    settings["entities"]["company_level_direct_costs"]["list"] = {
        "query": "SELECT d.direct_cost_id, d.invoice_number, d.vendor_id, d.cost_kind, "
        "COALESCE(s.word, d.status) AS status FROM direct_costs d "
        "LEFT JOIN cost_states s ON s.code = d.status",
        "columns": {
            "origin_id": "direct_cost_id",
            "origin_code": "invoice_number",
            "vendor_origin_id": "vendor_id",
            "kind": "cost_kind",
        },
    }
    standing = get_adapter("sql", settings).direct_costs.standing({"origin_id": oid("dc1")})
    assert (standing.state, standing.label) == (
        DocumentState.VOID,
        "invoice INV-501 of Acme Paving Inc",
    )


def test_the_lines_mapping_is_required_and_checked_by_the_health_check(erp_url):
    settings = sample_settings(erp_url)
    del settings["entities"]["payment_applications"]["create_lines"]
    with pytest.raises(AdapterSettingsError) as refused:
        get_adapter("sql", settings)
    assert "'create_lines' is a required property" in str(refused.value)
    settings = sample_settings(erp_url)
    lines = settings["entities"]["company_level_direct_costs"]["create_lines"]
    lines["columns"]["job_origin_id"] = "project_id"
    status = get_adapter("sql", settings).health_check()
    assert status.state is HealthState.FAILING
    assert "entities.company_level_direct_costs.create_lines.columns.job_origin_id" in (
        status.message
    )
