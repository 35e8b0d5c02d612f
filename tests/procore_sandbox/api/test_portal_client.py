"""The portal's own Procore client against the sandbox, for the jobs endpoints: what the
portal sends (``integrations/procore/client.py``: query parameters, body keys, batching) is what
the sandbox understands. If the client's requests change, this is where the sandbox says so."""

from __future__ import annotations

import pytest

from procore_sandbox.models import ProcoreObject, StagedRecord
from procore_sandbox.services import cost_structure
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import project_create


@pytest.fixture
def client(sandbox_connection, sandbox_company):
    from integrations.procore.client import ProcoreClient

    with ProcoreClient(sandbox_connection) as procore:
        yield procore


@pytest.fixture
def job(sandbox_company):
    project = project_create(
        company=sandbox_company, name="Tower", cost_codes=[("01", "Site"), ("02", "Concrete")]
    )
    project.origin_id = "JOB-1"
    project.save()
    return project


def _labor(company):
    return ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code="L")


def test_projects_and_sub_jobs(client, job):
    projects = client.sync_projects(
        [{"origin_id": "JOB-1", "name": "Tower (ERP)"}, {"origin_id": "JOB-2"}]
    )
    sub_jobs = client.sync_sub_jobs(
        project_id=job.id, updates=[{"origin_id": "SJ-1", "name": "Floor 5", "code": "5"}]
    )
    assert projects.entities[0]["id"] == job.id
    assert [(e.index, e.reasons) for e in projects.errors] == [(1, {"name": ["can't be blank"]})]
    assert sub_jobs.ok
    assert sub_jobs.entities[0]["project_id"] == job.id


def test_cost_codes_and_assignments_of_a_job_and_a_sub_job(client, job, sandbox_company):
    sub_job = cost_structure.sub_job_create(project=job, name="Floor 5", code="5", cost_codes=[])
    labor = _labor(sandbox_company)
    codes = client.sync_cost_codes(
        project_id=job.id, updates=[{"origin_id": "CC-03", "code": "03", "name": "Masonry"}]
    )
    sub_codes = client.sync_cost_codes(
        project_id=job.id,
        sub_job_id=sub_job.id,
        updates=[{"origin_id": "CC-5-03", "code": "03", "name": "Masonry"}],
    )
    assignments = client.sync_cost_code_line_item_types(
        project_id=job.id,
        updates=[
            {"cost_code_id": codes.entities[0]["id"], "line_item_type_id": labor.id, "synced": True}
        ],
    )
    sub_assignments = client.sync_cost_code_line_item_types(
        project_id=job.id,
        sub_job_id=sub_job.id,
        updates=[
            {
                "cost_code_id": sub_codes.entities[0]["id"],
                "line_item_type_id": labor.id,
                "synced": True,
            }
        ],
    )
    assert codes.ok and sub_codes.ok and assignments.ok and sub_assignments.ok
    assert [c.origin_id for c in cost_structure.cost_codes_in(job, sub_job)] == ["CC-5-03"]
    assert sub_assignments.entities[0]["sub_job_id"] == sub_job.id
    assert assignments.entities[0]["synced"] is True


def test_budget_write_back_job_costs_and_configuration(client, job, sandbox_company):
    erp_connection_create(
        company=sandbox_company,
        app=sandbox_company.installations.get().app,
        service_url="",
        metadata={},
    )
    code = cost_structure.cost_codes_in(job)[0]
    labor = _labor(sandbox_company)
    budget = cost_structure.budget_create(project=job)
    cost_structure.budget_line_set(budget=budget, cost_code=code, line_item_type=labor, amount=50)
    request = export_accept(export=export_send(obj=budget))
    external = client.sync_external_data(
        [{"item_type": "budget", "item_id": budget.id, "origin_id": "B-1"}]
    )
    transactions = client.sync_erp_transactions(
        project_id=job.id,
        updates=[
            {"id": t["id"], "origin_id": f"T-{t['id']}", "synced": True}
            for t in request.request_data["transactions"]
        ],
    )
    job_costs = client.sync_erp_job_costs(
        job_origin_id="JOB-1",
        updates=[
            {
                "cost_code_id": code.id,
                "line_item_type_id": labor.id,
                "original_estimate": 50,
                "job_to_date_cost": 12.5,
            }
        ],
    )
    configuration = client.update_project_configuration(
        project_id=job.id, configuration={"erp_job_cost_transaction_syncing_enabled": True}
    )
    assert external.ok and transactions.ok and job_costs.ok
    assert transactions.entities[0]["synced"] is True
    assert job_costs.entities[0]["id"] == request.request_data["job_costs"][0]["id"]
    assert configuration == {"erp_job_cost_transaction_syncing_enabled": True}
    client.delete_erp_job_cost(job_costs.entities[0]["id"])
    assert not ProcoreObject.objects.filter(item_type="erp_job_cost").exists()


def test_staging_projects_and_sub_jobs(client, job, sandbox_company):
    result = client.sync_staged_records(
        [
            {"item_type": "project", "origin_id": "P-9", "data": {"name": "Harbor"}},
            {
                "item_type": "sub_job",
                "origin_id": "SJ-9",
                "data": {"name": "Dock", "code": "D", "project_origin_id": "JOB-1"},
            },
        ]
    )
    listed = list(client.list_staged_records(item_type="sub_job"))
    assert result.ok
    assert [r["origin_id"] for r in listed] == ["SJ-9"]
    assert StagedRecord.objects.get(origin_id="SJ-9").data["project_origin_id"] == "JOB-1"
