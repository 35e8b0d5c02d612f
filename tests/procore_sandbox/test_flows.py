"""Whole loops over HTTP, playing the portal against the sandbox: export and import."""

from __future__ import annotations

from procore_sandbox.models import ProcoreObject, StagedRecord
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.delivery import deliveries_run_due
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import vendor_create
from procore_sandbox.services.selectors import with_states
from procore_sandbox.services.staged_records import staged_record_approve


def _fetch_request(procore, receiver, index=-1):
    event = receiver.received[index].body
    response = procore.get(
        f"/rest/v1.0/companies/{{company_id}}/erp_requests/{event['resource_id']}"
    )
    assert response.status_code == 200
    return response.json()


def test_export_a_vendor_end_to_end(procore, connected, hook, receiver, company, fast_sandbox):
    vendor = vendor_create(company=company, name="Ace Plumbing")
    export_accept(export=export_send(obj=vendor))
    deliveries_run_due()
    request = _fetch_request(procore, receiver)
    assert request["request_name"] == "create_vendor"
    synced = procore.patch(
        "/rest/v1.0/companies/{company_id}/external_data/sync",
        {
            "updates": [
                {
                    "item_type": "vendor",
                    "item_id": request["request_data"]["vendor"]["id"],
                    "origin_id": "ERP-ACE",
                }
            ]
        },
    )
    closed = procore.patch(
        f"/rest/v1.0/companies/{{company_id}}/erp_request_details/"
        f"{request['request_data']['request_detail_id']}",
        {"request_detail": {"status": "success", "messages": []}},
    )
    assert synced.json()["errors"] == []
    assert closed.json()["status"] == "success"
    vendor.refresh_from_db()
    ((_, state),) = with_states([vendor])
    assert (vendor.origin_id, state.code) == ("ERP-ACE", "synced")


def test_import_a_vendor_end_to_end(procore, connected, hook, receiver, company, fast_sandbox):
    button_press(company=company, button="refresh_vendors")
    deliveries_run_due()
    request = _fetch_request(procore, receiver)
    assert request["request_name"] == "sync_vendors"
    staged = procore.patch(
        "/rest/v1.0/companies/{company_id}/staged_records/sync",
        {
            "updates": [
                {
                    "item_type": "vendor",
                    "origin_id": "ERP-V-1",
                    "origin_code": "BOLT",
                    "status": "staged",
                    "data": {"name": "Bolt Supply"},
                }
            ]
        },
    )
    procore.patch(
        f"/rest/v1.0/companies/{{company_id}}/erp_request_details/"
        f"{request['request_data']['request_detail_id']}",
        {"request_detail": {"status": "success"}},
    )
    assert staged.json()["errors"] == []
    staged_record_approve(record=StagedRecord.objects.get(origin_id="ERP-V-1"))
    deliveries_run_due()
    created = _fetch_request(procore, receiver)
    assert created["request_name"] == "create_vendor_in_procore"
    vendor = ProcoreObject.objects.get(item_type="vendor")
    assert created["request_data"]["vendor"] == {"id": vendor.id, "origin_id": "ERP-V-1"}
    listed = procore.get("/rest/v1.0/vendors", params={"company_id": procore.company_id}).json()
    assert [(v["name"], v["origin_id"]) for v in listed] == [("Bolt Supply", "ERP-V-1")]
    updated = procore.patch(
        "/rest/v1.0/vendors/sync",
        {
            "company_id": procore.company_id,
            "updates": [{"origin_id": "ERP-V-1", "name": "Bolt Supply Co"}],
        },
    )
    assert updated.json()["entities"][0]["id"] == vendor.id


def test_export_a_budget_end_to_end_then_its_change(
    procore, connected, hook, receiver, company, fast_sandbox
):
    """Budget loop over HTTP: the webhook arrives, the integrator reads the ERP Request, marks
    the budget and its transactions synced, closes the detail; a later change goes out as
    ``update_budget`` with the new transaction only."""
    from procore_sandbox.services import cost_structure
    from procore_sandbox.services.objects import project_create

    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    ProcoreObject.objects.filter(id=project.id).update(origin_id="JOB-1")
    project.refresh_from_db()
    code = cost_structure.cost_codes_in(project)[0]
    labor = ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code="L")
    budget = cost_structure.budget_create(project=project)
    cost_structure.budget_line_set(budget=budget, cost_code=code, line_item_type=labor, amount=80)

    def integrate(request):
        data = request["request_data"]
        synced = procore.patch(
            "/rest/v1.0/companies/{company_id}/external_data/sync",
            {
                "updates": [
                    {"item_type": "budget", "item_id": data["budget"]["id"], "origin_id": "B-1"}
                ]
            },
        )
        marked = procore.patch(
            "/rest/v1.0/erp_transactions/sync",
            {
                "company_id": procore.company_id,
                "project_id": data["budget"]["project_id"],
                "updates": [
                    {"id": t["id"], "origin_id": f"T-{t['id']}", "synced": True}
                    for t in data["transactions"]
                ],
            },
        )
        closed = procore.patch(
            f"/rest/v1.0/companies/{{company_id}}/erp_request_details/{data['request_detail_id']}",
            {"request_detail": {"status": "success"}},
        )
        assert (synced.json()["errors"], marked.json()["errors"]) == ([], [])
        assert closed.status_code == 200

    export_accept(export=export_send(obj=budget))
    deliveries_run_due()
    assert len(receiver.wait_for(1)) == 1
    first = _fetch_request(procore, receiver)
    assert first["request_name"] == "create_budget"
    integrate(first)
    budget.refresh_from_db()
    cost_structure.budget_change(budget=budget, cost_code=code, line_item_type=labor, amount=20)
    export_accept(export=export_send(obj=budget))
    deliveries_run_due()
    assert len(receiver.wait_for(2)) == 2
    second = _fetch_request(procore, receiver)
    assert second["request_name"] == "update_budget"
    assert [t["value"] for t in second["request_data"]["transactions"]] == [20.0]
    integrate(second)
    budget.refresh_from_db()
    ((_, state),) = with_states([budget])
    assert (budget.origin_id, state.code) == ("B-1", "synced")
    assert cost_structure.budget_pending(budget) == []


def test_a_super_user_reset_reaches_the_integration_without_a_detail(
    procore, connected, hook, receiver, company, fast_sandbox
):
    from procore_sandbox.services.objects import project_create
    from procore_sandbox.services.super_user import job_reset

    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    ProcoreObject.objects.filter(company=company, project=project).update(origin_id=None)
    ProcoreObject.objects.filter(id=project.id).update(origin_id="JOB-1")
    project.refresh_from_db()
    job_reset(project=project)
    deliveries_run_due()
    assert len(receiver.wait_for(1)) == 1
    request = _fetch_request(procore, receiver)
    assert request["request_name"] == "reset_job"
    assert request["request_data"] == {
        "project": {"id": project.id, "name": "Tower", "origin_data": None, "origin_id": "JOB-1"}
    }
