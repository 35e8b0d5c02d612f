"""The demo ERP's cost structure keeps the rules an accountant relies on: codes unique per job,
and posted costs pinning the cost code and cost type they were posted on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from erp_adapters.demo.models import (
    DemoBudget,
    DemoBudgetLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)

TENANT = "books"


@pytest.fixture
def job_code(db):
    job = DemoJob.objects.create(tenant=TENANT, code="J-1", name="Harbor Clinic")
    code = DemoCostCode.objects.create(tenant=TENANT, code="03-300", name="Concrete")
    labor = DemoCostType.objects.create(tenant=TENANT, code="L", name="Labor")
    job_code = DemoJobCostCode.objects.create(tenant=TENANT, job=job, cost_code=code)
    assignment = DemoJobCostType.objects.create(
        tenant=TENANT, job_cost_code=job_code, cost_type=labor
    )
    return job_code, assignment


def test_a_cost_code_is_opened_once_per_job_and_once_per_sub_job(job_code):
    job_code, _ = job_code
    sub_job = DemoSubJob.objects.create(tenant=TENANT, job=job_code.job, code="F5", name="Floor 5")
    DemoJobCostCode.objects.create(
        tenant=TENANT, job=job_code.job, sub_job=sub_job, cost_code=job_code.cost_code
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DemoJobCostCode.objects.create(
            tenant=TENANT, job=job_code.job, cost_code=job_code.cost_code
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DemoJobCostCode.objects.create(
            tenant=TENANT, job=job_code.job, sub_job=sub_job, cost_code=job_code.cost_code
        )


def test_sub_job_codes_are_unique_within_their_job(job_code):
    job = job_code[0].job
    DemoSubJob.objects.create(tenant=TENANT, job=job, code="F5", name="Floor 5")
    with pytest.raises(IntegrityError), transaction.atomic():
        DemoSubJob.objects.create(tenant=TENANT, job=job, code="F5", name="Fifth floor")


def test_posted_costs_pin_their_cost_code_and_cost_type(job_code):
    job_code, assignment = job_code
    DemoJobCost.objects.create(
        tenant=TENANT, assignment=assignment, job_to_date_cost=Decimal("1200.00")
    )
    with pytest.raises(ProtectedError):
        assignment.delete()
    with pytest.raises(ProtectedError):
        job_code.delete()
    assert DemoJobCostType.objects.filter(pk=assignment.pk).exists()


def test_a_budget_line_is_one_per_cost_code_and_cost_type(job_code):
    job_code, assignment = job_code
    budget = DemoBudget.objects.create(tenant=TENANT, job=job_code.job)
    DemoBudgetLine.objects.create(
        tenant=TENANT, budget=budget, job_cost_code=job_code, cost_type=assignment.cost_type
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DemoBudgetLine.objects.create(
            tenant=TENANT, budget=budget, job_cost_code=job_code, cost_type=assignment.cost_type
        )
