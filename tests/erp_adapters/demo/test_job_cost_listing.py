"""Listing a job's cost structure out of the demo ERP: sub jobs to stage, and per job and sub
job a summary of its cost codes, assignments and costs, with the rows on demand."""

from __future__ import annotations

import inspect
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from erp_adapters.demo.models import (
    DemoCostCode,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)
from tests.erp_adapters.demo.conftest import TENANT


def test_sub_jobs_are_staged_under_their_job(books, adapter):
    sub_jobs = list(adapter.sub_jobs.list())
    rows = DemoSubJob.objects.filter(tenant=TENANT).select_related("job").order_by("id")
    assert [(s.item_type, s.origin_id, s.origin_code, s.data) for s in sub_jobs] == [
        (
            "sub_job",
            str(row.guid),
            row.code,
            {"name": row.name, "code": row.code, "project_origin_id": str(row.job.guid)},
        )
        for row in rows
    ]


def test_an_inactive_sub_job_is_not_listed(books, adapter):
    DemoSubJob.objects.filter(tenant=TENANT).update(is_active=False)
    assert list(adapter.sub_jobs.list()) == []


def test_job_costs_are_summarised_per_job_and_per_sub_job(books, adapter):
    summaries = {s.origin_id: s for s in adapter.job_costs.list()}
    jobs = DemoJob.objects.filter(tenant=TENANT)
    sub_jobs = DemoSubJob.objects.filter(tenant=TENANT)
    assert set(summaries) == {str(j.guid) for j in jobs} | {str(s.guid) for s in sub_jobs}
    sub_job = sub_jobs.select_related("job").first()
    summary = summaries[str(sub_job.guid)]
    assert summary.origin_code == f"{sub_job.job.code}/{sub_job.code}"
    assert summary.data["project_origin_id"] == str(sub_job.job.guid)
    assert summary.data["sub_job_origin_id"] == str(sub_job.guid)
    assert all(len(summary.data[part]) == 20 for part in ("cost_codes", "assignments", "job_costs"))


def test_each_part_changes_its_own_digest_only(books, adapter):
    job = DemoJob.objects.filter(tenant=TENANT).order_by("id").first()

    def summary():
        return adapter.job_costs.summary(str(job.guid)).data

    before = summary()
    cost = DemoJobCost.objects.filter(
        assignment__job_cost_code__job=job, assignment__job_cost_code__sub_job=None
    ).first()
    DemoJobCost.objects.filter(pk=cost.pk).update(job_to_date_cost=cost.job_to_date_cost + 1)
    after_cost = summary()
    assert (after_cost["cost_codes"], after_cost["assignments"]) == (
        before["cost_codes"],
        before["assignments"],
    )
    assert after_cost["job_costs"] != before["job_costs"]

    code = DemoJobCostCode.objects.filter(job=job, sub_job=None).first()
    DemoCostCode.objects.filter(pk=code.cost_code_id).update(name="Renamed in the ERP")
    after_name = summary()
    assert after_name["cost_codes"] != after_cost["cost_codes"]
    assert after_name["job_costs"] == after_cost["job_costs"]


def test_structure_holds_the_rows_of_one_biller_only(books, adapter):
    sub_job = DemoSubJob.objects.filter(tenant=TENANT).first()
    structure = adapter.job_costs.structure(str(sub_job.guid))
    codes = DemoJobCostCode.objects.filter(sub_job=sub_job).select_related("cost_code")
    assert {(c.origin_id, c.code, c.name) for c in structure.cost_codes} == {
        (c.origin_id, c.cost_code.code, c.cost_code.name) for c in codes
    }
    pairs = DemoJobCostType.objects.filter(job_cost_code__sub_job=sub_job).select_related(
        "job_cost_code", "cost_type", "job_cost"
    )
    assert {
        (r.cost_code_origin_id, r.cost_type_origin_id, r.original_estimate, r.job_to_date_cost)
        for r in structure.rows
    } == {
        (
            p.job_cost_code.origin_id,
            str(p.cost_type.guid),
            f"{p.job_cost.original_estimate:.2f}",
            f"{p.job_cost.job_to_date_cost:.2f}",
        )
        for p in pairs
    }
    assert structure.sub_job_origin_id == str(sub_job.guid)


def test_an_assignment_without_posted_costs_is_listed_without_amounts(books, adapter):
    pair = DemoJobCostType.objects.filter(job_cost_code__sub_job=None).first()
    DemoJobCost.objects.filter(assignment=pair).delete()
    structure = adapter.job_costs.structure(str(pair.job_cost_code.job.guid))
    (row,) = [
        r
        for r in structure.rows
        if r.cost_type_origin_id == str(pair.cost_type.guid)
        and r.cost_code_origin_id == pair.job_cost_code.origin_id
    ]
    assert not row.has_costs and row.original_estimate is None


def test_an_unknown_job_has_no_summary(books, adapter):
    assert adapter.job_costs.summary("not-a-uuid") is None
    assert adapter.job_costs.structure("00000000-0000-0000-0000-000000000000") is None


def test_job_costs_stream_a_page_of_jobs_at_a_time(books, adapter):
    """Pages of 10 objects make pages of one job: the first summary arrives after a bounded
    handful of queries (jobs, sub jobs, cost codes, assignments), not after reading the books."""
    stream = adapter.job_costs.list()
    assert inspect.isgenerator(stream)
    with CaptureQueriesContext(connection) as queries:
        next(stream)
        first = len(queries)
        list(stream)
    assert first == 4
    jobs = DemoJob.objects.filter(tenant=TENANT).count()
    assert len(queries) == 4 * jobs + 1  # a last, empty page of jobs ends the walk


def test_money_is_listed_as_decimal_strings(books, adapter):
    cost = DemoJobCost.objects.filter(assignment__job_cost_code__sub_job=None).first()
    DemoJobCost.objects.filter(pk=cost.pk).update(estimate=Decimal("1000"))
    structure = adapter.job_costs.structure(str(cost.assignment.job_cost_code.job.guid))
    assert "1000.00" in {r.estimate for r in structure.rows}


def test_a_cost_moved_from_one_pair_to_another_changes_the_digest(books, adapter):
    """Totals stay the same when accounting reclassifies a cost; the digest still changes."""
    job = DemoJob.objects.filter(tenant=TENANT).order_by("id").first()
    first, second = DemoJobCost.objects.filter(
        assignment__job_cost_code__job=job, assignment__job_cost_code__sub_job=None
    ).order_by("id")[:2]
    before = adapter.job_costs.summary(str(job.guid)).data["job_costs"]
    DemoJobCost.objects.filter(pk=first.pk).update(job_to_date_cost=first.job_to_date_cost - 100)
    DemoJobCost.objects.filter(pk=second.pk).update(job_to_date_cost=second.job_to_date_cost + 100)
    assert adapter.job_costs.summary(str(job.guid)).data["job_costs"] != before


def test_the_listing_and_a_single_summary_agree(books, adapter):
    listed = {s.origin_id: s for s in adapter.job_costs.list()}
    for origin_id, summary in listed.items():
        assert adapter.job_costs.summary(origin_id) == summary
