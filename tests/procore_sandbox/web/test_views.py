"""The ERP Integrations Tool pages: they render, and each button does what it says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procore_sandbox.models import (
    App,
    Company,
    Delivery,
    ErpConnection,
    ErpRequest,
    ExportRequest,
    Hook,
    ProcoreObject,
    StagedRecord,
    Trigger,
)
from procore_sandbox.services.erp import erp_connection_create, request_detail_update
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import CommitmentLine, commitment_create, project_create
from procore_sandbox.services.objects import vendor_create as make_vendor
from procore_sandbox.services.staged_records import staged_records_sync
from procore_sandbox.services.tenants import app_install, company_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = company_create(name="Acme Builders")
    app = app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    erp_connection_create(company=company, app=app, service_url="", metadata={})
    return company


def url(name, *args):
    return reverse(f"procore_sandbox:{name}", args=args)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_home_creates_a_company_and_installs_an_app(client):
    response = client.post(url("company_new"), {"name": "New Co"}, follow=True)
    company = Company.objects.get(name="New Co")
    assert response.status_code == 200
    assert company.id > 2**32
    assert f"created with id {company.id}" in messages_of(response)[0]
    client.post(url("app_new", company.id), {"client_id": "cid", "client_secret": "sec"})
    assert App.objects.get(client_id="cid").installations.get().company == company
    page = client.get(url("home"))
    assert b"cid" in page.content


def test_every_page_renders(client, company):
    vendor = make_vendor(company=company, name="Ace Plumbing")
    pages = [
        url("home"),
        url("company", company.id),
        url("object", company.id, vendor.id),
        url("webhooks", company.id),
        url("knobs"),
        *[
            f"{url('erp', company.id)}?tab={tab}"
            for tab in (
                "ready_to_import",
                "ready_to_export",
                "synced",
                "failed",
                "requests",
                "cost_codes",
            )
        ],
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_project_user_creates_objects_from_the_page(client, company):
    client.post(url("vendor_new", company.id), {"vendor-name": "Ace Plumbing"})
    client.post(
        url("project_new", company.id),
        {"project-name": "Tower", "project-cost_codes": "01-100 General\n03-300 Concrete"},
    )
    vendor = ProcoreObject.objects.get(item_type="vendor")
    project = ProcoreObject.objects.get(item_type="project")
    codes = list(project.project_objects.filter(item_type="cost_code").order_by("id"))
    cost_type = ProcoreObject.objects.filter(item_type="line_item_type").first()
    form = {
        "commitment-kind": "purchase_order",
        "commitment-project": project.id,
        "commitment-vendor": vendor.id,
        "commitment-title": "Rebar",
        "commitment_lines-TOTAL_FORMS": 3,
        "commitment_lines-INITIAL_FORMS": 0,
        "commitment_lines-0-cost_code": codes[1].id,
        "commitment_lines-0-cost_type": cost_type.id,
        "commitment_lines-0-amount": "1250.50",
        "commitment_lines-0-description": "Rebar #4",
    }
    client.post(url("commitment_new", company.id), form)
    commitment = ProcoreObject.objects.get(item_type="purchase_order_contract")
    line = commitment.children.get()
    assert [c.data["code"] for c in codes] == ["01-100", "03-300"]
    assert (commitment.data["title"], commitment.data["grand_total"]) == ("Rebar", "1250.50")
    assert line.data["cost_code_id"] == codes[1].id
    client.post(
        url("change_order_new", company.id),
        {
            "cco-commitment": commitment.id,
            "cco-title": "More rebar",
            "cco_lines-TOTAL_FORMS": 3,
            "cco_lines-INITIAL_FORMS": 0,
            "cco_lines-0-commitment_line": line.id,
            "cco_lines-0-amount": "100",
        },
    )
    change_order = ProcoreObject.objects.get(item_type="change_order")
    assert change_order.parent == commitment
    assert change_order.children.get().data["commitment_line_item_id"] == line.id
    page = client.get(url("company", company.id))
    for text in (b"Ace Plumbing", b"Tower", b"Rebar", b"More rebar"):
        assert text in page.content


def test_send_accept_fires_the_webhook_event_for_the_erp_request(client, company):
    hook = Hook.objects.create(company=company, namespace="erp", destination_url="http://x/")
    Trigger.objects.create(hook=hook, resource_name="ERP Requests", event_type="create")
    vendor = make_vendor(company=company, name="Ace Plumbing")
    sent = client.post(url("object_send", company.id, vendor.id), follow=True)
    export = ExportRequest.objects.get(item=vendor)
    assert "Ready to Export" in messages_of(sent)[0]
    listed = client.get(f"{url('erp', company.id)}?tab=ready_to_export")
    assert b"Ace Plumbing" in listed.content
    assert b"create_vendor" in listed.content
    accepted = client.post(url("export_accept", company.id, export.id), follow=True)
    request = ErpRequest.objects.get(request_name="create_vendor")
    detail = request.details.get()
    assert "ERP Request" in messages_of(accepted)[0]
    assert request.request_data["request_detail_id"] == detail.id
    assert (detail.item, detail.status) == (vendor, "in_progress")
    assert Delivery.objects.get().event.resource_id == request.id
    again = client.post(url("export_accept", company.id, export.id), follow=True)
    assert "already accepted" in messages_of(again)[0]


def test_reject_sends_the_object_back_without_an_event(client, company):
    vendor = make_vendor(company=company, name="Ace Plumbing")
    export = export_send(obj=vendor)
    client.post(url("export_reject", company.id, export.id), {"reason": "Duplicate vendor"})
    export.refresh_from_db()
    assert export.status == "rejected"
    assert not ErpRequest.objects.exists()
    page = client.get(url("company", company.id))
    assert b"Rejected by the approver" in page.content
    assert b"Duplicate vendor" in page.content


def test_failed_export_shows_the_integrations_messages_and_can_be_resent(client, company):
    vendor = make_vendor(company=company, name="Ace Plumbing")
    request = export_accept(export=export_send(obj=vendor))
    request_detail_update(
        company=company,
        detail_id=request.request_data["request_detail_id"],
        attrs={"status": "failed", "messages": ["Vendor name is too long for the ERP"]},
    )
    page = client.get(f"{url('erp', company.id)}?tab=failed")
    assert b"Vendor name is too long for the ERP" in page.content
    requests_tab = client.get(f"{url('erp', company.id)}?tab=requests")
    assert b"Vendor name is too long for the ERP" in requests_tab.content
    client.post(url("object_send", company.id, vendor.id))
    assert ExportRequest.objects.filter(item=vendor, status="ready").exists()


def test_synced_objects_show_origin_id_and_are_locked(client, company):
    vendor = make_vendor(company=company, name="Ace Plumbing")
    vendor.origin_id = "V-77"
    vendor.save()
    synced = client.get(f"{url('erp', company.id)}?tab=synced")
    assert b"V-77" in synced.content
    assert b"locked" in synced.content
    refused = client.post(url("object", company.id, vendor.id), {"name": "Renamed"}, follow=True)
    vendor.refresh_from_db()
    assert vendor.data["name"] == "Ace Plumbing"
    assert "locked" in messages_of(refused)[0]
    resend = client.post(url("object_send", company.id, vendor.id), follow=True)
    assert "already synced" in messages_of(resend)[0]


def test_unsynced_objects_can_be_edited(client, company):
    vendor = make_vendor(company=company, name="Ace Plumbing")
    client.post(url("object", company.id, vendor.id), {"name": "Ace Plumbing & Heating"})
    vendor.refresh_from_db()
    assert vendor.data["name"] == "Ace Plumbing & Heating"


def test_commitment_needs_a_synced_project_and_vendor(client, company):
    vendor = make_vendor(company=company, name="Ace")
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    code = project.project_objects.get(item_type="cost_code")
    cost_type = ProcoreObject.objects.filter(item_type="line_item_type").first()
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind="subcontract",
        title="Framing",
        lines=[CommitmentLine(code.id, cost_type.id, "10")],
    )
    refused = client.post(url("object_send", company.id, commitment.id), follow=True)
    assert "Sync the project" in messages_of(refused)[0]
    ProcoreObject.objects.filter(id__in=[project.id, vendor.id]).update(origin_id="X")
    ProcoreObject.objects.filter(id=vendor.id).update(origin_id="V-1")
    client.post(url("object_send", company.id, commitment.id))
    request = export_accept(export=ExportRequest.objects.get(item=commitment))
    assert request.request_name == "create_commitment"
    assert request.request_data["job_id"] == "X"
    assert request.request_data["commitment"]["type"] == "WorkOrderContract"
    assert request.request_data["commitment"]["vendor"]["origin_id"] == "V-1"
    assert request.request_data["commitment_items"][0]["cost_code"]["id"] == code.id


def test_import_a_staged_vendor_creates_it_with_its_origin_id(client, company):
    staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "ERP-V-9", "data": {"name": "Bolt Supply"}}],
    )
    record = StagedRecord.objects.get()
    queue = client.get(f"{url('erp', company.id)}?tab=ready_to_import")
    assert b"Bolt Supply" in queue.content
    client.post(url("staged_approve", company.id, record.id))
    record.refresh_from_db()
    vendor = ProcoreObject.objects.get(item_type="vendor")
    event = ErpRequest.objects.get(request_name="create_vendor_in_procore")
    assert record.status == "imported"
    assert (vendor.origin_id, vendor.data["name"]) == ("ERP-V-9", "Bolt Supply")
    assert event.request_data == {
        "vendor": {"id": vendor.id, "origin_id": "ERP-V-9"},
        "company_id": company.id,
    }
    assert not event.details.exists()


def test_project_level_records_wait_for_a_synced_project(client, company):
    staged_records_sync(
        company=company,
        updates=[
            {"item_type": "project", "origin_id": "P-1", "data": {"name": "Tower"}},
            {
                "item_type": "work_order_contract",
                "origin_id": "SC-1",
                "data": {"project_origin_id": "P-1", "vendor_origin_id": "V-1", "title": "Framing"},
                "children": [
                    {
                        "origin_id": "SC-1-L1",
                        "data": {
                            "amount": "500.0",
                            "cost_code_origin_id": "CC-1",
                            "line_item_type_origin_id": "CT-L",
                        },
                    }
                ],
            },
        ],
    )
    contract = StagedRecord.objects.get(origin_id="SC-1")
    queue = client.get(f"{url('erp', company.id)}?tab=ready_to_import")
    assert [e["record"].origin_id for e in queue.context["queue"]] == ["P-1"]
    refused = client.post(url("staged_approve", company.id, contract.id), follow=True)
    assert "project is not synced" in messages_of(refused)[0]
    client.post(url("staged_approve", company.id, StagedRecord.objects.get(origin_id="P-1").id))
    project = ProcoreObject.objects.get(item_type="project")
    assert ErpRequest.objects.filter(request_name="create_job_in_procore").exists()
    vendor = make_vendor(company=company, name="Framers")
    ProcoreObject.objects.filter(id=vendor.id).update(origin_id="V-1")
    ProcoreObject.objects.create(
        company=company,
        item_type="cost_code",
        project=project,
        origin_id="CC-1",
        data={"code": "06", "name": "Framing"},
    )
    cost_type = ProcoreObject.objects.filter(item_type="line_item_type").first()
    ProcoreObject.objects.filter(id=cost_type.id).update(origin_id="CT-L")
    imported = client.post(url("staged_approve", company.id, contract.id), follow=True)
    assert "Imported" in messages_of(imported)[0]
    commitment = ProcoreObject.objects.get(item_type="work_order_contract")
    line = commitment.children.get()
    assert (commitment.origin_id, line.origin_id, line.data["amount"]) == (
        "SC-1",
        "SC-1-L1",
        "500.0",
    )
    assert set(StagedRecord.objects.values_list("status", flat=True)) == {"imported"}
    event = ErpRequest.objects.get(request_name="create_commitment_in_procore")
    assert event.request_data["project_origin_id"] == "P-1"


def test_import_failure_keeps_the_record_staged_with_the_reason(client, company):
    project = project_create(company=company, name="Tower")
    ProcoreObject.objects.filter(id=project.id).update(origin_id="P-1")
    staged_records_sync(
        company=company,
        updates=[
            {
                "item_type": "purchase_order_contract",
                "origin_id": "PO-1",
                "data": {"project_origin_id": "P-1", "vendor_origin_id": "nobody", "title": "X"},
            }
        ],
    )
    record = StagedRecord.objects.get()
    response = client.post(url("staged_approve", company.id, record.id), follow=True)
    record.refresh_from_db()
    assert "Vendor is required" in messages_of(response)[0]
    assert record.status == "staged"
    assert "Vendor is required" in record.import_error
    assert not ProcoreObject.objects.filter(item_type="purchase_order_contract").exists()


@pytest.mark.parametrize(
    ("button", "names"),
    [
        ("refresh_vendors", ["sync_vendors"]),
        ("refresh_jobs", ["sync_jobs"]),
        ("refresh_commitments", ["sync_commitments"]),
        ("sync_cost_codes", ["sync_standard_cost_codes", "sync_standard_categories"]),
    ],
)
def test_refresh_and_sync_buttons_ask_the_integration(client, company, button, names):
    response = client.post(url("button", company.id, button), follow=True)
    created = list(ErpRequest.objects.order_by("id").values_list("request_name", flat=True))
    assert created == names
    assert "Asked the integration" in messages_of(response)[0]


def test_buttons_are_refused_until_the_erp_is_connected(client):
    company = company_create(name="Unconnected")
    response = client.post(url("button", company.id, "refresh_vendors"), follow=True)
    assert "not connected" in messages_of(response)[0]
    assert not ErpConnection.objects.exists()


def test_settings_page_overrides_a_knob(client):
    client.post(url("knobs"), {"name": "fault_500_share", "value": "0.25"})
    page = client.get(url("knobs"))
    assert {r["name"]: r["value"] for r in page.context["rows"]}["fault_500_share"] == 0.25
    client.post(url("knobs"), {"name": "fault_500_share", "value": ""})
    page = client.get(url("knobs"))
    assert {r["name"]: r["value"] for r in page.context["rows"]}["fault_500_share"] == 0.0
