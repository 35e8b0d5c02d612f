"""Under ``/rest/`` and ``/oauth/`` every answer is JSON, errors included: an unknown path (404),
a method the endpoint does not take (405) and an exception inside a view (500) answer
``{"errors": ...}`` with the rate-limit headers and an ``X-Request-Id``, never Django's HTML page
(Procore's own JS SDK fails on HTML)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

RATE_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    assert len(response.headers["X-Request-Id"]) == 32
    assert all(response.headers.get(name) for name in RATE_HEADERS)
    body = response.json()
    assert set(body) == {"errors"}
    return body


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/rest/v1.0/no_such_thing"),
        ("PATCH", "/rest/v1.0/projects/sync/extra"),
        ("GET", "/rest/v1.0/vendors/"),
        ("POST", "/rest/v2.0/companies/1/erp_requests"),
        ("GET", "/rest"),
        ("POST", "/oauth/authorize/nowhere"),
    ],
)
def test_unknown_paths_answer_a_json_404(procore, method, path):
    body = assert_json_error(procore.call(method, path, json_body={}), 404)
    assert path in body["errors"]


def test_unknown_path_without_a_token_is_still_json(sandbox_url, transactional_db):
    import requests

    response = requests.get(f"{sandbox_url}/rest/v1.0/nothing/here", timeout=10)
    assert_json_error(response, 404)


def test_a_method_the_endpoint_does_not_take_answers_a_json_405(procore):
    body = assert_json_error(procore.delete("/rest/v1.0/me"), 405)
    token_info = procore.call("POST", "/oauth/token/info")
    assert body == {"errors": "Method Not Allowed"}
    assert procore.delete("/rest/v1.0/me").headers["Allow"] == "GET"
    assert_json_error(token_info, 405)


def test_an_exception_inside_a_view_answers_a_json_500(procore, monkeypatch):
    from procore_sandbox.services import erp

    def broken(**kwargs):
        raise RuntimeError("the database host db-7.internal:5432 is gone")

    monkeypatch.setattr(erp, "erp_request_get", broken)
    response = procore.get("/rest/v1.0/companies/{company_id}/erp_requests/1")
    body = assert_json_error(response, 500)
    assert body == {"errors": "Internal Server Error"}
    assert "db-7" not in response.text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="procore_sandbox.standalone_urls")
def test_standalone_server_answers_json_at_the_root_and_html_pages_stay_html():
    client = Client(raise_request_exception=False)
    assert_json_error(client.get("/rest/v1.0/not_here"), 404)
    assert_json_error(client.put("/oauth/token"), 405)
    page = client.get("/sandbox/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
