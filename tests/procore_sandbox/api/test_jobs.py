"""The endpoints of jobs and their cost structure over HTTP (procore-erp-api.md §b.2): projects,
sub jobs, project and sub-job cost codes, cost-type assignments, ERP transactions, ERP job costs,
project configuration, External Data and Staged Records for projects and sub jobs."""

from __future__ import annotations

from procore_sandbox.models import ErpRequest, ProcoreObject, StagedRecord
from procore_sandbox.services import cost_structure
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import project_create
from procore_sandbox.services.staged_records import staged_record_approve

PROJECTS = "/rest/v1.0/projects/sync"
SUB_JOBS = "/rest/v1.0/sub_jobs/sync"
COST_CODES = "/rest/v1.0/cost_codes/sync"
ASSIGNMENTS = "/rest/v1.0/cost_code_line_item_types/sync"
TRANSACTIONS = "/rest/v1.0/erp_transactions/sync"
JOB_COSTS = "/rest/v1.0/erp_job_costs/sync"
EXTERNAL = "/rest/v1.0/companies/{company_id}/external_data/sync"
RECORDS = "/rest/v1.0/companies/{company_id}/staged_records/sync"


def _ok(response):
    assert response.status_code == 200, response.text
    return response.json()


def _synced_job(company, origin_id="JOB-1", name="Tower"):
    project = project_create(company=company, name=name, cost_codes=[("01", "Site"), ("02", "Co")])
    project.origin_id = origin_id
    project.save()
    return project


def _cost_type(company, code="L"):
    return ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code=code)


def test_projects_upsert_by_origin_id_with_per_item_errors(procore, settings):
    body = {"company_id": procore.company_id}
    created = _ok(procore.patch(PROJECTS, {**body, "updates": [{"origin_id": "P-1", "name": "A"}]}))
    updated = _ok(
        procore.patch(
            PROJECTS,
            {**body, "updates": [{"origin_id": "P-1", "name": "A2"}, {"origin_id": "P-2"}]},
        )
    )
    assert updated["entities"][0]["id"] == created["entities"][0]["id"]
    assert updated["entities"][0]["name"] == "A2"
    assert updated["errors"] == [{"origin_id": "P-2", "errors": {"name": ["can't be blank"]}}]
    settings.PROCORE_SANDBOX = {"sync_batch_limit": 2}
    capped = procore.patch(PROJECTS, {**body, "updates": [{"name": str(i)} for i in range(3)]})
    assert capped.status_code == 422
    assert capped.json()["errors"]["updates"] == ["must contain at most 2 items (got 3)"]


def test_sub_jobs_are_scoped_by_the_project_id_query_parameter(procore, company):
    one = _synced_job(company, "JOB-1", "One")
    two = _synced_job(company, "JOB-2", "Two")
    body = {"company_id": procore.company_id}
    item = {"origin_id": "SJ-1", "name": "Floor 5", "code": "5"}
    created = _ok(
        procore.patch(SUB_JOBS, {**body, "updates": [item]}, params={"project_id": one.id})
    )
    again = _ok(
        procore.patch(
            SUB_JOBS,
            {**body, "updates": [{**item, "name": "Level 5"}]},
            params={"project_id": one.id},
        )
    )
    elsewhere = _ok(
        procore.patch(SUB_JOBS, {**body, "updates": [item]}, params={"project_id": two.id})
    )
    assert created["entities"][0]["project_id"] == one.id
    assert again["entities"][0]["id"] == created["entities"][0]["id"]
    assert again["entities"][0]["name"] == "Level 5"
    assert elsewhere["errors"][0]["errors"] == {
        "origin_id": ["has already been taken in another project"]
    }
    assert procore.patch(SUB_JOBS, {**body, "updates": []}).status_code == 400
    assert (
        procore.patch(
            SUB_JOBS, {"company_id": 1, "updates": []}, params={"project_id": one.id}
        ).status_code
        == 403
    )
    listed = procore.get("/rest/v1.0/sub_jobs", params={"project_id": one.id}).json()
    assert [row["name"] for row in listed] == ["Level 5"]


def test_sub_job_cost_codes_stay_with_their_sub_job(procore, company):
    project = _synced_job(company)
    other = _synced_job(company, "JOB-2", "Other")
    sub_job = cost_structure.sub_job_create(project=project, name="Floor 5", code="5")
    item = {"origin_id": "CC-5-01", "code": "01", "name": "Site"}
    created = _ok(
        procore.patch(
            COST_CODES,
            {"updates": [item]},
            params={"project_id": project.id, "sub_job_id": sub_job.id},
        )
    )
    at_project_level = _ok(
        procore.patch(COST_CODES, {"updates": [item]}, params={"project_id": project.id})
    )
    wrong_project = procore.patch(
        COST_CODES, {"updates": [item]}, params={"project_id": other.id, "sub_job_id": sub_job.id}
    )
    code = created["entities"][0]
    assert (code["sub_job_id"], code["project_id"]) == (sub_job.id, project.id)
    assert at_project_level["entities"] == []
    assert list(at_project_level["errors"][0]["errors"]) == ["sub_job_id"]
    assert wrong_project.status_code == 400
    assert [c.origin_id for c in cost_structure.cost_codes_in(project, sub_job)].count(
        "CC-5-01"
    ) == 1


def test_cost_type_assignments_sync_with_synced_true(procore, company):
    project = _synced_job(company)
    sub_job = cost_structure.sub_job_create(project=project, name="Floor 5", code="5")
    project_code = cost_structure.cost_codes_in(project)[0]
    sub_code = cost_structure.cost_codes_in(project, sub_job)[0]
    labor = _cost_type(company)
    unsynced = cost_structure.cost_type_assign(cost_code=project_code, line_item_type=labor)
    body = _ok(
        procore.patch(
            ASSIGNMENTS,
            {
                "updates": [
                    {
                        "cost_code_id": str(project_code.id),
                        "line_item_type_id": labor.id,
                        "synced": True,
                    },
                    {"cost_code_id": sub_code.id, "line_item_type_id": labor.id, "synced": True},
                ]
            },
            params={"project_id": project.id},
        )
    )
    for_sub_job = _ok(
        procore.patch(
            ASSIGNMENTS,
            {
                "updates": [
                    {"cost_code_id": sub_code.id, "line_item_type_id": labor.id, "synced": True}
                ]
            },
            params={"project_id": project.id, "sub_job_id": sub_job.id},
        )
    )
    assert body["entities"][0]["id"] == unsynced.id
    assert body["entities"][0]["synced"] is True
    assert list(body["errors"][0]["errors"]) == ["cost_code_id"]
    assert for_sub_job["entities"][0]["sub_job_id"] == sub_job.id
    unsynced.refresh_from_db()
    assert unsynced.data["synced"] is True


def test_budget_transactions_are_marked_synced_and_a_re_export_sends_only_new_ones(
    procore, connected, company
):
    project = _synced_job(company)
    code = cost_structure.cost_codes_in(project)[0]
    labor = _cost_type(company)
    budget = cost_structure.budget_create(project=project)
    cost_structure.budget_line_set(budget=budget, cost_code=code, line_item_type=labor, amount=100)
    first = export_accept(export=export_send(obj=budget)).request_data
    (txn,) = first["transactions"]
    assert (first["job_id"], txn["value"], txn["type"]) == (
        "JOB-1",
        100.0,
        "Erp::OriginalEstimateTransaction",
    )
    marked = _ok(
        procore.patch(
            TRANSACTIONS,
            {
                "company_id": procore.company_id,
                "project_id": project.id,
                "updates": [
                    {"id": txn["id"], "origin_id": "T-1", "synced": True},
                    {"id": 0, "origin_id": "T-0", "synced": True},
                ],
            },
        )
    )
    assert marked["entities"][0]["synced"] is True
    assert marked["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}
    _ok(
        procore.patch(
            EXTERNAL,
            {"updates": [{"item_type": "budget", "item_id": budget.id, "origin_id": "B-1"}]},
        )
    )
    _ok(
        procore.patch(
            f"/rest/v1.0/companies/{{company_id}}/erp_request_details/{first['request_detail_id']}",
            {"request_detail": {"status": "success"}},
        )
    )
    budget.refresh_from_db()
    cost_structure.budget_change(budget=budget, cost_code=code, line_item_type=labor, amount=-30)
    second = export_accept(export=export_send(obj=budget))
    assert second.request_name == "update_budget"
    assert [(t["value"], t["type"]) for t in second.request_data["transactions"]] == [
        (-30.0, "Erp::RevisedEstimateTransaction")
    ]
    assert second.request_data["budget"]["origin_id"] == "B-1"
    assert second.request_data["job_costs"][0]["new_amount"] == 70.0


def test_job_costs_sync_by_project_or_sub_job_origin_and_delete(procore, company):
    project = _synced_job(company)
    sub_job = cost_structure.sub_job_create(project=project, name="Floor 5", code="5")
    sub_job.origin_id = "SJ-1"
    sub_job.save()
    code = cost_structure.cost_codes_in(project)[0]
    sub_code = cost_structure.cost_codes_in(project, sub_job)[0]
    labor = _cost_type(company)
    item = {"cost_code_id": code.id, "line_item_type_id": labor.id, "original_estimate": 100}
    body = {"company_id": procore.company_id, "job_origin_id": "JOB-1"}
    created = _ok(procore.patch(JOB_COSTS, {**body, "updates": [item]}))
    updated = _ok(procore.patch(JOB_COSTS, {**body, "updates": [{**item, "estimate": 120}]}))
    on_sub_job = _ok(
        procore.patch(
            JOB_COSTS,
            {**body, "job_origin_id": "SJ-1", "updates": [{**item, "cost_code_id": sub_code.id}]},
        )
    )
    unknown = procore.patch(JOB_COSTS, {**body, "job_origin_id": "NOPE", "updates": []})
    job_cost_id = created["entities"][0]["id"]
    assert updated["entities"][0]["id"] == job_cost_id
    assert updated["entities"][0]["estimate"] == 120
    assert on_sub_job["entities"][0]["sub_job_id"] == sub_job.id
    assert unknown.status_code == 404
    path = f"/rest/v1.0/erp_job_costs/{job_cost_id}"
    assert procore.delete(path, params={"company_id": 1}).status_code == 403
    assert procore.delete(path, params={"company_id": procore.company_id}).status_code == 204
    assert procore.delete(path, params={"company_id": procore.company_id}).status_code == 404


def test_project_configuration_switches_job_cost_transaction_syncing(procore, connected, company):
    from procore_sandbox.services.erp_actions import job_sync_single

    project = _synced_job(company)
    path = f"/rest/v1.0/projects/{project.id}/configuration"
    params = {"company_id": procore.company_id}
    on = procore.patch(
        path, {"configuration": {"erp_job_cost_transaction_syncing_enabled": True}}, params=params
    )
    wrong = procore.patch(
        path, {"configuration": {"erp_job_cost_transaction_syncing_enabled": "yes"}}, params=params
    )
    assert on.json() == {"erp_job_cost_transaction_syncing_enabled": True}
    assert wrong.status_code == 422
    project.refresh_from_db()
    request = job_sync_single(project=project)
    assert request.request_data["additional_job_data"]["job_cost_transactions_sync_enabled"] is True


def test_external_data_for_the_job_item_types(procore, company):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    sub_job = cost_structure.sub_job_create(project=project, name="Floor 5", code="5")
    budget = cost_structure.budget_create(project=project)
    code = cost_structure.cost_codes_in(project)[0]
    labor = _cost_type(company)
    items = [
        ("project", project, "P-1"),
        ("sub_job", sub_job, "SJ-1"),
        ("cost_code", code, "CC-1"),
        ("budget", budget, "B-1"),
        ("line_item_type", labor, "CT-L"),
    ]
    body = _ok(
        procore.patch(
            EXTERNAL,
            {
                "updates": [
                    {"item_type": kind, "item_id": obj.id, "origin_id": origin}
                    for kind, obj, origin in items
                ]
                + [{"item_type": "sub_job", "item_id": project.id, "origin_id": "X"}]
            },
        )
    )
    assert [(e["item_type"], e["origin_id"]) for e in body["entities"]] == [
        (kind, origin) for kind, _, origin in items
    ]
    assert list(body["errors"][0]["errors"]) == ["item_id"]
    for _, obj, origin in items:
        obj.refresh_from_db()
        assert obj.origin_id == origin


def test_staged_projects_and_sub_jobs_import_with_project_origin_id(procore, connected, company):
    staged = _ok(
        procore.patch(
            RECORDS,
            {
                "updates": [
                    {"item_type": "project", "origin_id": "P-9", "data": {"name": "Harbor"}},
                    {
                        "item_type": "sub_job",
                        "origin_id": "SJ-9",
                        "data": {"name": "Dock", "code": "D", "project_origin_id": "P-9"},
                    },
                    {"item_type": "sub_job", "origin_id": "SJ-X", "data": {"name": "Lost"}},
                ]
            },
        )
    )
    assert [e["item_type"] for e in staged["entities"]] == ["project", "sub_job"]
    assert list(staged["errors"][0]["errors"]) == ["data.project_origin_id"]
    project = staged_record_approve(record=StagedRecord.objects.get(origin_id="P-9"))
    sub_job = staged_record_approve(record=StagedRecord.objects.get(origin_id="SJ-9"))
    assert (sub_job.project_id, sub_job.origin_id, sub_job.data["code"]) == (
        project.id,
        "SJ-9",
        "D",
    )
    event = ErpRequest.objects.get(request_name="create_sub_job_in_procore")
    assert event.request_data["sub_job"]["project"]["origin_id"] == "P-9"
    listed = procore.get(
        "/rest/v1.0/companies/{company_id}/staged_records", params={"item_type": "sub_job"}
    ).json()
    assert [(r["origin_id"], r["status"]) for r in listed] == [("SJ-9", "imported")]
