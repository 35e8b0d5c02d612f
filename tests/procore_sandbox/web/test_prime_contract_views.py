"""The project user's prime contract pages in the sandbox: a prime contract entered with its
lines, a change order on it with a markup, Send to ERP with the dictionary's payload, and the
approver's Unlink and the Super User's reset of a synced change order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procore_sandbox.models import (
    Delivery,
    ErpRequest,
    ExportRequest,
    Hook,
    ProcoreObject,
    Trigger,
)
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.objects import project_create
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


def _prime_contract(client, company):
    project = project_create(company=company, name="Tower")
    project.origin_id = "JOB-1"
    project.save()
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    kind = ProcoreObject.objects.get(company=company, item_type="line_item_type", data__code="O")
    response = client.post(
        url("prime_contract_new", company.id),
        {
            "pc-project": project.id,
            "pc-title": "Owner contract",
            "pc-number": "PC-1",
            "pc_lines-TOTAL_FORMS": "3",
            "pc_lines-INITIAL_FORMS": "0",
            "pc_lines-0-cost_code": code.id,
            "pc_lines-0-cost_type": kind.id,
            "pc_lines-0-amount": "1000.00",
            "pc_lines-0-description": "Base scope",
        },
    )
    assert response.status_code == 302
    return ProcoreObject.objects.get(company=company, item_type="prime_contract")


def test_prime_contract_and_change_order_with_a_markup_are_created_and_sent(client, company):
    contract = _prime_contract(client, company)
    (line,) = ProcoreObject.objects.filter(parent=contract, item_type="line_item")
    assert (line.data["amount"], contract.data["grand_total"]) == ("1000.00", "1000.00")

    response = client.post(
        url("prime_change_order_new", company.id),
        {
            "pcco-prime_contract": contract.id,
            "pcco-title": "Extra floor",
            "pcco_lines-TOTAL_FORMS": "3",
            "pcco_lines-INITIAL_FORMS": "0",
            "pcco_lines-0-prime_line": line.id,
            "pcco_lines-0-amount": "299.00",
            "pcco_lines-0-markup_name": "Overhead",
            "pcco_lines-0-markup_percentage": "15",
        },
    )
    assert response.status_code == 302
    change_order = ProcoreObject.objects.get(item_type="prime_contract_change_order")
    assert change_order.data["grand_total"] == "343.85"
    page = client.get(url("company", company.id))
    assert b"Prime contract change orders" in page.content and b"Extra floor" in page.content

    assert client.get(url("object", company.id, change_order.id)).status_code == 200
    assert client.get(url("object", company.id, contract.id)).status_code == 200
    client.post(url("object_send", company.id, change_order.id))
    export = ExportRequest.objects.get(item=change_order)
    client.post(url("export_accept", company.id, export.id))
    request = ErpRequest.objects.get(request_name="create_prime_contract_change_order")
    data = request.request_data
    assert set(data) == {
        "request_detail_id",
        "project",
        "prime_contract",
        "prime_contract_items",
        "prime_contract_change_order",
        "prime_contract_change_order_items",
    }
    (item,) = data["prime_contract_change_order_items"]
    assert (item["amount"], item["extended_amount"], item["prime_line_item_id"]) == (
        "343.85",
        "299.00",
        line.id,
    )
    (markup,) = item["markup_line_items"]
    assert (markup["amount"], markup["markup"]["percentage"]) == ("44.85", "15.00")
    assert item["holder"] == {"id": change_order.id, "holder_type": "PotentialChangeOrder"}
    assert Delivery.objects.filter(event__resource_id=request.id).exists()


def test_unlink_and_reset_of_a_synced_change_order_send_the_dictionarys_payloads(client, company):
    from procore_sandbox.services.prime_contracts import (
        ChangeOrderLine,
        prime_contract_change_order_create,
    )

    contract = _prime_contract(client, company)
    (line,) = ProcoreObject.objects.filter(parent=contract, item_type="line_item")
    change_order = prime_contract_change_order_create(
        company=company,
        prime_contract=contract,
        title="Extra",
        lines=[ChangeOrderLine(line.id, "50.00")],
    )
    ProcoreObject.objects.filter(pk=change_order.pk).update(origin_id="PCCO-1")

    client.post(url("object_action", company.id, change_order.id, "unlink-pcco"))
    unlink = ErpRequest.objects.get(request_name="unlink_prime_contract_change_order")
    assert unlink.details.count() == 1
    assert unlink.request_data["prime_contract_change_order"]["origin_id"] == "PCCO-1"
    assert unlink.request_data["prime_contract_change_order_line_items"][0]["revenue_amount"] == 50
    change_order.refresh_from_db()
    assert change_order.origin_id == "PCCO-1"  # the integrator unsyncs it, not Procore

    client.post(url("object_action", company.id, change_order.id, "reset-pcco"))
    reset = ErpRequest.objects.get(request_name="reset_prime_contract_change_order")
    assert not reset.details.exists()
    assert reset.request_data["prime_contract_change_order_origin_id"] == "PCCO-1"
    assert reset.request_data["job_id"] == "JOB-1"
    change_order.refresh_from_db()
    assert change_order.origin_id is None
