"""The SQL adapter's job cost structure on the sample layout: a mapping that names a missing
table says which setting to fix; a budget the database refuses leaves nothing; deletes refuse
what carries costs; resets forget Procore's ids and keep the rows."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import ConstraintViolation, ERPMisconfigured, HealthState
from erp_adapters.registry import get_adapter
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.test_job_structure import budget_export, sub_job_export


def _count(url: str, sql: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def _execute(url: str, *statements: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_a_missing_table_names_its_setting(erp_url):
    settings = sample_settings(erp_url, fetch_size=10)
    settings["entities"]["job_costs"]["list_lines"]["table"] = "job_cost_lines"
    adapter = get_adapter("sql", settings)
    with pytest.raises(ERPMisconfigured) as missing:
        list(adapter.job_costs.list())
    assert "job_cost_lines" in str(missing.value)
    assert "entities.job_costs.list_lines" in str(missing.value)
    health = adapter.health_check()
    assert health.state is HealthState.FAILING
    assert "entities.job_costs.list_lines" in health.message


def test_a_budget_mapping_left_out_names_its_setting(erp_url):
    settings = sample_settings(erp_url)
    del settings["entities"]["budgets"]["create_lines"]
    with pytest.raises(Exception, match="create_lines"):
        get_adapter("sql", settings)


def test_a_budget_the_database_refuses_leaves_nothing(erp_url, sql_adapter):
    if erp_url.startswith("sqlite"):
        _execute(
            erp_url,
            "CREATE TRIGGER no_credits BEFORE INSERT ON budget_transactions "
            "WHEN NEW.amount < 0 BEGIN SELECT RAISE(ABORT, 'credits are posted by hand'); END",
        )
    else:
        _execute(
            erp_url,
            "ALTER TABLE budget_transactions ADD CONSTRAINT no_credits CHECK (amount >= 0)",
        )
    adapter = sql_adapter()
    payload = budget_export(sample_books(), [(9001, "1500.00"), (9002, "-250.50")])
    assert adapter.budgets.check_export(payload) == []  # only the database knows this rule
    with pytest.raises(ConstraintViolation) as refused:
        adapter.budgets.export(payload)
    message = str(refused.value)
    assert "transaction 2 of the budget of job J-1001" in message
    assert "entities.budgets.create_lines" in message and "Nothing was written" in message
    assert _count(erp_url, "SELECT COUNT(*) FROM budget_transactions") == 0
    assert _count(erp_url, "SELECT COUNT(*) FROM budgets") == 0


def test_a_cost_code_with_costs_stays_and_a_clean_one_goes(erp_url, sql_adapter):
    adapter = sql_adapter()
    books = sample_books()
    job = books.jobs[0]

    def item(code: str) -> dict:
        return {
            "project": {"id": 88, "origin_id": job.origin_id},
            "sub_job": None,
            "id": 501,
            "origin_id": f"{job.origin_id}|{books.cost_code(code).origin_id}",
            "sortable_code": code,
        }

    with pytest.raises(
        ConstraintViolation, match=r"Cost code 03-300-10 on job J-1001 has 4,?100.25"
    ):
        adapter.jobs.delete_cost_code(item("03-300-10"))
    before = _count(erp_url, "SELECT COUNT(*) FROM job_cost_codes")
    done = adapter.jobs.delete_cost_code(item("03"))
    assert done.deleted and done.label == "Cost code 03 on job J-1001"
    assert _count(erp_url, "SELECT COUNT(*) FROM job_cost_codes") == before - 1
    assert adapter.jobs.delete_cost_code(item("03")).deleted is False


def test_a_reset_forgets_procore_ids_and_keeps_the_rows(erp_url, sql_adapter):
    adapter = sql_adapter()
    books = sample_books()
    created = adapter.sub_jobs.create(sub_job_export(books))
    assert _count(erp_url, "SELECT COUNT(*) FROM job_cost_codes WHERE procore_id IS NOT NULL") == 2
    dropped = adapter.sub_jobs.release({"id": 4401, "origin_id": created.origin_id})
    assert sorted((d.item_type, d.item_id) for d in dropped) == [
        ("cost_code", 601),
        ("cost_code", 602),
        ("sub_job", 4401),
    ]
    assert _count(erp_url, "SELECT COUNT(*) FROM job_cost_codes WHERE procore_id IS NOT NULL") == 0
    assert _count(erp_url, "SELECT COUNT(*) FROM sub_jobs WHERE procore_id IS NOT NULL") == 0
    assert _count(erp_url, "SELECT COUNT(*) FROM sub_jobs") == 2


def test_a_job_reset_and_deleted_cost_codes_keep_the_rows_without_procore_ids(erp_url, sql_adapter):
    from tests.erp_adapters.contract.entities import job_export

    adapter = sql_adapter()
    books = sample_books()
    payload = job_export(books)
    created = adapter.jobs.create(payload)
    assert adapter.jobs.get(created.origin_id).origin_code == "J-NEW"
    assert adapter.jobs.get("no-such-job") is None
    footings = f"{created.origin_id}|{books.cost_code('03-300-10').origin_id}"
    (dropped,) = adapter.jobs.release_cost_codes([footings])
    assert (dropped.item_type, dropped.item_id, dropped.origin_id) == ("cost_code", 502, footings)
    assert adapter.jobs.release_cost_codes([footings]) == ()
    dropped = adapter.jobs.release({"id": 7, "origin_id": created.origin_id})
    assert sorted((d.item_type, d.item_id) for d in dropped) == [("cost_code", 501), ("project", 7)]
    assert _count(erp_url, "SELECT COUNT(*) FROM jobs WHERE procore_id IS NOT NULL") == 0
    assert _count(erp_url, "SELECT COUNT(*) FROM job_cost_codes WHERE procore_id IS NOT NULL") == 0
    assert adapter.job_costs.structure(created.origin_id).cost_codes  # still in the ERP
