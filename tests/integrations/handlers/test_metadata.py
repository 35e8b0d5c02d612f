"""``sync_metadata``: Procore asks, the portal pushes the live metadata (through the whole loop)."""

from __future__ import annotations

import pytest

from integrations.handlers.registry import HandlerContext, handler_for
from integrations.models import ERPRequest, MetadataConfig
from integrations.models.erp_requests import WorkState
from integrations.procore import ProcoreClient
from integrations.services.erp_requests import erp_request_process
from integrations.services.metadata import metadata_config_create, metadata_default_document
from integrations.services.provisioning import connection_provision
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import ErpConnection
from procore_sandbox.services.delivery import deliveries_run_due
from procore_sandbox.services.erp import erp_request_create
from tests.factories import ConnectionFactory, ERPRequestFactory


def test_procore_asks_for_metadata_and_gets_the_live_version(sandbox_connection):
    """Provisioned hook → delivery with our bearer secret → ERP request → handler → push."""
    company = sandbox_connection.company
    connection_provision(company=company)
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    v2 = metadata_config_create(company=company, document=document)

    sandbox_company = SandboxCompany.objects.get(id=company.procore_company_id)
    asked = erp_request_create(
        company=sandbox_company, request_name="sync_metadata", request_data={}, with_detail=False
    )
    assert deliveries_run_due() == 1
    row = ERPRequest.objects.get(company=company, procore_request_id=asked.id)

    assert erp_request_process(erp_request_id=row.pk) == WorkState.SUCCEEDED

    row.refresh_from_db()
    v2.refresh_from_db()
    assert row.request_name == "sync_metadata"
    assert v2.pushed_at is not None
    pushed = ErpConnection.objects.get(company_id=company.procore_company_id).metadata
    assert pushed["settings"]["labels"]["name"] == "Sage 300"


@pytest.mark.django_db
def test_an_unprovisioned_company_fails_with_the_way_out():
    connection = ConnectionFactory(erp_connection_id=None)
    row = ERPRequestFactory(company=connection.company, request_name="sync_metadata")
    with ProcoreClient(connection) as client:
        outcome = handler_for("sync_metadata")(
            HandlerContext(erp_request=row, connection=connection, client=client)
        )
    assert outcome.status == "failed"
    assert "not provisioned in Procore yet" in outcome.messages[0]
    assert "provision --company" in outcome.messages[0]
    assert not MetadataConfig.objects.filter(pushed_at__isnull=False).exists()
