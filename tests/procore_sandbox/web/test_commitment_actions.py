"""The ERP Integrations Tool's Unlink button on a synced commitment: shown on the Synced tab,
it asks the integration (``unlink_commitment``, with a Request Detail) and leaves the origin_id
for the integration to clear, as the events dictionary says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from procore_sandbox.models import ErpRequest, Hook, ProcoreObject, Trigger
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.objects import CommitmentLine, commitment_create
from procore_sandbox.services.tenants import app_install, company_create
from tests.procore_sandbox.web.test_job_views import (
    delivered,
    labor,
    messages_of,
    synced,
    synced_job,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    company = company_create(name="Acme Builders")
    app = app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    erp_connection_create(company=company, app=app, service_url="", metadata={})
    hook = Hook.objects.create(company=company, namespace="erp", destination_url="http://x/")
    Trigger.objects.create(hook=hook, resource_name="ERP Requests", event_type="create")
    return company


def _synced_commitment(company, kind="purchase_order_contract"):
    from procore_sandbox.services.objects import vendor_create

    project = synced_job(company)
    vendor = synced(vendor_create(company=company, name="Ace Supply"), "V-1")
    code = ProcoreObject.objects.get(project=project, item_type="cost_code")
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind=kind,
        title="Rebar",
        lines=[
            CommitmentLine(cost_code_id=code.id, line_item_type_id=labor(company).id, amount="10")
        ],
    )
    return synced(commitment, "C-1"), project


def test_unlink_a_synced_commitment_asks_the_integration(client, company):
    commitment, project = _synced_commitment(company)
    page = client.get(reverse("procore_sandbox:erp", args=[company.id]) + "?tab=synced")
    action = url("object_action", company.id, commitment.id, "unlink-commitment")
    assert action in page.content.decode()

    response = client.post(action, follow=True)

    request = ErpRequest.objects.get(request_name="unlink_commitment")
    assert "unlink_commitment" in messages_of(response)[-1]
    (detail,) = request.details.all()
    assert request.request_data == {
        "job_origin_id": "JOB-1",
        "erp_commitment_id": commitment.id,
        "request_detail_id": detail.id,
        "project_id": project.id,
        "procore_commitment_id": commitment.id,
        "commitment_type": "PurchaseOrderContract",
        "commitment_origin_id": "C-1",
    }
    commitment.refresh_from_db()
    assert commitment.origin_id == "C-1"  # the integration decides
    assert delivered(request)


def test_an_unsynced_commitment_cannot_be_unlinked(client, company):
    commitment, _project = _synced_commitment(company, kind="work_order_contract")
    synced(commitment, None)
    response = client.post(
        url("object_action", company.id, commitment.id, "unlink-commitment"), follow=True
    )
    assert "not synced" in messages_of(response)[-1]
    assert not ErpRequest.objects.filter(request_name="unlink_commitment").exists()
