"""A job's set-up sent from Procore to the ERP, end to end over real HTTP: the project user and
the approver act in the local Procore (the sandbox), Procore delivers the webhook, the worker
does the ERP's part in the demo books and writes back to Procore (External Data, cost-type
assignments, budget transactions), and each Request Detail closes with what happened."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import job_cost_code_origin_id
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
)
from integrations.models import ObjectLink
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ProcoreObject
from tests.flows.conftest import detail_of, tenant_of


@pytest.fixture
def books(provisioned, sandbox_company):
    """The ERP's cost code list and cost types; Procore's cost types were linked to them by the
    first cost type import (their origin ids)."""
    tenant = tenant_of(provisioned)
    division = DemoCostCode.objects.create(tenant=tenant, code="03", name="Concrete")
    codes = {
        "03": division,
        "03-300": DemoCostCode.objects.create(
            tenant=tenant, code="03-300", name="Cast-in-Place", parent=division
        ),
        "03-400": DemoCostCode.objects.create(
            tenant=tenant, code="03-400", name="Precast", parent=division
        ),
    }
    types = {}
    for code, name in (("L", "Labor"), ("M", "Materials")):
        types[code] = DemoCostType.objects.create(tenant=tenant, code=code, name=name)
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type", data__code=code
        ).update(origin_id=str(types[code].guid))
    return {"tenant": tenant, "codes": codes, "types": types}


def _type(company, code: str) -> ProcoreObject:
    return ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code=code)


def _cost_code(project: ProcoreObject, code: str) -> ProcoreObject:
    return ProcoreObject.objects.get(project=project, item_type="cost_code", data__code=code)


def _export(obj: ProcoreObject, **options):
    """Send to ERP, the approver accepts, Procore delivers, the portal works."""
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj, **options))
    assert deliveries_run_due() >= 1
    process_pending()
    return request


def _project(company, name: str, code: str, cost_codes: list[str]) -> ProcoreObject:
    from procore_sandbox.services.cost_structure import cost_type_assign
    from procore_sandbox.services.objects import project_create

    project = project_create(
        company=company,
        name=name,
        cost_codes=[(c, f"Code {c}") for c in cost_codes],
        origin_code=code,
    )
    cost_type_assign(
        cost_code=_cost_code(project, cost_codes[-1]), line_item_type=_type(company, "L")
    )
    return project


def test_a_job_exported_then_updated_keeps_one_erp_job_and_syncs_every_cost_code(
    books, sandbox_company
):
    from procore_sandbox.services.cost_structure import cost_code_add, cost_type_assign

    project = _project(sandbox_company, "Harbor Clinic", "J-100", ["03", "03-300"])
    request = _export(project)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Created job J-100 in the ERP, with 2 cost codes and 1 cost type assignment."
    ]
    job = DemoJob.objects.get(tenant=books["tenant"], procore_id=project.id)
    project.refresh_from_db()
    assert project.origin_id == str(job.guid)  # synced: Procore shows the banner
    concrete = _cost_code(project, "03-300")
    assert concrete.origin_id == job_cost_code_origin_id(
        str(job.guid), str(books["codes"]["03-300"].guid)
    )
    labor = ProcoreObject.objects.get(project=project, item_type="cost_code_line_item_type")
    assert labor.data["synced"] is True

    # The job grows in Procore: a new cost code charged to Materials; it is exported again.
    precast = cost_code_add(project=project, code="03-400", name="Precast")
    cost_type_assign(cost_code=precast, line_item_type=_type(sandbox_company, "M"))
    again = _export(project)

    detail = detail_of(again)
    assert detail.status == "success", detail.messages
    assert detail.messages[0].startswith("Updated job J-100 in the ERP, with 3 cost codes")
    assert DemoJob.objects.filter(tenant=books["tenant"]).count() == 1
    opened = DemoJobCostCode.objects.filter(job=job).values_list("cost_code__code", flat=True)
    assert sorted(opened) == ["03", "03-300", "03-400"]
    assert (
        DemoJobCostType.objects.get(job_cost_code__cost_code__code="03-400").cost_type.code == "M"
    )
    precast.refresh_from_db()
    assert precast.origin_id == job_cost_code_origin_id(
        str(job.guid), str(books["codes"]["03-400"].guid)
    )
    assignments = ProcoreObject.objects.filter(
        project=project, item_type="cost_code_line_item_type"
    )
    assert {row.data["synced"] for row in assignments} == {True}
    link = ObjectLink.objects.get(
        company__procore_company_id=sandbox_company.id, item_type="project"
    )
    assert (link.state, link.origin_code) == ("synced", "J-100")


def test_a_job_refused_for_its_code_can_be_sent_again_with_a_new_code(books, sandbox_company):
    DemoJob.objects.create(tenant=books["tenant"], code="J-200", name="Older Job")
    project = _project(sandbox_company, "Riverside Lofts", "J-200", ["03", "03-300"])
    request = _export(project)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == [
        "Job code 'J-200' is already used in the ERP by job 'Older Job'. Enter another code "
        "and export again."
    ]
    project.refresh_from_db()
    assert project.origin_id is None

    # Procore lets the user type a new code only because the message speaks of the code.
    again = _export(project, origin_code="J-201")
    assert detail_of(again).status == "success"
    assert DemoJob.objects.get(tenant=books["tenant"], procore_id=project.id).code == "J-201"


def test_a_budget_exported_then_re_exported_posts_only_the_new_transaction(books, sandbox_company):
    from procore_sandbox.services.cost_structure import (
        budget_change,
        budget_create,
        budget_line_set,
        budget_transactions,
    )

    project = _project(sandbox_company, "Harbor Clinic", "J-300", ["03", "03-300"])
    assert detail_of(_export(project)).status == "success"
    project.refresh_from_db()
    concrete, labor = _cost_code(project, "03-300"), _type(sandbox_company, "L")
    budget = budget_create(project=project)
    budget_line_set(budget=budget, cost_code=concrete, line_item_type=labor, amount="12500.00")
    request = _export(budget)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Created the budget of job J-300 in the ERP: 1 new transaction posted."
    ]
    erp_budget = DemoBudget.objects.get(tenant=books["tenant"])
    line = DemoBudgetLine.objects.get(budget=erp_budget)
    assert (line.job_cost_code.cost_code.code, line.cost_type.code) == ("03-300", "L")
    assert line.amount == Decimal("12500.00")
    budget.refresh_from_db()
    assert budget.origin_id == str(erp_budget.guid)
    assert [row.data["synced"] for row in budget_transactions(budget)] == [True]

    # An approved change of +1,750.25; the re-export carries only that one, unsynced.
    budget_change(budget=budget, cost_code=concrete, line_item_type=labor, amount="1750.25")
    again = _export(budget)

    detail = detail_of(again)
    assert again.request_name == "update_budget"
    assert len(again.request_data["transactions"]) == 1
    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Updated the budget of job J-300 in the ERP: 1 new transaction posted."
    ]
    line.refresh_from_db()
    assert line.amount == Decimal("14250.25")
    assert DemoBudgetTransaction.objects.filter(line=line).count() == 2
    assert DemoBudget.objects.filter(tenant=books["tenant"]).count() == 1
    assert [row.data["synced"] for row in budget_transactions(budget)] == [True, True]


def test_a_cost_code_delete_is_refused_while_costs_are_posted_on_it(books, sandbox_company):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.erp_actions import cost_codes_delete

    project = _project(sandbox_company, "Harbor Clinic", "J-400", ["03", "03-400", "03-300"])
    assert detail_of(_export(project)).status == "success"
    job = DemoJob.objects.get(tenant=books["tenant"], code="J-400")
    # Accounting posts labor on 03-300; 03-400 has nothing on it.
    assignment = DemoJobCostType.objects.get(job_cost_code__job=job)
    DemoJobCost.objects.create(
        tenant=books["tenant"], assignment=assignment, job_to_date_cost=Decimal("4820.50")
    )

    posted, empty = _cost_code(project, "03-300"), _cost_code(project, "03-400")
    deleted_at_once, request = cost_codes_delete(codes=[posted, empty])
    assert deleted_at_once == 0 and request is not None  # both synced: the ERP decides
    assert deliveries_run_due() >= 1
    process_pending()

    request.refresh_from_db()
    detail_of_code = {i["id"]: i["request_detail_id"] for i in request.request_data["cost_codes"]}
    closed = {d.id: (d.status, d.messages) for d in request.details.all()}
    answers = {code: closed[detail] for code, detail in detail_of_code.items()}
    assert answers[posted.id] == (
        "failed",
        [
            "Cost code 03-300 on job J-400 has 4,820.50 of costs posted in the ERP, so the ERP "
            "keeps it. Reverse or move those costs in the ERP first, then delete it again."
        ],
    )
    assert answers[empty.id] == (
        "success",
        ["Deleted 03-400 Precast on job J-400 in the ERP and in Procore."],
    )
    assert ProcoreObject.objects.filter(id=posted.id).exists()
    assert not ProcoreObject.objects.filter(id=empty.id).exists()
    remaining = DemoJobCostCode.objects.filter(job=job).values_list("cost_code__code", flat=True)
    assert sorted(remaining) == ["03", "03-300"]


def test_a_job_from_the_erp_exported_back_updates_it_and_procore_shows_its_code(
    books, sandbox_company
):
    """The project came from the ERP (it carries the job's origin id) but Procore lost its code:
    the export updates the ERP job instead of refusing a duplicate, and Procore gets the code."""
    job = DemoJob.objects.create(tenant=books["tenant"], code="J-500", name="Old Mill")
    project = _project(sandbox_company, "Old Mill Lofts", "", ["03", "03-300"])
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid))
    project.refresh_from_db()

    detail = detail_of(_export(project))

    assert detail.status == "success", detail.messages
    assert detail.messages[0].startswith("Updated job J-500 in the ERP")
    job.refresh_from_db()
    assert (job.name, job.procore_id) == ("Old Mill Lofts", project.id)
    project.refresh_from_db()
    assert project.origin_code == "J-500"
