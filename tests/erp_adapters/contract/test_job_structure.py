"""The job cost structure, the same for every adapter: a job's (and sub job's) cost codes, cost
types and job costs as the engine imports them; sub jobs and jobs exported with their cost
codes; budgets posted once per Procore transaction."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import (
    BudgetResult,
    ConstraintViolation,
    Entity,
    ERPPending,
    ERPUnavailable,
    job_cost_code_origin_id,
)
from tests.erp_adapters.contract.books import oid, sample_books
from tests.erp_adapters.contract.entities import job_export

HEX20 = set("0123456789abcdef")


def settled(erp: Any, call: Callable[[], Any]) -> Any:
    """The adapter's answer, once its ERP has answered (a file exchange answers later)."""
    try:
        return call()
    except ERPPending:
        erp.answer_outbox()
        return call()


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# -- job costs: listing, summary, structure ---------------------------------------------------


def test_job_costs_list_one_summary_per_job_and_sub_job(make_erp):
    books = sample_books()
    erp = make_erp(books)
    listed = {obj.origin_id: obj for obj in erp.listed(Entity.JOB_COSTS)}
    j1, j2 = (job.origin_id for job in books.jobs)
    sub_job = books.sub_jobs[0].origin_id
    assert set(listed) == {j1, j2, sub_job}
    for obj in listed.values():
        assert obj.item_type == "job_costs"
        for part in ("cost_codes", "assignments", "job_costs"):
            assert len(obj.data[part]) == 20 and set(obj.data[part]) <= HEX20
    assert listed[j1].data["project_origin_id"] == j1
    assert listed[j1].data["sub_job_origin_id"] is None
    assert listed[sub_job].data["project_origin_id"] == j1
    assert listed[sub_job].data["sub_job_origin_id"] == sub_job
    assert listed[j1].origin_code == books.jobs[0].code
    # The same books give the same digests; the two jobs' costs differ.
    assert listed[j1].data["job_costs"] != listed[j2].data["job_costs"]
    again = {obj.origin_id: obj.data for obj in erp.listed(Entity.JOB_COSTS)}
    assert again == {key: obj.data for key, obj in listed.items()}
    # summary() is the listing's object, one job at a time.
    for origin_id, obj in listed.items():
        assert erp.adapter.job_costs.summary(origin_id).data == obj.data
    assert erp.adapter.job_costs.summary(oid("no-such-job")) is None
    assert erp.adapter.job_costs.structure(oid("no-such-job")) is None


def test_a_jobs_structure_has_its_cost_codes_cost_types_and_costs(make_erp):
    books = sample_books()
    erp = make_erp(books)
    job = books.jobs[0].origin_id
    structure = erp.adapter.job_costs.structure(job)
    assert (structure.origin_id, structure.project_origin_id) == (job, job)
    assert structure.sub_job_origin_id is None
    codes = {row.origin_id: (row.code, row.name) for row in structure.cost_codes}
    assert codes == {
        job_cost_code_origin_id(job, c.origin_id): (c.code, c.name) for c in books.cost_codes
    }
    rows = {
        (row.cost_code_origin_id, row.cost_type_origin_id): (
            _money(row.original_estimate),
            _money(row.estimate),
            _money(row.job_to_date_cost),
        )
        for row in structure.rows
    }
    expected = {
        (job_cost_code_origin_id(job, e.cost_code_origin_id), e.cost_type_origin_id): (
            e.amounts or (None, None, None)
        )
        for e in books.job_costs
        if e.job_origin_id == job and e.sub_job_origin_id is None
    }
    assert rows == expected
    priced = [row for row in structure.rows if row.has_costs]
    assert len(priced) == 2
    assert {row.job_to_date_cost for row in priced} == {"4100.25", "0.00"}


def test_a_sub_jobs_structure_is_its_own(make_erp):
    books = sample_books()
    erp = make_erp(books)
    sub_job = books.sub_jobs[0]
    structure = erp.adapter.job_costs.structure(sub_job.origin_id)
    assert structure.project_origin_id == sub_job.job_origin_id
    assert structure.sub_job_origin_id == sub_job.origin_id
    assert sorted(row.code for row in structure.cost_codes) == sorted(
        c.code for c in books.cost_codes[:2]
    )
    assert all(
        row.cost_code_origin_id.startswith(sub_job.origin_id + "|") for row in structure.rows
    )
    assert {row.estimate for row in structure.rows} == {"950.00"}


def test_an_unreachable_erp_is_retried_for_job_costs(make_erp):
    offline = make_erp(sample_books()).unavailable()
    if offline is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    with pytest.raises(ERPUnavailable):
        list(offline.job_costs.list())
    with pytest.raises(ERPUnavailable):
        offline.job_costs.structure(sample_books().jobs[0].origin_id)


# -- sub jobs ---------------------------------------------------------------------------------


def test_sub_jobs_are_listed_with_their_job(make_erp):
    books = sample_books()
    (listed,) = make_erp(books).listed(Entity.SUB_JOBS)
    sub_job = books.sub_jobs[0]
    assert (listed.item_type, listed.origin_id, listed.origin_code) == (
        "sub_job",
        sub_job.origin_id,
        sub_job.code,
    )
    assert listed.data == {
        "name": sub_job.name,
        "code": sub_job.code,
        "project_origin_id": sub_job.job_origin_id,
    }


def _cost_code_refs(books, codes: list[str], cost_type: str) -> list[dict[str, Any]]:
    kind = books.cost_type(cost_type)
    return [
        {
            "id": 600 + n,
            "name": books.cost_code(code).name,
            "full_code": code,
            "origin_id": None,
            "standard_cost_code_origin_id": books.cost_code(code).origin_id,
            "line_item_types": [
                {"id": 70, "name": kind.name, "code": kind.code, "origin_id": kind.origin_id}
            ],
        }
        for n, code in enumerate(codes, start=1)
    ]


def sub_job_export(books) -> dict[str, Any]:
    job = books.jobs[1]
    return {
        "sub_job": {
            "id": 4401,
            "code": "SJ-B",
            "name": "Gymnasium",
            "origin_id": None,
            "synced": False,
            "project": {"id": 88, "name": job.name, "origin_id": job.origin_id},
        },
        "all_cost_codes": _cost_code_refs(books, ["01-100", "03-300"], "L"),
        "request_detail_id": 9101,
        "company_id": 1,
    }


def test_a_sub_job_export_lands_with_its_cost_codes_once(make_erp):
    books = sample_books()
    erp = make_erp(books)
    payload = sub_job_export(books)
    assert erp.adapter.sub_jobs.check_create(payload) == []
    result = erp.create(Entity.SUB_JOBS, payload)
    assert result.created and result.origin_code == "SJ-B"
    links = [(link.item_type, link.item_id, link.origin_id) for link in result.links]
    assert links == [
        ("sub_job", 4401, result.origin_id),
        ("cost_code", 601, f"{result.origin_id}|{books.cost_code('01-100').origin_id}"),
        ("cost_code", 602, f"{result.origin_id}|{books.cost_code('03-300').origin_id}"),
    ]
    assert {(a.cost_code_id, a.line_item_type_id) for a in result.assignments} == {
        (601, 70),
        (602, 70),
    }
    listed = {obj.origin_id: obj for obj in erp.listed(Entity.SUB_JOBS)}
    assert listed[result.origin_id].data["project_origin_id"] == books.jobs[1].origin_id
    # The sub job's cost codes are the ERP's now: they come back as its job costs.
    structure = erp.adapter.job_costs.structure(result.origin_id)
    assert sorted(row.code for row in structure.cost_codes) == ["01-100", "03-300"]
    assert {row.cost_type_origin_id for row in structure.rows} == {books.cost_type("L").origin_id}
    again = erp.create(Entity.SUB_JOBS, payload)
    assert (again.created, again.origin_id) == (False, result.origin_id)
    assert len(erp.listed(Entity.SUB_JOBS)) == 2


def test_a_refused_sub_job_writes_nothing(make_erp):
    books = sample_books()
    erp = make_erp(books)
    payload = sub_job_export(books)
    payload["sub_job"]["project"] = {"id": 89, "name": "Nowhere", "origin_id": oid("nowhere")}
    problems = erp.adapter.sub_jobs.check_create(payload)
    assert any("Nowhere" in p and "not in the ERP" in p for p in problems), problems
    with pytest.raises(ConstraintViolation):
        erp.create(Entity.SUB_JOBS, payload)
    assert [obj.origin_id for obj in erp.listed(Entity.SUB_JOBS)] == [books.sub_jobs[0].origin_id]


def test_an_unreachable_erp_is_retried_for_sub_jobs(make_erp):
    books = sample_books()
    offline = make_erp(books).unavailable()
    if offline is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    with pytest.raises(ERPUnavailable):
        offline.sub_jobs.create(sub_job_export(books))


# -- jobs carry their cost codes ------------------------------------------------------------------


def test_an_exported_job_opens_its_cost_codes_and_cost_types(make_erp):
    books = sample_books()
    erp = make_erp(books)
    payload = job_export(books)
    payload["all_cost_codes"] = _cost_code_refs(books, ["01-100", "03-300-10"], "M")
    result = erp.create(Entity.JOBS, payload)
    assert {(a.cost_code_id, a.line_item_type_id) for a in result.assignments} == {
        (601, 70),
        (602, 70),
    }
    summary = erp.adapter.job_costs.summary(result.origin_id)
    assert summary.data["project_origin_id"] == result.origin_id
    structure = erp.adapter.job_costs.structure(result.origin_id)
    assert {row.origin_id for row in structure.cost_codes} == {
        link.origin_id for link in result.links if link.item_type == "cost_code"
    }
    assert [(row.has_costs, row.cost_type_origin_id) for row in structure.rows] == [
        (False, books.cost_type("M").origin_id)
    ] * 2


# -- budgets ------------------------------------------------------------------------------------


def budget_export(books, transactions: list[tuple[int, str]]) -> dict[str, Any]:
    job = books.jobs[0]
    line = {
        "id": 3301,
        "cost_code_origin_id": f"{job.origin_id}|{books.cost_code('03-300').origin_id}",
        "line_item_type_origin_id": books.cost_type("S").origin_id,
        "budget_line_item_id": 77,
        "job_origin_id": job.origin_id,
        "sub_job_origin_id": None,
    }
    return {
        "job_id": job.origin_id,
        "budget": {"id": 5501, "project_id": 88, "origin_id": None},
        "job_costs": [line],
        "transactions": [
            {
                "id": transaction_id,
                "origin_id": None,
                "value": value,
                "synced": False,
                "type": "Erp::OriginalEstimateTransaction"
                if n == 0
                else "Erp::ModificationTransaction",
                "job_cost_id": 3301,
                "notes": "",
            }
            for n, (transaction_id, value) in enumerate(transactions)
        ],
        "request_detail_id": 9201,
        "company_id": 1,
    }


def export_budget(erp: Any, payload: dict[str, Any]) -> BudgetResult:
    return settled(erp, lambda: erp.adapter.budgets.export(payload))


def test_a_budget_posts_each_transaction_once(make_erp):
    books = sample_books()
    erp = make_erp(books)
    payload = budget_export(books, [(9001, "1500.00"), (9002, "-250.5")])
    assert erp.adapter.budgets.check_export(payload) == []
    first = export_budget(erp, payload)
    assert first.posted == 2
    assert [(link.item_type, link.item_id) for link in first.links] == [("budget", 5501)]
    assert first.links[0].origin_id == first.origin_id
    assert [t.id for t in first.transactions] == [9001, 9002]
    assert len({t.origin_id for t in first.transactions}) == 2
    again = export_budget(erp, payload)
    assert (again.posted, again.origin_id, again.transactions) == (
        0,
        first.origin_id,
        first.transactions,
    )
    # update_budget: the re-export carries the new transaction only.
    more = export_budget(erp, budget_export(books, [(9003, "75.00")]))
    assert (more.posted, more.origin_id, more.created) == (1, first.origin_id, False)
    assert [t.id for t in more.transactions] == [9003]


def test_a_refused_budget_posts_nothing(make_erp):
    books = sample_books()
    erp = make_erp(books)
    payload = budget_export(books, [(9001, "1500.00"), (9002, "12.5.0")])
    problems = erp.adapter.budgets.check_export(payload)
    assert any("'12.5.0' is not a number" in p for p in problems), problems
    with pytest.raises(ConstraintViolation):
        export_budget(erp, payload)
    elsewhere = budget_export(books, [(9001, "1500.00")])
    elsewhere["job_costs"][0]["cost_code_origin_id"] = f"{oid('j1')}|{oid('not-a-code')}"
    with pytest.raises(ConstraintViolation) as refused:
        export_budget(erp, elsewhere)
    assert "cost code is not on" in str(refused.value)
    # Nothing of either was posted: the valid export now posts both of its transactions.
    assert export_budget(erp, budget_export(books, [(9001, "1"), (9002, "2")])).posted == 2


def test_an_unreachable_erp_is_retried_for_budgets(make_erp):
    books = sample_books()
    offline = make_erp(books).unavailable()
    if offline is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    with pytest.raises(ERPUnavailable):
        offline.budgets.export(budget_export(books, [(9001, "1500.00")]))
