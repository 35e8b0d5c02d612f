"""Payment applications and company-level direct costs in the sandbox: created on their page,
sent to the ERP with the events dictionary's payloads (the keys of the portal's fixtures),
unlinked with a Request Detail (the document stays synced until the integrator unsyncs it) and
reset by a Super User (unsynced at once, notified without a Request Detail)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procore_sandbox.models import ErpConnection, ErpRequest, ExportRequest, ProcoreObject
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import project_create, vendor_create
from procore_sandbox.services.tenants import app_install, company_create
from tests.procore_sandbox.services.test_payload_shapes import expected_shape, shape

pytestmark = pytest.mark.django_db

METADATA = {
    "settings": {
        "entities": {
            "payment_applications": {
                "enabled": True,
                "configs": {"export": {"enabled": True}, "unlink": {"enabled": True}},
            },
            "company_level_direct_costs": {
                "enabled": True,
                "configs": {"export": {"enabled": True}, "unlink": {"enabled": True}},
            },
        }
    }
}


@pytest.fixture
def company():
    company = company_create(name="Owner Billing Builders")
    app = app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    erp_connection_create(company=company, app=app, service_url="", metadata=METADATA)
    return company


@pytest.fixture
def synced(company):
    project = project_create(company=company, name="Harbor Tower", cost_codes=[("01-100", "Gen")])
    project.origin_id, project.origin_code = "JOB-1", "J-100"
    project.save()
    code = ProcoreObject.objects.get(project=project, item_type="cost_code")
    code.origin_id = "JOB-1|CC-1"
    code.save()
    vendor = vendor_create(company=company, name="Bay Electric")
    vendor.origin_id = "V-1"
    vendor.save()
    cost_type = ProcoreObject.objects.get(
        company=company, item_type="line_item_type", data__code="O"
    )
    return {"project": project, "code": code, "vendor": vendor, "cost_type": cost_type}


def url(name, *args):
    return reverse(f"procore_sandbox:{name}", args=args)


def _create_on_the_page(client, company, synced):
    response = client.post(
        url("pay_app_new", company.id),
        {
            "project": synced["project"].id,
            "invoice_number": "7",
            "period_start": "2026-11-01",
            "period_end": "2026-11-30",
            "retainage_percent": "10",
            "description_1": "Sitework",
            "scheduled_value_1": "1000",
            "this_period_1": "250",
            "description_2": "Concrete",
            "scheduled_value_2": "2000",
            "this_period_2": "0",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("direct_cost_new", company.id),
        {
            "direct_cost_type": "invoice",
            "vendor": synced["vendor"].id,
            "invoice_number": "INV-1",
            "cost_code_1": synced["code"].id,
            "cost_type_1": synced["cost_type"].id,
            "amount_1": "125.50",
        },
    )
    assert response.status_code == 302
    pay_app = ProcoreObject.objects.get(company=company, item_type="payment_application")
    direct_cost = ProcoreObject.objects.get(company=company, item_type="company_level_direct_cost")
    return pay_app, direct_cost


def test_created_on_their_page_with_their_lines(client, company, synced):
    pay_app, direct_cost = _create_on_the_page(client, company, synced)
    assert pay_app.children.count() == 2 and direct_cost.children.count() == 1
    assert direct_cost.data["line_item_total"] == "125.50"
    page = client.get(url("payapps_direct_costs", company.id))
    assert page.status_code == 200
    assert b"Sitework" in page.content and b"INV-1" in page.content
    for obj in (pay_app, direct_cost):
        assert client.get(url("object", company.id, obj.id)).status_code == 200


@pytest.mark.parametrize(
    ("item_type", "request_name"),
    [
        ("payment_application", "create_payment_application"),
        ("company_level_direct_cost", "create_company_level_direct_cost"),
    ],
)
def test_send_to_erp_emits_the_dictionary_payload(client, company, synced, item_type, request_name):
    _create_on_the_page(client, company, synced)
    obj = ProcoreObject.objects.get(company=company, item_type=item_type)
    request = export_accept(export=export_send(obj=obj))
    assert request.request_name == request_name
    assert shape(request.request_data) == expected_shape(request_name)
    assert request.details.count() == 1


def test_a_document_of_an_unsynced_project_is_not_sent(company, synced):
    from procore_sandbox.services.errors import SandboxError
    from procore_sandbox.services.payapps_direct_costs import PayAppLine, payment_application_create

    project = project_create(company=company, name="Not Synced")
    pay_app = payment_application_create(project=project, lines=[PayAppLine("Work", "10", "5")])
    with pytest.raises(SandboxError, match="Sync the project"):
        export_send(obj=pay_app)
    assert not ExportRequest.objects.exists()


@pytest.mark.parametrize(
    ("item_type", "request_name"),
    [
        ("payment_application", "unlink_payment_application"),
        ("company_level_direct_cost", "unlink_company_level_direct_cost"),
    ],
)
def test_unlink_asks_the_integrator_with_a_request_detail(
    client, company, synced, item_type, request_name
):
    _create_on_the_page(client, company, synced)
    obj = ProcoreObject.objects.get(company=company, item_type=item_type)
    obj.origin_id = "ERP-9"
    obj.save()
    response = client.post(url("payapps_direct_costs_action", company.id, obj.id, "unlink"))
    assert response.status_code == 302
    request = ErpRequest.objects.get(request_name=request_name)
    assert shape(request.request_data) == expected_shape(request_name) | _unlink_extra(item_type)
    assert request.details.count() == 1
    obj.refresh_from_db()
    assert obj.origin_id == "ERP-9"  # the integrator decides


def _unlink_extra(item_type: str) -> set[str]:
    """The dictionary's unlink example of a direct cost leaves out what its export shows (the
    lines, the vendor's ERP id); Procore sends the same direct cost either way."""
    if item_type == "payment_application":
        return set()
    create = expected_shape("create_company_level_direct_cost")
    return {path for path in create if path.startswith("direct_cost.")} - expected_shape(
        "unlink_company_level_direct_cost"
    )


def test_super_user_reset_unsyncs_and_notifies_without_a_detail(client, company, synced):
    _pay_app, direct_cost = _create_on_the_page(client, company, synced)
    direct_cost.origin_id = "ERP-9"
    direct_cost.save()
    response = client.post(url("payapps_direct_costs_action", company.id, direct_cost.id, "reset"))
    assert response.status_code == 302
    request = ErpRequest.objects.get(request_name="reset_company_level_direct_cost")
    assert shape(request.request_data) == expected_shape("reset_company_level_direct_cost")
    assert request.request_data["origin_id"] == "ERP-9"
    assert not request.details.exists()
    direct_cost.refresh_from_db()
    assert direct_cost.origin_id is None


def test_unlink_needs_the_metadata_to_enable_it(client, company, synced):
    ErpConnection.objects.filter(company=company).update(metadata={})
    _pay_app, direct_cost = _create_on_the_page(client, company, synced)
    direct_cost.origin_id = "ERP-9"
    direct_cost.save()
    client.post(url("payapps_direct_costs_action", company.id, direct_cost.id, "unlink"))
    assert not ErpRequest.objects.filter(request_name__startswith="unlink").exists()


def test_the_approver_sees_them_on_ready_to_export(client, company, synced):
    pay_app, direct_cost = _create_on_the_page(client, company, synced)
    for obj in (pay_app, direct_cost):
        response = client.post(url("object_send", company.id, obj.id))
        assert response.status_code == 302
    assert ExportRequest.objects.filter(status="ready").count() == 2
    for tab in ("ready_to_export", "synced", "failed", "requests"):
        page = client.get(url("erp", company.id) + f"?tab={tab}")
        assert page.status_code == 200
    page = client.get(url("erp", company.id) + "?tab=ready_to_export")
    assert b"Pay application 7" in page.content and b"Invoice INV-1" in page.content
    assert b"create_company_level_direct_cost" in page.content
