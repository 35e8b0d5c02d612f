"""Subcontractor invoices and their payments in the sandbox's pages: an invoice written on its
commitment's page, sent to the ERP, exported in a batch; a payment made on the invoice's page,
which lists every payment; Refresh Payments and the Super User resets create their ERP Requests
with the events dictionary's payloads."""

from __future__ import annotations

import pytest

from procore_sandbox.models import ErpRequest, ExportRequest, Hook, ProcoreObject, Trigger
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.objects import CommitmentLine, commitment_create, vendor_create
from procore_sandbox.services.tenants import app_install, company_create
from tests.procore_sandbox.web.test_job_views import labor, messages_of, synced, synced_job, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = company_create(name="Acme Builders")
    app = app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    erp_connection_create(company=company, app=app, service_url="", metadata={})
    hook = Hook.objects.create(company=company, namespace="erp", destination_url="http://x/")
    Trigger.objects.create(hook=hook, resource_name="ERP Requests", event_type="create")
    return company


@pytest.fixture
def commitment(company):
    project = synced_job(company)
    vendor = synced(vendor_create(company=company, name="Acme Concrete"), "V-1")
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind="subcontract",
        title="Concrete",
        lines=[CommitmentLine(code.id, labor(company).id, "1000", "Footings")],
    )
    return synced(commitment, "SC-ERP-1")


def test_an_invoice_is_written_on_its_commitment_and_sent_to_the_erp(client, company, commitment):
    (line,) = ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
    page = client.get(url("object", company.id, commitment.id))
    assert b"New invoice" in page.content and b"Footings" in page.content

    response = client.post(
        url("requisition_new", company.id, commitment.id),
        {"invoice_number": "INV-77", f"amount_{line.id}": "400", f"retainage_{line.id}": "40"},
        follow=True,
    )
    invoice = ProcoreObject.objects.get(item_type="requisition")
    assert messages_of(response) == [f"Invoice INV-77 created (id {invoice.id})."]
    (item,) = ProcoreObject.objects.filter(parent=invoice)
    assert (item.item_type, item.data["amount"], item.data["retainage_this_period"]) == (
        "requisition_contract_item",
        "400.00",
        "40.00",
    )
    assert b"Payments" in response.content and b"Send to ERP" in response.content

    client.post(url("object_send", company.id, invoice.id))
    export = ExportRequest.objects.get(item=invoice)
    client.post(url("export_accept", company.id, export.id))
    request = ErpRequest.objects.get(request_name="create_requisitions")
    (sent,) = request.request_data["requisitions"]
    assert sent["procore_requisition_id"] == invoice.id
    assert sent["contract_origin_id"] == "SC-ERP-1"
    assert sent["line_items"][0]["requisition_item_type"] == "Billings::ContractItem"
    assert request.request_data["request_detail_id"] == request.details.get().id


def test_invoices_exported_in_a_batch_get_a_request_detail_each(client, company, commitment):
    (line,) = ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
    for number in ("A", "B"):
        client.post(
            url("requisition_new", company.id, commitment.id),
            {"invoice_number": number, f"amount_{line.id}": "10"},
        )
    ids = list(ProcoreObject.objects.filter(item_type="requisition").values_list("id", flat=True))
    client.post(url("requisitions_export", company.id), {"item": ids})
    request = ErpRequest.objects.get(request_name="create_requisitions")
    details = {d.item_id: d.id for d in request.details.all()}
    assert [
        (r["procore_requisition_id"], r["request_detail_id"])
        for r in request.request_data["requisitions"]
    ] == [(i, details[i]) for i in ids]


def test_a_payment_is_made_on_the_invoice_page_and_refresh_and_resets_ask_the_integration(
    client, company, commitment
):
    (line,) = ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
    client.post(
        url("requisition_new", company.id, commitment.id),
        {"invoice_number": "INV-1", f"amount_{line.id}": "500"},
    )
    invoice = synced(ProcoreObject.objects.get(item_type="requisition"), "REQ-ERP-1")
    client.post(
        url("payment_new", company.id, invoice.id),
        {"amount": "125.5", "check_number": "301", "payment_method": "check"},
    )
    payment = ProcoreObject.objects.get(item_type="contract_payment")
    page = client.get(url("object", company.id, invoice.id))
    assert b"125.50" in page.content and b"Made in Procore" in page.content

    client.post(url("object_send", company.id, payment.id))
    client.post(url("export_accept", company.id, ExportRequest.objects.get(item=payment).id))
    sent = ErpRequest.objects.get(request_name="create_contract_payment").request_data
    assert sent["contract_payment"]["requisition_id"] == invoice.id
    assert sent["contract_payment"]["amount"] == "125.50"

    client.post(url("button", company.id, "refresh_contract_payments"))
    refresh = ErpRequest.objects.get(request_name="sync_contract_payments")
    assert refresh.request_data["request_detail_id"] == refresh.details.get().id

    synced(payment, "PAY-ERP-1")
    client.post(url("object_action", company.id, payment.id, "reset-payment"))
    reset = ErpRequest.objects.get(request_name="reset_payment")
    assert reset.request_data["payment_id"] == payment.id
    assert reset.request_data["origin_id"] == "PAY-ERP-1"
    assert not reset.details.exists()

    client.post(url("object_action", company.id, invoice.id, "reset-requisition"))
    reset = ErpRequest.objects.get(request_name="reset_requisition")
    assert reset.request_data == {
        "requisition_id": invoice.id,
        "project_id": invoice.project_id,
        "requisition_origin_id": "REQ-ERP-1",
        "reset_override": False,
    }
    invoice.refresh_from_db()
    assert invoice.origin_id is None
