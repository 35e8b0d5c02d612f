"""The request-fixture walk's BEFORE and EFFECTS for the export side of jobs and their cost
structure: projects, sub jobs, project cost codes and cost-type assignments, budgets.

Each BEFORE builds what the fixture's data names, in Procore (the sandbox) and in the ERP (the
demo books), and points the data's ids at it, keeping the dictionary's shape; each EFFECT checks
what the events dictionary requires of the request (External Data written, assignments or
transactions marked synced, what the ERP allowed deleted) and what the portal's links say.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

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
    DemoSubJob,
)
from integrations.models import ERPRequest, ObjectLink
from procore_sandbox.models import ProcoreObject


def _sandbox_type(given: Any, code: str) -> ProcoreObject:
    return ProcoreObject.objects.get(
        company=given.company, item_type="line_item_type", data__code=code
    )


def _erp_books(given: Any) -> dict[str, Any]:
    """The ERP's lists: cost codes 1 and 1-001, and the cost types O (Other) and E."""
    tenant = given.tenant
    general = DemoCostCode.objects.create(tenant=tenant, code="1", name="GENERAL CONDITIONS")
    return {
        "general": general,
        "scc": DemoCostCode.objects.create(
            tenant=tenant, code="1-001", name="Test SCC", parent=general
        ),
        "other": DemoCostType.objects.create(tenant=tenant, code="O", name="Other"),
        "equipment": DemoCostType.objects.create(tenant=tenant, code="E", name="Equipment"),
    }


def _synced_job(given: Any, name: str, code: str) -> tuple[ProcoreObject, DemoJob]:
    """A project in Procore, synced with a job in the ERP."""
    from procore_sandbox.services.objects import project_create

    project = project_create(
        company=given.company, name=name, cost_codes=[("1", "GENERAL CONDITIONS")]
    )
    job = DemoJob.objects.create(tenant=given.tenant, code=code, name=name, procore_id=project.id)
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid), origin_code=code)
    project.refresh_from_db()
    return project, job


def _codes_of(project: ProcoreObject, sub_job: ProcoreObject | None = None) -> list:
    from procore_sandbox.services.cost_structure import cost_codes_in

    return cost_codes_in(project, sub_job)


# -- Projects ----------------------------------------------------------------------------------


def before_create_or_update_job(given: Any, data: dict) -> None:
    """Project 'Test Project' with the dictionary's two cost codes, 1-001 charged to Other."""
    from procore_sandbox.services.cost_structure import cost_code_add, cost_type_assign
    from procore_sandbox.services.objects import project_create

    _erp_books(given)
    project = project_create(
        company=given.company,
        name="Test Project",
        cost_codes=[("1", "GENERAL CONDITIONS")],
        origin_code="JOB-EXP",
    )
    scc = cost_code_add(project=project, code="1-001", name="Test SCC")
    other = _sandbox_type(given, "O")
    cost_type_assign(cost_code=scc, line_item_type=other)
    general = next(code for code in _codes_of(project) if code.data["code"] == "1")
    data["job"]["id"] = project.id
    first, second = data["all_cost_codes"]
    first["id"], first["biller_id"] = general.id, project.id
    second["id"], second["biller_id"], second["parent"] = scc.id, project.id, {"id": general.id}
    second["line_item_types"][0]["id"] = other.id


def created_job(given: Any, ours: ERPRequest, data: dict) -> None:
    """The job and its cost codes are in the ERP and synced in Procore; the cost type on 1-001
    is marked synced; the portal's link keeps the job code."""
    project_id = data["job"]["id"]
    job = DemoJob.objects.get(tenant=given.tenant, procore_id=project_id)
    assert (job.code, job.name) == ("JOB-EXP", "Test Project")
    project = ProcoreObject.objects.get(id=project_id)
    assert project.origin_id == str(job.guid)
    opened = DemoJobCostCode.objects.filter(job=job).order_by("cost_code__code")
    assert [row.cost_code.code for row in opened] == ["1", "1-001"]
    for ref, row in zip(data["all_cost_codes"], opened, strict=True):
        code = ProcoreObject.objects.get(id=ref["id"])
        assert code.origin_id == job_cost_code_origin_id(str(job.guid), str(row.cost_code.guid))
        assert row.procore_id == ref["id"]
    assignment = ProcoreObject.objects.get(
        project_id=project_id, item_type="cost_code_line_item_type"
    )
    assert assignment.data["synced"] is True
    assert DemoJobCostType.objects.get(job_cost_code__job=job).cost_type.code == "O"
    link = ObjectLink.objects.get(company=given.connection.company, item_type="project")
    assert (link.state, link.procore_id, link.origin_code) == ("synced", project_id, "JOB-EXP")


def before_reset_job(given: Any, data: dict) -> None:
    """A synced job with a synced cost code, and the portal's links of both."""
    project, job = _synced_job(given, "Big Skyscraper", "J-2")
    books = _erp_books(given)
    code = _codes_of(project)[0]
    DemoJobCostCode.objects.create(
        tenant=given.tenant, job=job, cost_code=books["general"], procore_id=code.id
    )
    data["project"].update(id=project.id, origin_id=str(job.guid))
    company = given.connection.company
    ObjectLink.objects.create(
        company=company,
        item_type="project",
        origin_id=str(job.guid),
        procore_id=project.id,
        state="synced",
    )
    ObjectLink.objects.create(
        company=company,
        item_type="cost_code",
        origin_id=job_cost_code_origin_id(str(job.guid), str(books["general"].guid)),
        procore_id=code.id,
        state="synced",
    )


def reset_job(given: Any, ours: ERPRequest, data: dict) -> None:
    """The ERP keeps the job, without its Procore ids; no link of it is synced any more."""
    job = DemoJob.objects.get(tenant=given.tenant, guid=data["project"]["origin_id"])
    assert job.procore_id is None
    assert not DemoJobCostCode.objects.filter(job=job, procore_id__isnull=False).exists()
    links = ObjectLink.objects.filter(company=given.connection.company)
    assert links.count() == 2
    assert set(links.values_list("state", "procore_id")) == {("pending", None)}


# -- Sub jobs ----------------------------------------------------------------------------------


def before_create_sub_job(given: Any, data: dict) -> None:
    """A synced job; its sub job 'Test Subjob' has the codes 1 and 1-001, the latter charged to
    Equipment, as in the dictionary."""
    from procore_sandbox.services.cost_structure import cost_type_assign, sub_job_create

    _erp_books(given)
    project, job = _synced_job(given, "Test Project", "JO-EXP")
    sub_job = sub_job_create(
        project=project,
        name="Test Subjob",
        code="SJ-XYZ",
        cost_codes=[("1", "GENERAL CONDITIONS"), ("1-001", "Summary of Work")],
    )
    general, scc = _codes_of(project, sub_job)
    equipment = _sandbox_type(given, "E")
    cost_type_assign(cost_code=scc, line_item_type=equipment)
    data["sub_job"]["id"] = sub_job.id
    data["sub_job"]["project"].update(id=project.id, origin_id=str(job.guid))
    first, second = data["all_cost_codes"]
    first.update(id=general.id, biller_id=sub_job.id)
    second.update(id=scc.id, biller_id=sub_job.id, full_code="1-001", parent={"id": general.id})
    second["line_item_types"][0]["id"] = equipment.id


def created_sub_job(given: Any, ours: ERPRequest, data: dict) -> None:
    sub_job_id = data["sub_job"]["id"]
    row = DemoSubJob.objects.get(tenant=given.tenant, procore_id=sub_job_id)
    assert (row.code, row.name, row.job.code) == ("SJ-XYZ", "Test Subjob", "JO-EXP")
    assert ProcoreObject.objects.get(id=sub_job_id).origin_id == str(row.guid)
    codes = DemoJobCostCode.objects.filter(sub_job=row).order_by("cost_code__code")
    assert [code.cost_code.code for code in codes] == ["1", "1-001"]
    for ref, code in zip(data["all_cost_codes"], codes, strict=True):
        assert ProcoreObject.objects.get(id=ref["id"]).origin_id == job_cost_code_origin_id(
            str(row.guid), str(code.cost_code.guid)
        )
    assignment = ProcoreObject.objects.get(
        item_type="cost_code_line_item_type", data__sub_job_id=sub_job_id
    )
    assert assignment.data["synced"] is True
    link = ObjectLink.objects.get(company=given.connection.company, item_type="sub_job")
    assert (link.state, link.procore_id, link.origin_code) == ("synced", sub_job_id, "SJ-XYZ")


def before_reset_sub_job(given: Any, data: dict) -> None:
    from procore_sandbox.services.cost_structure import sub_job_create

    project, job = _synced_job(given, "Big Skyscraper", "J-3")
    sub_job = sub_job_create(project=project, name="Floor 5", code="5", cost_codes=[])
    row = DemoSubJob.objects.create(
        tenant=given.tenant, job=job, code="5", name="Floor 5", procore_id=sub_job.id
    )
    data["sub_job"].update(id=sub_job.id, origin_id=str(row.guid))
    data["sub_job"]["project"].update(id=project.id, origin_id=str(job.guid))
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="sub_job",
        origin_id=str(row.guid),
        procore_id=sub_job.id,
        state="synced",
    )


def reset_sub_job(given: Any, ours: ERPRequest, data: dict) -> None:
    row = DemoSubJob.objects.get(tenant=given.tenant, guid=data["sub_job"]["origin_id"])
    assert row.procore_id is None
    link = ObjectLink.objects.get(company=given.connection.company, item_type="sub_job")
    assert (link.state, link.procore_id) == ("pending", None)


# -- Cost codes and cost-type assignments ------------------------------------------------------


def _sub_job_code(given: Any) -> dict[str, Any]:
    """A synced job with a synced sub job whose cost code 1 is synced and charged to Other,
    with a job cost of nothing posted: what a user may ask to delete."""
    from procore_sandbox.services.cost_structure import (
        cost_type_assign,
        job_cost_set,
        sub_job_create,
    )

    books = _erp_books(given)
    project, job = _synced_job(given, "Test Project", "J-4")
    sandbox_sub_job = sub_job_create(
        project=project, name="Floor 2", code="F2", cost_codes=[("1", "GENERAL CONDITIONS")]
    )
    sub_job = DemoSubJob.objects.create(
        tenant=given.tenant, job=job, code="F2", name="Floor 2", procore_id=sandbox_sub_job.id
    )
    ProcoreObject.objects.filter(pk=sandbox_sub_job.pk).update(origin_id=str(sub_job.guid))
    (code,) = _codes_of(project, sandbox_sub_job)
    origin_id = job_cost_code_origin_id(str(sub_job.guid), str(books["general"].guid))
    ProcoreObject.objects.filter(pk=code.pk).update(origin_id=origin_id)
    other = _sandbox_type(given, "O")
    ProcoreObject.objects.filter(pk=other.pk).update(origin_id=str(books["other"].guid))
    assignment = cost_type_assign(cost_code=code, line_item_type=other)
    job_cost = job_cost_set(cost_code=code, line_item_type=other, estimate="0")
    erp_code = DemoJobCostCode.objects.create(
        tenant=given.tenant,
        job=job,
        sub_job=sub_job,
        cost_code=books["general"],
        procore_id=code.id,
    )
    erp_assignment = DemoJobCostType.objects.create(
        tenant=given.tenant, job_cost_code=erp_code, cost_type=books["other"], synced=True
    )
    DemoJobCost.objects.create(tenant=given.tenant, assignment=erp_assignment)
    return {
        "scope": {
            "project": {"id": project.id, "origin_id": str(job.guid)},
            "sub_job": {"id": sandbox_sub_job.id, "origin_id": str(sub_job.guid)},
        },
        "code": code,
        "origin_id": origin_id,
        "assignment": assignment,
        "job_cost": job_cost,
        "books": books,
    }


def before_delete_cost_codes(given: Any, data: dict) -> None:
    made = _sub_job_code(given)
    data.update(made["scope"])
    data["cost_codes"][0].update(id=made["code"].id, origin_id=made["origin_id"], sortable_code="1")


def deleted_cost_codes(given: Any, ours: ERPRequest, data: dict) -> None:
    """Nothing was posted: the ERP and Procore both dropped the code, with its cost type."""
    (item,) = data["cost_codes"]
    assert not DemoJobCostCode.objects.filter(tenant=given.tenant).exists()
    assert not DemoJobCostType.objects.filter(tenant=given.tenant).exists()
    assert not ProcoreObject.objects.filter(id=item["id"]).exists()
    assert not ProcoreObject.objects.filter(
        company=given.company, item_type__in=("cost_code_line_item_type", "erp_job_cost")
    ).exists()
    assert "Deleted 1 GENERAL CONDITIONS on sub job F2 of job J-4" in ours.details.get().messages[0]


def before_delete_cost_type_assignments(given: Any, data: dict) -> None:
    made = _sub_job_code(given)
    data.update(made["scope"])
    data["cost_type_assignments"][0].update(
        id=made["assignment"].id,
        cost_code_origin_id=made["origin_id"],
        line_item_type_origin_id=str(made["books"]["other"].guid),
        job_cost_id=made["job_cost"].id,
    )


def deleted_cost_type_assignments(given: Any, ours: ERPRequest, data: dict) -> None:
    """The cost type left the code, and its job cost with it; the code stays."""
    (item,) = data["cost_type_assignments"]
    assert DemoJobCostCode.objects.filter(tenant=given.tenant).count() == 1
    assert not DemoJobCostType.objects.filter(tenant=given.tenant).exists()
    assert not ProcoreObject.objects.filter(id__in=(item["id"], item["job_cost_id"])).exists()
    assert ProcoreObject.objects.filter(company=given.company, item_type="cost_code").exists()


def before_delete_cost_code(given: Any, data: dict) -> None:
    """A Super User deleted a synced cost code in Procore; the ERP holds it with its id."""
    made = _sub_job_code(given)
    (row,) = data["project_cost_code_data_array"]
    row.update(id=made["code"].id, origin_id=made["origin_id"], sortable_code="1")
    data.update(
        project_origin_id=made["scope"]["project"]["origin_id"],
        procore_project_id=made["scope"]["project"]["id"],
        procore_sub_job_id=made["scope"]["sub_job"]["id"],
    )
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="cost_code",
        origin_id=made["origin_id"],
        procore_id=made["code"].id,
        state="synced",
    )


def released_cost_code(given: Any, ours: ERPRequest, data: dict) -> None:
    """The ERP keeps the code (it may carry history), without its Procore id."""
    row = DemoJobCostCode.objects.get(tenant=given.tenant)
    assert row.procore_id is None
    assert not DemoJobCostType.objects.filter(synced=True).exists()
    link = ObjectLink.objects.get(company=given.connection.company, item_type="cost_code")
    assert (link.state, link.procore_id) == ("pending", None)


# -- Budgets -----------------------------------------------------------------------------------


def _budget(given: Any, amount: str = "33.33") -> dict[str, Any]:
    """A synced job with cost code 1 (Other) in both, and a Procore budget with one line of
    ``amount``, prepared for export (its job cost and original estimate made)."""
    from procore_sandbox.services.cost_structure import (
        budget_create,
        budget_line_set,
        budget_transactions_prepare,
    )

    books = _erp_books(given)
    project, job = _synced_job(given, "Test Project", "J-5")
    (code,) = _codes_of(project)
    ProcoreObject.objects.filter(pk=code.pk).update(
        origin_id=job_cost_code_origin_id(str(job.guid), str(books["general"].guid))
    )
    other = _sandbox_type(given, "O")
    ProcoreObject.objects.filter(pk=other.pk).update(origin_id=str(books["other"].guid))
    DemoJobCostCode.objects.create(
        tenant=given.tenant, job=job, cost_code=books["general"], procore_id=code.id
    )
    budget = budget_create(project=project)
    budget_line_set(budget=budget, cost_code=code, line_item_type=other, amount=amount)
    (transaction,) = budget_transactions_prepare(budget)
    line = ProcoreObject.objects.get(parent=budget, item_type="budget_line_item")
    return {
        "project": project,
        "job": job,
        "budget": budget,
        "line": line,
        "txn": transaction,
        "books": books,
        "code": code,
    }


def _point_budget_data(made: dict[str, Any], data: dict) -> None:
    job, line = made["job"], made["line"]
    data["job_id"] = str(job.guid)
    data["budget"].update(id=made["budget"].id, project_id=made["project"].id)
    (job_cost,) = data["job_costs"]
    job_cost.update(
        id=line.data["job_cost_id"],
        cost_code_origin_id=ProcoreObject.objects.get(id=made["code"].id).origin_id,
        line_item_type_origin_id=str(made["books"]["other"].guid),
        budget_line_item_id=line.id,
        job_origin_id=str(job.guid),
    )
    for transaction in data["transactions"]:
        transaction.update(id=made["txn"].id, job_cost_id=line.data["job_cost_id"])


def before_create_budget(given: Any, data: dict) -> None:
    _point_budget_data(_budget(given), data)


def created_budget(given: Any, ours: ERPRequest, data: dict) -> None:
    """The budget is in the ERP with its line, the original estimate posted once; Procore has
    the budget's ERP id and shows the transaction synced."""
    budget = DemoBudget.objects.get(tenant=given.tenant, procore_id=data["budget"]["id"])
    line = DemoBudgetLine.objects.get(budget=budget)
    assert (line.cost_type.code, line.amount) == ("O", Decimal("33.33"))
    (transaction,) = DemoBudgetTransaction.objects.filter(line=line)
    assert ProcoreObject.objects.get(id=data["budget"]["id"]).origin_id == str(budget.guid)
    in_procore = ProcoreObject.objects.get(id=data["transactions"][0]["id"])
    assert in_procore.data["synced"] is True and in_procore.origin_id == str(transaction.guid)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="budget")
    assert (link.state, link.origin_id) == ("synced", str(budget.guid))


def before_update_budget(given: Any, data: dict) -> None:
    """The budget was exported before: the ERP holds it, Procore shows it synced."""
    made = _budget(given)
    budget = DemoBudget.objects.create(
        tenant=given.tenant, job=made["job"], procore_id=made["budget"].id
    )
    ProcoreObject.objects.filter(pk=made["budget"].pk).update(origin_id=str(budget.guid))
    _point_budget_data(made, data)
    data["budget"]["origin_id"] = str(budget.guid)


def updated_budget(given: Any, ours: ERPRequest, data: dict) -> None:
    """Still one budget; with no unsynced transaction in the export, nothing new was posted."""
    budget = DemoBudget.objects.get(tenant=given.tenant)
    assert str(budget.guid) == data["budget"]["origin_id"]
    assert not DemoBudgetTransaction.objects.filter(tenant=given.tenant).exists()
    assert DemoBudgetLine.objects.get(budget=budget).procore_id == data["job_costs"][0]["id"]
    assert "0 new transactions posted" in ours.details.get().messages[0]


def before_create_budget_in_procore(given: Any, data: dict) -> None:
    """Procore imported the ERP's budget of a synced job."""
    from procore_sandbox.services.cost_structure import budget_create

    project, job = _synced_job(given, "Test Project", "J-6")
    DemoBudget.objects.create(tenant=given.tenant, job=job)
    budget = budget_create(project=project)
    data["job_id"] = str(job.guid)
    data["budget"].update(id=budget.id, project_id=project.id, origin_id=None)


def noted_imported_budget(given: Any, ours: ERPRequest, data: dict) -> None:
    budget = DemoBudget.objects.get(tenant=given.tenant)
    assert budget.procore_id == data["budget"]["id"]
    link = ObjectLink.objects.get(company=given.connection.company, item_type="budget")
    assert (link.state, link.procore_id) == ("synced", data["budget"]["id"])


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "create_or_update_job": before_create_or_update_job,
    "reset_job": before_reset_job,
    "create_sub_job": before_create_sub_job,
    "reset_sub_job": before_reset_sub_job,
    "delete_cost_codes": before_delete_cost_codes,
    "delete_cost_type_assignments": before_delete_cost_type_assignments,
    "delete_cost_code": before_delete_cost_code,
    "create_budget": before_create_budget,
    "update_budget": before_update_budget,
    "create_budget_in_procore": before_create_budget_in_procore,
}

EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "create_or_update_job": created_job,
    "reset_job": reset_job,
    "create_sub_job": created_sub_job,
    "reset_sub_job": reset_sub_job,
    "delete_cost_codes": deleted_cost_codes,
    "delete_cost_type_assignments": deleted_cost_type_assignments,
    "delete_cost_code": released_cost_code,
    "create_budget": created_budget,
    "update_budget": updated_budget,
    "create_budget_in_procore": noted_imported_budget,
}
