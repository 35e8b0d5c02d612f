"""The SQL adapter's prime contracts and prime contract change orders beyond the contract: what
lands in the ERP's tables (each line at its own amount, the markup as a row of its own under
it), a markup the database refuses rolling the whole change order back, and a missing mapped
table named with its setting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import ConstraintViolation, ERPMisconfigured, HealthState
from erp_adapters.registry import get_adapter
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.adapters.sql import seed_prime_contract_tables
from tests.erp_adapters.contract.books import oid
from tests.erp_adapters.contract.test_prime_contracts import change_order_export, prime_books


@pytest.fixture
def prime_url(erp_url) -> str:
    """The sample ERP of the SQL tests, with the contract's owner contracts."""
    engine = create_engine(erp_url)
    with engine.begin() as conn:
        seed_prime_contract_tables(conn, prime_books())
    engine.dispose()
    return erp_url


def rows(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_lines_are_written_at_their_own_amount_and_markups_under_them(prime_url, sql_adapter):
    adapter = sql_adapter().prime_contract_change_orders
    result = adapter.create(change_order_export(prime_books()))
    (header,) = rows(
        prime_url,
        "SELECT number, prime_contract_id, status, transaction_date, procore_id "
        "FROM prime_change_orders",
    )
    assert header[:3] == ("049", oid("pc1"), "Approved")
    assert str(header[3]) == "2021-04-20" and header[4] == 81
    lines = rows(
        prime_url,
        "SELECT line_no, amount, prime_contract_line_id, procore_id, line_id "
        "FROM prime_change_order_lines ORDER BY line_no",
    )
    assert [(n, Decimal(str(a)), p, pid) for n, a, p, pid, _ in lines] == [
        (1, Decimal("299.00"), oid("pc1-l1"), 593),  # 343.85 less its 44.85 markup
        (2, Decimal("1200.10"), None, 594),
    ]
    ((line_id, name, percentage, amount, cost_code, procore_id),) = rows(
        prime_url,
        "SELECT line_id, name, percentage, amount, cost_code_id, procore_id "
        "FROM prime_change_order_markups",
    )
    assert (line_id, name, Decimal(str(amount)), cost_code, procore_id) == (
        lines[0][4],
        "Overhead",
        Decimal("44.85"),
        oid("cc-01-100"),
        9,
    )
    assert Decimal(str(percentage)) == Decimal("15")
    assert result.links[2].origin_id != line_id  # the markup's own id, not its line's


def test_a_markup_the_database_refuses_leaves_nothing_of_the_change_order(prime_url, sql_adapter):
    payload = change_order_export(prime_books())
    item = payload["prime_contract_change_order_items"][0]
    item["markup_line_items"][0]["amount"] = "1000000000000.00"
    item["amount"] = "1000000000299.00"
    adapter = sql_adapter().prime_contract_change_orders
    assert adapter.check_create(payload) == []  # only the database knows its CHECK
    with pytest.raises(ConstraintViolation) as refused:
        adapter.create(payload)
    (message,) = refused.value.messages
    assert message.startswith("The ERP refused the change order:")
    assert "Line 1 markup 'Overhead', table prime_change_order_markups" in message
    assert "setting 'entities.prime_contract_change_orders.create_markups'" in message
    assert message.endswith("Nothing was written.")
    for table in ("prime_change_orders", "prime_change_order_lines", "prime_change_order_markups"):
        assert rows(prime_url, f"SELECT COUNT(*) FROM {table}") == [(0,)]  # noqa: S608


def test_a_missing_mapped_table_is_named_with_its_setting(prime_url):
    settings = sample_settings(prime_url, fetch_size=10)
    settings["entities"]["prime_contracts"]["list"]["table"] = "owner_contracts"
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPMisconfigured) as missing:
        list(adapter.prime_contracts.list())
    assert "owner_contracts" in str(missing.value)
    assert "entities.prime_contracts.list" in str(missing.value)
    status = adapter.health_check()
    assert status.state is HealthState.FAILING
    assert "owner_contracts" in status.message
    assert "entities.prime_contracts.list" in status.message


def test_a_change_order_needs_the_prime_contract_mapping(prime_url):
    settings = sample_settings(prime_url, fetch_size=10)
    del settings["entities"]["prime_contracts"]
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPMisconfigured) as missing:
        adapter.prime_contract_change_orders.check_create(change_order_export(prime_books()))
    assert "The setting 'entities.prime_contracts.list' is missing" in str(missing.value)


def test_the_settings_schema_asks_for_the_parts_each_entity_has(prime_url):
    from erp_adapters.registry import AdapterSettingsError

    settings = sample_settings(prime_url)
    del settings["entities"]["prime_contract_change_orders"]["create_markups"]
    settings["entities"]["prime_contracts"]["create"] = {"table": "prime_contracts"}
    with pytest.raises(AdapterSettingsError) as refused:
        get_adapter("sql", settings)
    problems = "\n".join(refused.value.problems)
    assert "'create_markups' is a required property" in problems
    assert (
        "entities.prime_contracts.create: is not a setting of this adapter (known: list, "
        "list_lines)" in problems
    )
