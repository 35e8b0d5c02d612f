"""OAuth client credentials against the sandbox, over HTTP (oauth_client_credentials.md)."""

from __future__ import annotations

import requests

from procore_sandbox.services.tenants import app_install, company_create

COMPANIES = "/rest/v1.0/companies"


def _token(url: str, **kwargs) -> requests.Response:
    return requests.post(f"{url}/oauth/token", timeout=10, **kwargs)


def test_form_fields_give_a_bearer_token_that_works(procore, sandbox_url):
    response = _token(
        sandbox_url,
        data={
            "grant_type": "client_credentials",
            "client_id": "portal-app",
            "client_secret": "portal-secret",
        },
    )
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 5400
    assert isinstance(body["created_at"], int)
    listed = procore.get(COMPANIES, token=body["access_token"])
    assert listed.status_code == 200
    assert listed.json() == [{"id": procore.company_id, "name": "Acme Builders", "is_active": True}]


def test_json_body_and_basic_auth_are_accepted(procore, sandbox_url):
    as_json = _token(
        sandbox_url,
        json={
            "grant_type": "client_credentials",
            "client_id": "portal-app",
            "client_secret": "portal-secret",
        },
    )
    as_basic = _token(
        sandbox_url,
        data={"grant_type": "client_credentials"},
        auth=("portal-app", "portal-secret"),
    )
    assert as_json.status_code == 200
    assert as_basic.status_code == 200
    assert as_json.json()["access_token"] != as_basic.json()["access_token"]


def test_wrong_secret_gets_procores_401(procore, sandbox_url):
    response = _token(
        sandbox_url,
        data={"grant_type": "client_credentials", "client_id": "portal-app", "client_secret": "x"},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unknown_grant_type_is_refused(procore, sandbox_url):
    response = _token(sandbox_url, data={"grant_type": "password", "client_id": "portal-app"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_expired_token_gets_401_and_a_new_token_works(procore, settings):
    settings.PROCORE_SANDBOX = {"token_expires_in": 0}
    expired = procore.authenticate()
    response = procore.get(COMPANIES, token=expired)
    assert response.status_code == 401
    assert response.json() == {"errors": "The access token expired"}
    settings.PROCORE_SANDBOX = {}
    assert procore.get(COMPANIES, token=procore.authenticate()).status_code == 200


def test_missing_or_unknown_token_gets_401(procore):
    assert procore.get(COMPANIES, token="not-a-token").status_code == 401
    response = procore.session.get(
        f"{procore.base}{COMPANIES}", headers={"Procore-Company-Id": str(procore.company_id)}
    )
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_one_app_serves_every_company_it_is_installed_in(procore, transactional_db):
    other = company_create(name="Second Co")
    app_install(company=other, client_id="portal-app", client_secret="portal-secret")
    listed = procore.get(COMPANIES).json()
    assert [row["id"] for row in listed] == [procore.company_id, other.id]


def test_token_info_names_the_app(procore, sandbox_url):
    response = requests.get(
        f"{sandbox_url}/oauth/token/info",
        headers={"Authorization": f"Bearer {procore.token}"},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["application"] == {"uid": "portal-app"}
