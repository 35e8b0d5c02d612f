"""A company switched to the SQL ERP (the sample SQLite database of docs/adapters.md), end to
end against the local Procore sandbox: a vendor exported from Procore lands in the ERP's
``vendors`` table, and Refresh Vendors stages the ERP's vendors in Procore."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.sql.database import dispose_engines
from erp_adapters.sql.sample import create_sample_database, sample_settings
from integrations.models import ObjectLink
from integrations.services.sweeper import process_pending
from tests.flows.conftest import detail_of, export_vendor
from tests.flows.test_sandbox_import import closed_out, press


@pytest.fixture
def sql_erp(sandbox_connection, tmp_path):
    """The sandbox company's connection, switched to the sample SQL ERP."""
    url = f"sqlite:///{tmp_path / 'sample-erp.sqlite3'}"
    create_sample_database(url)
    sandbox_connection.adapter_key = "sql"
    sandbox_connection.adapter_settings = sample_settings(url)
    sandbox_connection.save()
    yield url
    dispose_engines()


def erp_rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def test_an_exported_vendor_lands_in_the_sql_erp(sql_erp, provisioned, sandbox_company):
    vendor, request = export_vendor(sandbox_company, name="Granite Ridge Masonry", city="Boise")
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Created in the ERP as V-000041."]
    ((vendor_id, code, name, city),) = erp_rows(
        sql_erp,
        "SELECT vendor_id, vendor_code, name, city FROM vendors WHERE procore_id = :p",
        p=vendor.id,
    )
    assert (code, name, city) == ("V-000041", "Granite Ridge Masonry", "Boise")
    vendor.refresh_from_db()
    assert vendor.origin_id == vendor_id  # synced in Procore with the ERP's id
    link = ObjectLink.objects.get(company=provisioned.company, item_type="vendor")
    assert (link.state, link.origin_id) == ("synced", vendor_id)


def test_refresh_vendors_stages_the_sql_erps_vendors(client, sql_erp, sandbox_company):
    from procore_sandbox.models import App, StagedRecord
    from procore_sandbox.services.erp import erp_connection_create

    erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id="e2e-app"),
        service_url="http://portal.test",
        metadata={},
    )
    (first,) = press(client, sandbox_company, "refresh_vendors")

    assert closed_out(first) == ("success", ["Staged 40 new vendors; 0 unchanged."])
    ((vendor_id, code, name),) = erp_rows(
        sql_erp, "SELECT vendor_id, vendor_code, name FROM vendors WHERE vendor_code = 'V-000007'"
    )
    record = StagedRecord.objects.get(company=sandbox_company, origin_id=vendor_id)
    assert (record.origin_code, record.data["name"]) == (code, name)

    # The ERP renames a vendor; the next refresh carries the change.
    engine = create_engine(sql_erp)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE vendors SET name = 'Renamed Supply Co' WHERE vendor_id = :v"),
            {"v": vendor_id},
        )
    engine.dispose()
    (second,) = press(client, sandbox_company, "refresh_vendors")
    assert closed_out(second) == ("success", ["Updated 1 vendor; 39 unchanged."])
    record.refresh_from_db()
    assert record.data["name"] == "Renamed Supply Co"
