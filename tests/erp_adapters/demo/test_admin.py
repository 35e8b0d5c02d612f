"""The demo ERP's admin: every page renders, a person finds what arrived from Procore, and a
commitment shows its lines and total."""

from __future__ import annotations

import pytest
from django.urls import reverse

from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)
from tests.erp_adapters.demo.conftest import TENANT, request_data

MODELS = (
    DemoVendor,
    DemoJob,
    DemoCostCode,
    DemoCostType,
    DemoCommitment,
    DemoChangeOrder,
)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_demo_page_renders(model, books, admin_client_logged_in):
    client = admin_client_logged_in
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    row = model.objects.filter(tenant=TENANT).order_by("id").first()
    response = client.get(changelist, {"tenant": TENANT})
    assert response.status_code == 200
    assert str(row) in response.text or row.pk in [o.pk for o in response.context["cl"].result_list]
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    assert client.get(change).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(add).status_code == 200


def test_a_person_finds_what_arrived_from_procore(books, adapter, admin_client_logged_in):
    adapter.vendors.create(request_data("create_vendor"))
    arrived = DemoVendor.objects.get(procore_id=35)
    url = reverse("admin:demo_erp_demovendor_changelist")
    client = admin_client_logged_in

    def listed(**params):
        return [v.pk for v in client.get(url, params).context["cl"].result_list]

    assert listed(origin="procore") == [arrived.pk]
    assert listed(q="Test Vendor") == [arrived.pk]
    assert arrived.pk in listed(q="35")  # the Procore id (text fields may contain 35 too)
    assert listed(q=str(arrived.guid)) == [arrived.pk]
    assert listed(q=str(arrived.guid), tenant="other") == []
    assert len(listed(origin="erp")) == 25


def test_commitment_page_shows_its_lines_and_total(books, admin_client_logged_in):
    commitment = DemoCommitment.objects.filter(tenant=TENANT).first()
    url = reverse("admin:demo_erp_democommitment_change", args=[commitment.pk])
    response = admin_client_logged_in.get(url)
    for line in commitment.lines.all():
        assert line.description in response.text
    changelist = admin_client_logged_in.get(reverse("admin:demo_erp_democommitment_changelist"))
    total = sum(line.amount for line in commitment.lines.all())
    assert f"{total:,.2f}" in changelist.text


@pytest.fixture
def job_structure(books):
    """One job with a sub job, a cost code charged to a cost type with posted costs, and a
    budget line with a transaction."""
    from erp_adapters.demo.models import (
        DemoBudget,
        DemoBudgetLine,
        DemoBudgetTransaction,
        DemoJobCost,
        DemoJobCostCode,
        DemoJobCostType,
        DemoSubJob,
    )

    # The seeded books come with a cost structure of their own: start from none, so each page
    # lists exactly the rows made here.
    DemoCommitmentLine.objects.filter(tenant=TENANT).update(job_cost_code=None)
    for model in (
        DemoBudgetTransaction,
        DemoBudgetLine,
        DemoBudget,
        DemoJobCost,
        DemoJobCostType,
        DemoJobCostCode,
        DemoSubJob,
    ):
        model.objects.filter(tenant=TENANT).delete()
    job = DemoJob.objects.filter(tenant=TENANT).first()
    DemoSubJob.objects.create(tenant=TENANT, job=job, code="F5", name="Floor 5")
    code = DemoJobCostCode.objects.create(
        tenant=TENANT, job=job, cost_code=DemoCostCode.objects.get(tenant=TENANT, code="03-300")
    )
    cost_type = DemoCostType.objects.get(tenant=TENANT, code="L")
    assignment = DemoJobCostType.objects.create(
        tenant=TENANT, job_cost_code=code, cost_type=cost_type
    )
    DemoJobCost.objects.create(tenant=TENANT, assignment=assignment, job_to_date_cost=1200)
    budget = DemoBudget.objects.create(tenant=TENANT, job=job)
    line = DemoBudgetLine.objects.create(
        tenant=TENANT, budget=budget, job_cost_code=code, cost_type=cost_type, amount=500
    )
    DemoBudgetTransaction.objects.create(
        tenant=TENANT, line=line, kind="original_estimate", amount=500
    )


COST_STRUCTURE_MODELS = (
    "demosubjob",
    "demojobcostcode",
    "demojobcosttype",
    "demojobcost",
    "demobudget",
    "demobudgettransaction",
)


@pytest.mark.parametrize("model_name", COST_STRUCTURE_MODELS)
def test_every_cost_structure_page_renders(model_name, job_structure, admin_client_logged_in):
    client = admin_client_logged_in
    changelist = reverse(f"admin:demo_erp_{model_name}_changelist")
    response = client.get(changelist, {"tenant": TENANT})
    assert response.status_code == 200
    (row,) = response.context["cl"].result_list
    assert (
        client.get(reverse(f"admin:demo_erp_{model_name}_change", args=[row.pk])).status_code == 200
    )
    assert client.get(reverse(f"admin:demo_erp_{model_name}_add")).status_code == 200
