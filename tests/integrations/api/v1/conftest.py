"""Two companies, each with a company admin and a viewer holding API tokens, and a row of every
kind the API shows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from integrations.models import CompanyMembership
from integrations.models.erp_requests import WorkState
from integrations.services.api_tokens import api_token_create
from tests import factories


@dataclass
class Tenant:
    company: object
    admin: object
    viewer: object
    admin_token: str
    viewer_token: str
    request: object
    run: object
    link: object
    token_row: object


def _tenant(name: str, versions: int) -> Tenant:
    company = factories.CompanyFactory(name=name)
    factories.ConnectionFactory(company=company)
    admin = factories.UserFactory(username=f"{name.lower()}-admin")
    viewer = factories.UserFactory(username=f"{name.lower()}-viewer")
    CompanyMembership.objects.create(user=admin, company=company, role="admin")
    CompanyMembership.objects.create(user=viewer, company=company, role="viewer")
    for number in range(1, versions + 1):
        factories.MetadataConfigFactory(company=company, version=number)
    admin_token = api_token_create(user=admin, name="script")
    viewer_token = api_token_create(user=viewer, name="script")
    request = factories.ERPRequestFactory(company=company, state=WorkState.FAILED)
    factories.ERPRequestDetailFactory(erp_request=request, company=company)
    return Tenant(
        company=company,
        admin=admin,
        viewer=viewer,
        admin_token=admin_token.secret,
        viewer_token=viewer_token.secret,
        request=request,
        run=factories.SyncRunFactory(company=company, entity="vendors"),
        link=factories.ObjectLinkFactory(company=company, origin_code="ACME-01"),
        token_row=admin_token.token,
    )


@pytest.fixture
def tenant_a(db) -> Tenant:
    return _tenant("Alpha", versions=1)


@pytest.fixture
def tenant_b(db) -> Tenant:
    return _tenant("Bravo", versions=3)


def api(token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client
