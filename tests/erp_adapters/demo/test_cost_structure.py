"""The demo ERP's job cost structure behind the adapter: jobs with their cost codes and cost
types, sub jobs, budgets, the deletes Procore asks for, and resets; each refusal in words an
accountant understands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import ConstraintViolation, ERPUnavailable, job_cost_code_origin_id
from erp_adapters.demo.models import (
    DemoBudget,
    DemoBudgetLine,
    DemoBudgetTransaction,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)
from erp_adapters.registry import get_adapter

TENANT = "books"


@pytest.fixture
def adapter(db):
    return get_adapter("demo", {"tenant": TENANT, "page_size": 10})


@pytest.fixture
def lists(db):
    return {
        "concrete": DemoCostCode.objects.create(tenant=TENANT, code="03-300", name="Concrete"),
        "labor": DemoCostType.objects.create(tenant=TENANT, code="L", name="Labor"),
    }


def _job_export(*, procore_id=7, code="J-10", origin_id=None, types=("L",)):
    return {
        "job": {
            "id": procore_id,
            "name": "Harbor Clinic",
            "origin_code": code,
            "origin_id": origin_id,
        },
        "all_cost_codes": [
            {
                "id": 70,
                "full_code": "03-300",
                "name": "Concrete",
                "line_item_types": [
                    {"id": 900 + n, "code": t, "name": t} for n, t in enumerate(types)
                ],
            }
        ],
    }


def test_a_job_export_opens_its_cost_codes_and_cost_types(adapter, lists):
    result = adapter.jobs.create(_job_export())

    job = DemoJob.objects.get(tenant=TENANT)
    assert (result.created, result.origin_code, job.procore_id) == (True, "J-10", 7)
    assert [(link.item_type, link.item_id) for link in result.links] == [
        ("project", 7),
        ("cost_code", 70),
    ]
    assert result.links[1].origin_id == job_cost_code_origin_id(
        str(job.guid), str(lists["concrete"].guid)
    )
    assert [a.as_update() for a in result.assignments] == [
        {"cost_code_id": 70, "line_item_type_id": 900, "synced": True}
    ]
    assignment = DemoJobCostType.objects.get()
    assert (assignment.job_cost_code.procore_id, assignment.synced) == (70, True)


def test_a_job_imported_from_the_erp_and_exported_back_is_updated_not_refused(adapter, lists):
    job = DemoJob.objects.create(tenant=TENANT, code="J-10", name="Old name")
    payload = _job_export(origin_id=str(job.guid))

    assert adapter.jobs.check_create(payload) == []
    result = adapter.jobs.create(payload)

    job.refresh_from_db()
    assert (result.created, job.name, job.procore_id) == (False, "Harbor Clinic", 7)
    assert DemoJob.objects.filter(tenant=TENANT).count() == 1


def test_a_cost_type_the_erp_lacks_is_named(adapter, lists):
    problems = adapter.jobs.check_create(_job_export(types=("L", "Q")))
    assert problems == ["Cost type 'Q' (Q) on cost code 03-300 'Concrete' is not in the ERP."]
    with pytest.raises(ConstraintViolation):
        adapter.jobs.create(_job_export(types=("Q",)))
    assert not DemoJob.objects.exists()


def _sub_job_export(job, *, code="F5", procore_id=11):
    return {
        "sub_job": {
            "id": procore_id,
            "code": code,
            "name": "Floor 5",
            "project": {"id": 7, "name": "Harbor Clinic", "origin_id": str(job.guid)},
        },
        "all_cost_codes": [{"id": 71, "full_code": "03-300", "name": "Concrete"}],
    }


def test_a_sub_job_needs_its_job_and_a_code_free_on_that_job(adapter, lists):
    job = DemoJob.objects.create(tenant=TENANT, code="J-10", name="Harbor Clinic")
    DemoSubJob.objects.create(tenant=TENANT, job=job, code="F4", name="Floor 4")

    assert adapter.sub_jobs.check_create(_sub_job_export(job, code="F4")) == [
        "Sub job code 'F4' is already used on job J-10 by 'Floor 4'. Enter another code and "
        "export again."
    ]
    assert adapter.sub_jobs.check_create(_sub_job_export(job, code="FLOOR-FIVE-A")) == [
        "Sub job code 'FLOOR-FIVE-A' is longer than 10 characters, the ERP's limit. Enter a "
        "shorter code and export again."
    ]
    orphan = _sub_job_export(job)
    orphan["sub_job"]["project"] = {"id": 8, "name": "Elsewhere", "origin_id": None}
    assert adapter.sub_jobs.check_create(orphan) == [
        "Job 'Elsewhere' is not in the ERP; export the project first."
    ]

    result = adapter.sub_jobs.create(_sub_job_export(job))
    again = adapter.sub_jobs.create(_sub_job_export(job))
    sub_job = DemoSubJob.objects.get(code="F5")
    assert (result.created, again.created) == (True, False)
    assert result.links[1].origin_id == job_cost_code_origin_id(
        str(sub_job.guid), str(lists["concrete"].guid)
    )
    assert DemoJobCostCode.objects.filter(sub_job=sub_job).count() == 1
    assert [obj.origin_code for obj in adapter.sub_jobs.list()] == ["F4", "F5"]


def _opened(adapter, lists):
    adapter.jobs.create(_job_export())
    job = DemoJob.objects.get(tenant=TENANT)
    return job, DemoJobCostType.objects.get()


def _budget_export(job, lists, *, transactions):
    return {
        "job_id": str(job.guid),
        "budget": {"id": 5, "origin_id": None, "project_id": 7},
        "job_costs": [
            {
                "id": 456,
                "cost_code_origin_id": job_cost_code_origin_id(
                    str(job.guid), str(lists["concrete"].guid)
                ),
                "line_item_type_origin_id": str(lists["labor"].guid),
                "budget_line_item_id": 567,
                "new_amount": 44.45,
            }
        ],
        "transactions": [
            {"id": txn_id, "value": value, "type": kind, "job_cost_id": 456}
            for txn_id, value, kind in transactions
        ],
    }


def test_a_budget_posts_each_transaction_once(adapter, lists):
    job, _ = _opened(adapter, lists)
    first = _budget_export(
        job, lists, transactions=[(1, 33.33, "Erp::OriginalEstimateTransaction")]
    )

    created = adapter.budgets.export(first)
    redelivered = adapter.budgets.export(first)
    grown = _budget_export(
        job,
        lists,
        transactions=[
            (1, 33.33, "Erp::OriginalEstimateTransaction"),
            (2, "11.12", "Erp::RevisedEstimateTransaction"),
        ],
    )
    updated = adapter.budgets.export(grown)

    assert (created.created, created.posted) == (True, 1)
    assert (redelivered.created, redelivered.posted) == (False, 0)
    assert updated.posted == 1
    line = DemoBudgetLine.objects.get()
    assert (line.amount, line.procore_id, line.procore_budget_line_item_id) == (
        Decimal("44.45"),
        456,
        567,
    )
    assert list(
        DemoBudgetTransaction.objects.order_by("procore_id").values_list("kind", flat=True)
    ) == [
        "original_estimate",
        "modification",
    ]
    assert [t.id for t in updated.transactions] == [1, 2]
    assert DemoBudget.objects.get().procore_id == 5


def test_a_budget_line_needs_a_cost_code_on_the_job_and_a_known_cost_type(adapter, lists):
    job, _ = _opened(adapter, lists)
    payload = _budget_export(job, lists, transactions=[])
    payload["job_costs"][0]["line_item_type_origin_id"] = "not-in-the-erp"
    other = DemoCostCode.objects.create(tenant=TENANT, code="09-900", name="Paint")
    payload["job_costs"].append(
        {
            "id": 457,
            "cost_code_origin_id": f"{job.guid}|{other.guid}",
            "line_item_type_origin_id": str(lists["labor"].guid),
        }
    )
    assert adapter.budgets.check_export(payload) == [
        "A budget line on cost code 03-300 has a cost type the ERP does not know.",
        "A budget line's cost code is not on job J-10 in the ERP; export the job's cost codes "
        "first.",
    ]
    with pytest.raises(ConstraintViolation):
        adapter.budgets.export(payload)
    assert not DemoBudget.objects.exists()


def _deletion(job, **item):
    return {"project": {"id": 7, "origin_id": str(job.guid)}, "sub_job": None, **item}


def test_a_cost_code_with_budget_amounts_is_kept_and_one_without_is_deleted(adapter, lists):
    job, assignment = _opened(adapter, lists)
    adapter.budgets.export(
        _budget_export(job, lists, transactions=[(1, 100, "Erp::OriginalEstimateTransaction")])
    )
    with pytest.raises(ConstraintViolation) as refused:
        adapter.jobs.delete_cost_code(_deletion(job, id=70, sortable_code="03-300"))
    assert refused.value.messages == [
        "Cost code 03-300 on job J-10 is on the job's budget in the ERP (100.00), so the ERP "
        "keeps it. Remove it from the budget first, then delete it again."
    ]

    DemoBudget.objects.all().delete()
    DemoJobCost.objects.create(tenant=TENANT, assignment=assignment)  # estimates only, no costs
    deletion = adapter.jobs.delete_cost_code(_deletion(job, id=70, sortable_code="03-300"))
    assert (deletion.deleted, deletion.label) == (True, "03-300 Concrete on job J-10")
    assert not DemoJobCostCode.objects.exists()
    again = adapter.jobs.delete_cost_code(_deletion(job, id=70, sortable_code="03-300"))
    assert again.deleted is False  # already gone: Procore may delete its copy


def test_a_cost_type_with_posted_costs_stays_on_its_cost_code(adapter, lists):
    job, assignment = _opened(adapter, lists)
    DemoJobCost.objects.create(
        tenant=TENANT, assignment=assignment, job_to_date_cost=Decimal("1234.5")
    )
    item = _deletion(
        job,
        id=3,
        cost_code_origin_id=job_cost_code_origin_id(str(job.guid), str(lists["concrete"].guid)),
        line_item_type_origin_id=str(lists["labor"].guid),
    )
    with pytest.raises(ConstraintViolation) as refused:
        adapter.jobs.delete_cost_type_assignment(item)
    assert refused.value.messages == [
        "Cost type L on cost code 03-300 of job J-10 has 1,234.50 of costs posted in the ERP, "
        "so the ERP keeps it. Reverse or move those costs in the ERP first, then delete it again."
    ]
    assert DemoJobCostType.objects.filter(pk=assignment.pk).exists()


def test_a_reset_job_keeps_its_rows_without_procore_ids(adapter, lists):
    job, assignment = _opened(adapter, lists)
    DemoSubJob.objects.create(tenant=TENANT, job=job, code="F5", name="Floor 5", procore_id=11)

    dropped = adapter.jobs.release({"id": 7, "origin_id": str(job.guid)})

    assert sorted((link.item_type, link.item_id) for link in dropped) == [
        ("cost_code", 70),
        ("project", 7),
        ("sub_job", 11),
    ]
    job.refresh_from_db()
    assignment.refresh_from_db()
    assert (job.procore_id, assignment.synced) == (None, False)
    assert not DemoSubJob.objects.filter(procore_id__isnull=False).exists()
    assert not DemoJobCostCode.objects.filter(procore_id__isnull=False).exists()


def test_the_new_calls_fail_retryably_while_the_erp_is_offline(db):
    offline = get_adapter("demo", {"tenant": TENANT, "offline": True})
    with pytest.raises(ERPUnavailable):
        offline.budgets.check_export({})
    with pytest.raises(ERPUnavailable):
        offline.jobs.delete_cost_code({})
    with pytest.raises(ERPUnavailable):
        offline.sub_jobs.release({})
