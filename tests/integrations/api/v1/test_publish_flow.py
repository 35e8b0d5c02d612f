"""Publishing metadata through the API, against the local Procore sandbox."""

from __future__ import annotations

from django.urls import reverse

from integrations.models import CompanyMembership
from integrations.services.api_tokens import api_token_create
from integrations.services.metadata import metadata_config_create, metadata_default_document
from integrations.services.provisioning import connection_provision
from tests import factories
from tests.integrations.api.v1.conftest import api


def test_a_company_admin_publishes_a_version_to_procore(sandbox_connection):
    from procore_sandbox.models import ErpConnection

    company = sandbox_connection.company
    connection_provision(company=company, actor_label="test")
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    metadata_config_create(company=company, document=document)
    admin = factories.UserFactory()
    CompanyMembership.objects.create(user=admin, company=company, role="admin")
    token = api_token_create(user=admin, name="deploy").secret

    response = api(token).post(
        reverse("api-v1:metadata-publish", kwargs={"company_id": company.pk, "version": 2})
    )

    assert response.status_code == 200, response.content
    assert response.json()["version"]["version"] == 2
    assert response.json()["version"]["live_in_procore"] is True
    erp = ErpConnection.objects.get(company_id=company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Sage 300"
