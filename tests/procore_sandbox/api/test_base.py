"""What every API call goes through first: the Procore-Company-Id header must name a company that
has the app installed (procore-erp-api.md §e)."""

from __future__ import annotations

from procore_sandbox.services.tenants import company_create

VENDORS = "/rest/v1.0/vendors"


def test_missing_company_header_is_refused_with_procores_message(procore):
    response = procore.get("/rest/v1.0/companies", company_header=False)
    assert response.status_code == 400
    assert response.json() == {"errors": "Missing Procore-Company-Id header!"}


def test_company_without_the_app_gets_403(procore, transactional_db):
    stranger = company_create(name="Not installed")
    procore.company_id = stranger.id
    response = procore.get(VENDORS, params={"company_id": stranger.id})
    assert response.status_code == 403
    assert response.json() == {"errors": "App is not connected to this company"}


def test_company_in_the_path_must_be_the_headers(procore, transactional_db):
    stranger = company_create(name="Other")
    response = procore.get(f"/rest/v1.0/companies/{stranger.id}/erp_request_details")
    assert response.status_code == 403
