"""The pages of jobs and their cost structure, and the ERP Integrations Tool's buttons beyond
export and import: each button does its work, creates its ERP Request (with the Request Details
the events dictionary shows) and queues the webhook delivery."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procore_sandbox.models import (
    Delivery,
    ErpRequest,
    ExportRequest,
    Hook,
    ProcoreObject,
    StagedRecord,
    Trigger,
)
from procore_sandbox.services import cost_structure
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.objects import project_create, vendor_create
from procore_sandbox.services.staged_records import staged_records_sync
from procore_sandbox.services.tenants import app_install, company_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = company_create(name="Acme Builders")
    app = app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    erp_connection_create(company=company, app=app, service_url="", metadata={})
    hook = Hook.objects.create(company=company, namespace="erp", destination_url="http://x/")
    Trigger.objects.create(hook=hook, resource_name="ERP Requests", event_type="create")
    return company


def url(name, *args):
    return reverse(f"procore_sandbox:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def delivered(request: ErpRequest) -> bool:
    return Delivery.objects.filter(event__resource_id=request.id).exists()


def synced(obj, origin_id):
    obj.origin_id = origin_id
    obj.save()
    return obj


def labor(company):
    return ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code="L")


def synced_job(company, origin_id="JOB-1"):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    synced(project, origin_id)
    for code in cost_structure.cost_codes_in(project):
        synced(code, f"{origin_id}-{code.data['code']}")
    return project


def test_job_pages_render_with_their_cost_structure(client, company):
    project = synced_job(company)
    sub_job = cost_structure.sub_job_create(project=project, name="Floor 5", code="5")
    code = cost_structure.cost_codes_in(project)[0]
    cost_structure.cost_type_assign(cost_code=code, line_item_type=labor(company))
    cost_structure.job_cost_set(
        cost_code=code, line_item_type=labor(company), original_estimate="1200", estimate="1300"
    )
    budget = cost_structure.budget_create(project=project)
    cost_structure.budget_line_set(
        budget=budget, cost_code=code, line_item_type=labor(company), amount="900"
    )
    pages = {
        url("company", company.id): [b"Floor 5", b"Tower budget", b"New sub job"],
        url("object", company.id, project.id): [b"1300.00", b"Create budget", b"Tower budget"],
        url("object", company.id, sub_job.id): [b"of this sub job", b"Floor 5"],
        url("object", company.id, budget.id): [b"900.00", b"OriginalEstimateTransaction 900.00"],
        f"{url('erp', company.id)}?tab=synced": [b"Sync single job", b"Unlink"],
        f"{url('erp', company.id)}?tab=vendors": [b"Link all vendors", b"Merge vendors"],
        f"{url('erp', company.id)}?tab=super_user": [b"Reset job", b"JOB-1-01"],
        f"{url('erp', company.id)}?tab=cost_codes": [b"Export unsynced std. cost codes"],
    }
    for page, texts in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        for text in texts:
            if text == b"Create budget":
                assert text not in response.content, page  # it has one
            else:
                assert text in response.content, (page, text)


def test_project_user_builds_the_cost_structure_from_the_pages(client, company):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    client.post(
        url("sub_job_new", company.id), {"project": project.id, "name": "Floor 5", "code": "5"}
    )
    sub_job = ProcoreObject.objects.get(item_type="sub_job")
    client.post(url("cost_code_new", company.id, sub_job.id), {"code": "02", "name": "Demo"})
    codes = cost_structure.cost_codes_in(project, sub_job)
    client.post(
        url("cost_type_assign", company.id, sub_job.id),
        {"cost_code": codes[1].id, "cost_type": labor(company).id},
    )
    client.post(
        url("job_cost_set", company.id, project.id),
        {
            "cost_code": cost_structure.cost_codes_in(project)[0].id,
            "cost_type": labor(company).id,
            "original_estimate": "100",
            "job_to_date_cost": "40",
        },
    )
    client.post(url("budget_new", company.id, project.id))
    budget = ProcoreObject.objects.get(item_type="budget")
    line = {"cost_code": codes[1].id, "cost_type": labor(company).id, "amount": "250"}
    client.post(url("budget_line", company.id, budget.id), line)
    assert [c.data["code"] for c in codes] == ["01", "02"]
    assert cost_structure.assignments_by_code(project)[codes[1].id][0].data["sub_job_id"] == (
        sub_job.id
    )
    job_cost = ProcoreObject.objects.get(item_type="erp_job_cost")
    assert (job_cost.data["original_estimate"], job_cost.data["job_to_date_cost"]) == (
        "100.00",
        "40.00",
    )
    (budget_line,) = cost_structure.budget_lines(budget)
    assert (budget_line.data["amount"], budget_line.data["sub_job_id"]) == ("250.00", sub_job.id)
    refused = client.post(
        url("budget_line", company.id, budget.id), {**line, "amount": "x"}, follow=True
    )
    assert "must be a number" in messages_of(refused)[-1]


def test_budget_export_then_change_and_re_export_from_the_pages(client, company):
    project = synced_job(company)
    code = cost_structure.cost_codes_in(project)[0]
    budget = cost_structure.budget_create(project=project)
    line = {"cost_code": code.id, "cost_type": labor(company).id, "amount": "500"}
    client.post(url("budget_line", company.id, budget.id), line)
    client.post(url("object_send", company.id, budget.id))
    export = ExportRequest.objects.get(item=budget)
    client.post(url("export_accept", company.id, export.id))
    first = ErpRequest.objects.get(request_name="create_budget")
    assert delivered(first)
    for row in cost_structure.budget_transactions(budget):
        row.data["synced"] = True
        row.save()
    first.details.update(status="success")
    synced(budget, "B-1")
    locked = client.post(url("budget_line", company.id, budget.id), line, follow=True)
    assert "locked" in messages_of(locked)[-1]
    nothing = client.post(url("object_send", company.id, budget.id), follow=True)
    assert "Nothing changed" in messages_of(nothing)[-1]
    client.post(url("budget_change", company.id, budget.id), {**line, "amount": "75"})
    client.post(url("object_send", company.id, budget.id))
    export = ExportRequest.objects.get(item=budget, status="ready")
    client.post(url("export_accept", company.id, export.id))
    second = ErpRequest.objects.get(request_name="update_budget")
    assert [t["value"] for t in second.request_data["transactions"]] == [75.0]
    assert second.details.count() == 1


def test_deleting_cost_codes_and_assignments_asks_the_integration_for_synced_ones(client, company):
    project = synced_job(company)
    fresh = cost_structure.cost_code_add(project=project, code="09", name="Paint")
    old = cost_structure.cost_codes_in(project)[0]
    deleted = client.post(
        url("cost_codes_delete", company.id, project.id),
        {"cost_code": [old.id, fresh.id]},
        follow=True,
    )
    request = ErpRequest.objects.get(request_name="delete_cost_codes")
    assert "1 unsynced cost code(s) deleted" in messages_of(deleted)[-1]
    assert not ProcoreObject.objects.filter(id=fresh.id).exists()
    assert ProcoreObject.objects.filter(id=old.id).exists()  # the integrator decides
    assert [c["id"] for c in request.request_data["cost_codes"]] == [old.id]
    assert request.details.get().item_id == old.id
    assert delivered(request)
    assignment = cost_structure.cost_type_assign(cost_code=old, line_item_type=labor(company))
    assignment.data["synced"] = True
    assignment.save()
    client.post(url("assignments_delete", company.id, project.id), {"assignment": [assignment.id]})
    request = ErpRequest.objects.get(request_name="delete_cost_type_assignments")
    assert request.request_data["cost_type_assignments"][0]["cost_code_origin_id"] == "JOB-1-01"


def test_unlink_a_vendor_clears_its_origin_id_and_restages_its_record(client, company):
    staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-1", "data": {"name": "Ace"}}],
    )
    record = StagedRecord.objects.get()
    client.post(url("staged_approve", company.id, record.id))
    vendor = ProcoreObject.objects.get(item_type="vendor")
    response = client.post(url("object_action", company.id, vendor.id, "unlink"), follow=True)
    request = ErpRequest.objects.get(request_name="unlink_vendor")
    vendor.refresh_from_db()
    record.refresh_from_db()
    assert "unlink_vendor" in messages_of(response)[-1]
    assert vendor.origin_id is None
    assert record.status == "staged"
    assert request.request_data == {
        "vendor": {"id": vendor.id, "origin_id": "V-1"},
        "company_id": company.id,
    }
    assert not request.details.exists()
    assert delivered(request)


def test_a_jobs_unlink_follows_the_vendors_rules(client, company):
    project = synced_job(company)
    client.post(url("object_action", company.id, project.id, "unlink"))
    request = ErpRequest.objects.get(request_name="unlink_job")
    project.refresh_from_db()
    assert project.origin_id is None
    assert request.request_data["project"] == {"id": project.id, "origin_id": "JOB-1"}
    again = client.post(url("object_action", company.id, project.id, "unlink"), follow=True)
    assert "not synced" in messages_of(again)[-1]


@pytest.mark.parametrize(
    "action, request_name",
    [
        ("sync-job", "sync_single_job"),
        ("reset-job", "reset_job"),
        ("import-budget", "create_budget_in_procore"),
    ],
)
def test_job_buttons_of_the_erp_tool(client, company, action, request_name):
    project = synced_job(company)
    code = cost_structure.cost_codes_in(project)[0]
    cost_structure.job_cost_set(cost_code=code, line_item_type=labor(company), original_estimate=10)
    client.post(url("object_action", company.id, project.id, action))
    request = ErpRequest.objects.get(request_name=request_name)
    assert delivered(request)
    assert not request.details.exists()
    project.refresh_from_db()
    code.refresh_from_db()
    if action == "reset-job":
        assert (project.origin_id, code.origin_id) == (None, None)
        assert request.request_data["project"]["origin_id"] == "JOB-1"
    if action == "import-budget":
        budget = cost_structure.budget_of(project)
        assert [line.data["amount"] for line in cost_structure.budget_lines(budget)] == ["10.00"]


@pytest.mark.parametrize(
    "action, request_name", [("sync-sub-job", "sync_sub_job"), ("reset-sub-job", "reset_sub_job")]
)
def test_sub_job_buttons_of_the_erp_tool(client, company, action, request_name):
    project = synced_job(company)
    sub_job = synced(
        cost_structure.sub_job_create(project=project, name="Floor 5", code="5"), "SJ-1"
    )
    client.post(url("object_action", company.id, sub_job.id, action))
    request = ErpRequest.objects.get(request_name=request_name)
    assert delivered(request)
    sub_job.refresh_from_db()
    assert sub_job.origin_id == (None if action == "reset-sub-job" else "SJ-1")


def test_link_link_all_and_merge_vendors(client, company):
    ace = vendor_create(company=company, name="Ace Plumbing")
    bolt = vendor_create(company=company, name="Bolt Supply")
    staged_records_sync(
        company=company,
        updates=[
            {"item_type": "vendor", "origin_id": "V-ACE", "data": {"name": "Ace"}},
            {"item_type": "vendor", "origin_id": "V-BOLT", "data": {"name": "bolt supply"}},
        ],
    )
    ace_record = StagedRecord.objects.get(origin_id="V-ACE")
    client.post(url("vendor_link", company.id), {"record": ace_record.id, "vendor": ace.id})
    client.post(url("vendors_link_all", company.id))
    ace.refresh_from_db()
    bolt.refresh_from_db()
    assert (ace.origin_id, bolt.origin_id) == ("V-ACE", "V-BOLT")
    assert ErpRequest.objects.get(request_name="link_vendor").request_data["vendor"] == {
        "id": ace.id,
        "origin_id": "V-ACE",
    }
    assert ErpRequest.objects.get(request_name="link_all_vendors").request_data["vendors"] == [
        {"id": bolt.id, "origin_id": "V-BOLT"}
    ]
    nothing_left = client.post(url("vendors_link_all", company.id), follow=True)
    assert "No staged ERP vendor" in messages_of(nothing_left)[-1]
    client.post(url("vendors_merge", company.id), {"master": ace.id, "source": [bolt.id]})
    merge = ErpRequest.objects.get(request_name="merge_vendors")
    assert merge.request_data["master_vendor"] == {"id": ace.id, "origin_id": "V-ACE"}
    assert merge.request_data["source_vendors"] == [{"id": bolt.id, "origin_id": "V-BOLT"}]
    assert not ProcoreObject.objects.filter(id=bolt.id).exists()
    assert delivered(merge)


def test_standard_cost_codes_are_created_and_exported_item_by_item(client, company):
    client.post(url("standard_cost_code_new", company.id), {"code": "01", "name": "General"})
    parent = ProcoreObject.objects.get(item_type="standard_cost_code")
    client.post(
        url("standard_cost_code_new", company.id),
        {"code": "100", "name": "Supervision", "parent": parent.id},
    )
    client.post(url("standard_cost_codes_export", company.id))
    request = ErpRequest.objects.get(request_name="create_standard_cost_codes")
    items = request.request_data
    assert [item["full_code"] for item in items] == ["01", "01-100"]
    assert items[1]["parent_id"] == parent.id
    assert sorted(item["request_detail_id"] for item in items) == sorted(
        request.details.values_list("id", flat=True)
    )
    assert delivered(request)


@pytest.mark.parametrize(
    "action, request_name, pick",
    [
        ("delete-standard-cost-codes", "delete_standard_cost_codes", "standard_cost_code"),
        ("unlink-standard-cost-codes", "unlink_standard_cost_codes", "standard_cost_code"),
        ("delete-standard-categories", "delete_standard_categories", "line_item_type"),
        ("delete-cost-codes", "delete_cost_code", "cost_code"),
    ],
)
def test_super_user_deletes_and_unlinks(client, company, action, request_name, pick):
    from procore_sandbox.services.erp_actions import standard_cost_code_create

    synced_job(company)
    synced(standard_cost_code_create(company=company, code="01", name="General"), "STD-01")
    item = ProcoreObject.objects.filter(company=company, item_type=pick).first()
    synced(item, item.origin_id or "X-1")
    response = client.post(
        url("super_user_action", company.id, action), {"item": [item.id]}, follow=True
    )
    request = ErpRequest.objects.get(request_name=request_name)
    assert "Super User" in messages_of(response)[-1]
    assert not request.details.exists()
    assert delivered(request)
    gone = not ProcoreObject.objects.filter(id=item.id).exists()
    assert gone == action.startswith("delete")
    if not gone:
        item.refresh_from_db()
        assert item.origin_id is None


def test_a_job_is_sent_with_a_new_erp_code_only_after_a_failure_about_the_code(client, company):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    client.post(url("object_send", company.id, project.id), {"origin_code": "J-100"})
    project.refresh_from_db()
    export = ExportRequest.objects.get(item=project)
    assert project.origin_code == "J-100"
    client.post(url("export_accept", company.id, export.id))
    detail = ErpRequest.objects.get(request_name="create_or_update_job").details.get()
    detail.status, detail.messages = "failed", ["Job name is too long"]
    detail.save()
    refused = client.post(
        url("object_send", company.id, project.id), {"origin_code": "J-101"}, follow=True
    )
    assert "only when the last export failed" in messages_of(refused)[-1]
    detail.messages = ["The code J-100 already exists in the ERP"]
    detail.save()
    client.post(url("object_send", company.id, project.id), {"origin_code": "J-101"})
    project.refresh_from_db()
    assert project.origin_code == "J-101"
