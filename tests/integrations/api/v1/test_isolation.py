"""A user of company A gets 404 for anything of company B, on every endpoint of the API and with
every method it answers, whether B is named by the URL's company or only by an object's id."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver, reverse

from tests.integrations.api.v1.conftest import api

# Endpoints that name no company and hold none of its data.
PUBLIC = {"schema", "docs", "redoc"}
# Lists of the caller's own things: checked below to hold nothing of B.
OWN_LISTS = {"companies", "tokens"}


def api_endpoints() -> list[tuple[str, str, frozenset[str]]]:
    """(name, method, URL kwargs) of every endpoint under /api/v1/, from the URL conf itself."""
    resolver = get_resolver().namespace_dict["api-v1"][1]
    found = []
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        view = pattern.callback.view_class
        methods = [m.upper() for m in view.http_method_names if hasattr(view, m)]
        for method in methods:
            if method in ("OPTIONS", "HEAD"):
                continue
            found.append((pattern.name, method, frozenset(pattern.pattern.converters)))
    return found


ENDPOINTS = api_endpoints()
GUARDED = [(n, m, k) for n, m, k in ENDPOINTS if n not in PUBLIC | OWN_LISTS]


def test_every_endpoint_is_covered():
    names = {name for name, _, _ in ENDPOINTS}
    assert names == {name for name, _, _ in GUARDED} | PUBLIC | OWN_LISTS
    assert {"requests", "request-retry", "runs", "objects", "health", "metadata-publish"} <= names
    assert ("runs", "POST", frozenset({"company_id"})) in ENDPOINTS  # run an import


def _kwargs(keys, *, company, other) -> dict:
    values = {
        "company_id": company.company.pk,
        "request_id": other.request.pk,
        "run_id": other.run.pk,
        "object_id": other.link.pk,
        "version": 3,  # B has versions 1 to 3, A only 1
        "token_id": other.token_row.pk,
    }
    return {key: values[key] for key in keys}


def _call(client, method: str, url: str):
    return getattr(client, method.lower())(url, {"entity": "vendors"}, format="json")


@pytest.mark.parametrize("name, method, keys", GUARDED, ids=[f"{m} {n}" for n, m, _ in GUARDED])
def test_company_b_by_its_url_is_404_for_a_user_of_company_a(
    name, method, keys, tenant_a, tenant_b
):
    url = reverse(f"api-v1:{name}", kwargs=_kwargs(keys, company=tenant_b, other=tenant_b))
    response = _call(api(tenant_a.admin_token), method, url)
    assert response.status_code == 404, (url, response.status_code, response.content)


@pytest.mark.parametrize(
    "name, method, keys",
    [e for e in GUARDED if len(e[2]) > 1 or "token_id" in e[2]],
    ids=[f"{m} {n}" for n, m, k in GUARDED if len(k) > 1 or "token_id" in k],
)
def test_an_object_of_company_b_under_company_as_url_is_404(name, method, keys, tenant_a, tenant_b):
    url = reverse(f"api-v1:{name}", kwargs=_kwargs(keys, company=tenant_a, other=tenant_b))
    response = _call(api(tenant_a.admin_token), method, url)
    assert response.status_code == 404, (url, response.status_code, response.content)


def test_the_users_own_lists_hold_nothing_of_company_b(tenant_a, tenant_b):
    client = api(tenant_a.admin_token)
    companies = client.get(reverse("api-v1:companies")).json()["results"]
    assert [c["id"] for c in companies] == [tenant_a.company.pk]
    assert companies[0]["role"] == "admin"
    tokens = client.get(reverse("api-v1:tokens")).json()["results"]
    assert [t["id"] for t in tokens] == [tenant_a.token_row.pk]


def test_without_a_token_every_guarded_endpoint_is_401(tenant_b):
    for name, method, keys in GUARDED + [(n, "GET", frozenset()) for n in OWN_LISTS]:
        url = reverse(f"api-v1:{name}", kwargs=_kwargs(keys, company=tenant_b, other=tenant_b))
        response = _call(api(), method, url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
