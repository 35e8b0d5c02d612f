"""The SQL adapter beyond the contract: documents written whole or not at all, clear messages
for each way a database or its mapping can be wrong, server-side streaming, read-only queries,
stored procedures."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from erp_adapters.base import ConstraintViolation, ERPMisconfigured, ERPUnavailable, HealthState
from erp_adapters.registry import get_adapter
from erp_adapters.sql.database import translate
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.entities import commitment_export, vendor_export


def count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_a_document_whose_line_insert_fails_leaves_nothing(erp_url, sql_adapter):
    """The header goes in, the second line breaks the lines table's CHECK: the transaction
    rolls back, and the refusal names the line, the table and the setting."""
    payload = commitment_export(sample_books())
    payload["commitment_items"][1]["amount"] = "1000000000000.00"
    payload["commitment"]["grand_total"] = "1000000000250.00"
    adapter = sql_adapter()
    assert adapter.commitments.check_create(payload) == []  # only the database knows its CHECK
    with pytest.raises(ConstraintViolation) as refused:
        adapter.commitments.create(payload)
    (message,) = refused.value.messages
    assert message.startswith("The ERP refused the commitment:")
    assert "line 2, table commitment_lines" in message
    assert "entities.commitments.create_lines" in message
    assert message.endswith("Nothing was written.")
    assert count(erp_url, "SELECT COUNT(*) FROM commitments WHERE procore_id = 41") == 0
    assert count(erp_url, "SELECT COUNT(*) FROM commitment_lines WHERE procore_id = 177") == 0
    # Fixed in Procore and sent again, it goes through whole.
    payload["commitment_items"][1]["amount"] = "1000.00"
    payload["commitment"]["grand_total"] = "1250.00"
    assert adapter.commitments.create(payload).created is True
    assert (
        count(erp_url, "SELECT COUNT(*) FROM commitment_lines WHERE procore_id IN (177, 178)") == 2
    )


def test_an_insert_the_database_refuses_names_the_table_and_setting(erp_url, sql_adapter):
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE vendor_inbox (vendor_id VARCHAR(36) PRIMARY KEY, vendor_code "
            "VARCHAR(15), name VARCHAR(30) NOT NULL, country VARCHAR(2) CHECK (country IN "
            "('US', 'CA')), procore_id BIGINT UNIQUE)"
        )
    engine.dispose()
    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["create"] = {
        "table": "vendor_inbox",
        "columns": {
            "origin_id": "vendor_id",
            "origin_code": "vendor_code",
            "country_code": "country",
        },
    }
    adapter = get_adapter("sql", settings)
    payload = vendor_export(sample_books())
    payload["vendor"]["country_code"] = "MX"
    with pytest.raises(ConstraintViolation) as refused:
        adapter.vendors.create(payload)
    (message,) = refused.value.messages
    assert message.startswith("The ERP refused the vendor:")
    assert "table vendor_inbox, setting 'entities.vendors.create'" in message
    assert count(erp_url, "SELECT COUNT(*) FROM vendor_inbox") == 0


def test_a_value_longer_than_its_column_is_explained_before_writing(sql_adapter):
    payload = vendor_export(sample_books())
    payload["vendor"]["name"] = "A" * 31
    problems = sql_adapter().vendors.check_create(payload)
    assert "Vendor name is longer than 30 characters, the ERP's limit." in problems


def test_a_missing_table_names_the_entity_and_the_setting(erp_url):
    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["list"]["table"] = "suppliers"
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPMisconfigured) as caught:
        list(adapter.vendors.list())
    assert "While listing vendors" in str(caught.value)
    assert "suppliers" in str(caught.value)
    assert "'entities.vendors.list'" in str(caught.value)
    status = adapter.health_check()
    assert status.state is HealthState.FAILING
    assert "suppliers" in status.message


def test_a_missing_column_names_the_setting_and_what_the_table_has(erp_url):
    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["list"]["columns"]["name"] = "vendor_name"
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPMisconfigured) as caught:
        next(adapter.vendors.list())
    message = str(caught.value)
    assert "Table vendors has no column 'vendor_name' for name" in message
    assert "'entities.vendors.list.columns.name'" in message
    assert "vendor_id, vendor_code, name" in message


def test_an_unreachable_database_is_retried_and_keeps_its_password():
    settings = sample_settings(
        "postgresql+psycopg://erp@127.0.0.1:1/books", password="pw-not-shown", connect_timeout=2
    )
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPUnavailable) as caught:
        list(adapter.vendors.list())
    assert not isinstance(caught.value, ERPMisconfigured)
    assert "postgresql+psycopg://erp@127.0.0.1:1/books did not answer" in str(caught.value)
    assert "pw-not-shown" not in str(caught.value)
    assert adapter.health_check().state is HealthState.FAILING


def test_a_wrong_password_is_a_settings_problem_naming_url_and_password():
    refused = OperationalError(
        "connect", {}, Exception('FATAL:  password authentication failed for user "erp"')
    )
    error = translate(
        refused,
        what="listing vendors",
        setting="entities.vendors.list",
        url="postgresql+psycopg://erp@db.example.com/books",
    )
    assert isinstance(error, ERPMisconfigured)
    assert "refused the login" in str(error)
    assert "'url' (user) and 'password'" in str(error)


def test_a_sqlite_file_that_is_not_there_is_not_created(tmp_path):
    missing = tmp_path / "nowhere.sqlite3"
    adapter = get_adapter("sql", sample_settings(f"sqlite:///{missing}"))
    with pytest.raises(ERPMisconfigured, match="does not exist"):
        list(adapter.vendors.list())
    assert not missing.exists()
    assert adapter.health_check().state is HealthState.FAILING


def test_a_url_with_a_password_in_it_is_refused_without_repeating_it():
    from erp_adapters.base import AdapterSettingsError

    with pytest.raises(AdapterSettingsError) as caught:
        get_adapter("sql", sample_settings("postgresql://erp:hunter2@db/books"))
    assert "url: the value does not satisfy the schema's 'pattern' rule" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_listing_reads_through_a_server_side_cursor(erp_url, sql_adapter):
    adapter = sql_adapter()
    seen = []

    def spy(conn, cursor, statement, parameters, context, executemany):
        if "FROM vendors" in statement:
            seen.append((context.execution_options, type(cursor).__name__))

    event.listen(adapter.engine, "before_cursor_execute", spy)
    try:
        first = next(adapter.vendors.list())
    finally:
        event.remove(adapter.engine, "before_cursor_execute", spy)
    assert first.item_type == "vendor"
    ((options, cursor_type),) = seen
    assert options.get("stream_results") is True and options.get("yield_per") == 10
    if erp_url.startswith("postgresql"):
        assert cursor_type == "ServerCursor"  # psycopg's named cursor: rows stay on the server


def test_a_mapped_query_cannot_write(erp_url, sql_adapter):
    if not erp_url.startswith("postgresql"):
        pytest.skip("a function that writes needs PostgreSQL")
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION purge_vendors() RETURNS SETOF vendors AS "
            "'DELETE FROM vendors RETURNING *' LANGUAGE sql"
        )
    engine.dispose()
    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["list"] = {
        "query": "SELECT * FROM purge_vendors()",
        "columns": settings["entities"]["vendors"]["list"]["columns"],
    }
    with pytest.raises(ERPMisconfigured, match="tries to write"):
        list(get_adapter("sql", settings).vendors.list())
    assert count(erp_url, "SELECT COUNT(*) FROM vendors") == 3


def test_a_query_that_is_not_a_select_is_refused_by_the_schema(erp_url):
    from erp_adapters.base import AdapterSettingsError

    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["list"] = {"query": "DELETE FROM vendors"}
    with pytest.raises(AdapterSettingsError, match=r"entities\.vendors\.list"):
        get_adapter("sql", settings)


def test_exports_through_a_stored_procedure(erp_url):
    if not erp_url.startswith("postgresql"):
        pytest.skip("SQLite has no stored procedures")
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            """
            CREATE FUNCTION erp_create_vendor(p_procore_id BIGINT, p_name TEXT, p_code TEXT)
            RETURNS TABLE (origin_id TEXT, origin_code TEXT, created BOOLEAN) AS $$
            BEGIN
              RETURN QUERY SELECT v.vendor_id::TEXT, v.vendor_code::TEXT, FALSE
                FROM vendors v WHERE v.procore_id = p_procore_id;
              IF NOT FOUND THEN
                INSERT INTO vendors (vendor_id, vendor_code, name, procore_id)
                VALUES (md5(p_procore_id::TEXT), COALESCE(p_code, 'P-' || p_procore_id),
                        p_name, p_procore_id);
                RETURN QUERY SELECT md5(p_procore_id::TEXT), COALESCE(p_code, 'P-' || p_procore_id),
                                    TRUE;
              END IF;
            END $$ LANGUAGE plpgsql
            """
        )
    engine.dispose()
    settings = sample_settings(erp_url)
    settings["entities"]["vendors"]["create"] = {
        "procedure": "erp_create_vendor",
        "arguments": ["procore_id", "name", "origin_code"],
    }
    adapter = get_adapter("sql", settings)
    first = adapter.vendors.create(vendor_export(sample_books()))
    again = adapter.vendors.create(vendor_export(sample_books()))
    assert (first.created, first.origin_code) == (True, "V-NEW01")
    assert (again.created, again.origin_id) == (False, first.origin_id)
    assert first.links[0].as_update() == {
        "item_type": "vendor",
        "item_id": 35,
        "origin_id": first.origin_id,
    }
    assert count(erp_url, "SELECT COUNT(*) FROM vendors WHERE procore_id = 35") == 1


def test_a_vendor_without_a_code_gets_the_next_free_one(erp_url, sql_adapter):
    payload = vendor_export(sample_books())
    payload["vendor"]["origin_code"] = None
    adapter = sql_adapter()
    assert adapter.vendors.create(payload).origin_code == "V-000004"
    payload["vendor"].update(id=36, name="Second Without Code")
    assert adapter.vendors.create(payload).origin_code == "V-000005"


def test_a_code_taken_by_a_concurrent_export_moves_to_the_next(erp_url, sql_adapter, monkeypatch):
    """Another worker took V-000004 between our computing it and our insert."""
    from erp_adapters.sql import writing

    real = writing.Vendors.next_code
    calls = []

    def stale_then_real(self, conn):
        calls.append(1)
        if len(calls) == 1:
            conn.execute(
                text(
                    "INSERT INTO vendors (vendor_id, vendor_code, name) "
                    "VALUES ('other-worker', 'V-000004', 'Other Worker Ltd')"
                )
            )
            conn.commit()
            return "V-000004"
        return real(self, conn)

    monkeypatch.setattr(writing.Vendors, "next_code", stale_then_real)
    payload = vendor_export(sample_books())
    payload["vendor"]["origin_code"] = None
    result = sql_adapter().vendors.create(payload)
    assert (result.created, result.origin_code) == (True, "V-000005")


def test_a_forked_worker_does_not_reuse_its_parents_connections(erp_url, sql_adapter):
    """django-q2 forks its workers: a child talks to the database over a session of its own
    (sharing the parent's pooled socket would interleave two processes' statements)."""
    import os

    if not erp_url.startswith("postgresql"):
        pytest.skip("needs a server session to tell connections apart")

    def session(engine) -> int:
        with engine.connect() as conn:
            return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()

    adapter = sql_adapter()
    parent = session(adapter.engine)  # now pooled in the parent
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its session and its listing, then leave at once
        try:
            listed = sum(1 for _ in adapter.vendors.list())
            os.write(write, f"{session(adapter.engine)} {listed}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    child, listed = map(int, os.read(read, 64).split())
    os.close(read)
    assert (listed, child != parent) == (3, True)
    assert session(adapter.engine) == parent  # the parent keeps its own
