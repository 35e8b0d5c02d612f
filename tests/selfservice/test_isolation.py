"""Isolation without a browser: every URL pattern of the portal, visited as a member of another
company, answers 404; anonymous visitors are sent to sign in.

The patterns are read from the URL resolver, so a page added later is visited too: a company
page must be declared here only if it takes an object's ``pk`` (which object of company B to
aim at), and a page outside ``c/<company_id>/`` must be named in PUBLIC_PAGES.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.selfservice.conftest import member, sign_in, totp_device

pytestmark = pytest.mark.django_db

# Pages that are not a company's (signing in, the list of one's own companies, one's tokens).
PUBLIC_PAGES = {
    "home",
    "login",
    "logout",
    "two-factor",
    "two-factor-setup",
    "password-reset",
    "password-reset-done",
    "password-reset-confirm",
    "password-reset-complete",
    "api-tokens",  # the user's own tokens: tests/selfservice/views/test_api_tokens.py
    "api-token-revoke",
}
# For pages that name an object: which object of a company world they aim at.
OBJECT_OF = {
    "retry-request": lambda world: world.failed.pk,
    "run": lambda world: world.run.pk,
    "run-progress": lambda world: world.run.pk,
}


def portal_patterns() -> list[tuple[str, URLPattern]]:
    """(name, pattern) of every URL pattern in the selfservice namespace."""
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, entry.namespace or namespace)
            elif namespace == "selfservice":
                found.append((entry.name, entry))

    walk(get_resolver().url_patterns, None)
    return found


def company_patterns() -> list[tuple[str, URLPattern]]:
    return [(n, p) for n, p in portal_patterns() if "company_id" in p.pattern.converters]


COMPANY_PAGES = [name for name, _ in company_patterns()]


def test_the_portal_has_the_expected_kinds_of_pages():
    names = {name for name, _ in portal_patterns()}
    assert {
        "dashboard",
        "errors",
        "retry-request",
        "runs",
        "run-progress",
        "members",
        "metadata",
    } <= names
    outside = names - set(COMPANY_PAGES) - PUBLIC_PAGES
    assert not outside, f"pages neither public nor under c/<company_id>/: {sorted(outside)}"


@pytest.mark.parametrize("name", COMPANY_PAGES)
def test_every_company_page_goes_through_the_membership_check(name):
    pattern = dict(company_patterns())[name]
    assert getattr(pattern.callback, "company_page", False), (
        f"{name} is not decorated with selfservice.access.company_page"
    )


def _url(name: str, company_id: int, world) -> str:
    pattern = dict(company_patterns())[name]
    kwargs = {"company_id": company_id}
    if "pk" in pattern.pattern.converters:
        assert name in OBJECT_OF, f"say which object {name} aims at in OBJECT_OF"
        kwargs["pk"] = OBJECT_OF[name](world)
    return reverse(f"selfservice:{name}", kwargs=kwargs)


@pytest.mark.parametrize("name", COMPANY_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_member_of_company_a_gets_404_for_every_page_of_company_b(
    client, world_a, world_b, name, method
):
    admin = member(world_a.company, "admin", "alice-a")
    sign_in(client, admin, verified_with=totp_device(admin))

    response = getattr(client, method)(_url(name, world_b.company.pk, world_b))
    assert response.status_code in (404, 405), response.status_code
    if response.status_code == 405:  # a GET-only or POST-only page: the other method
        assert (
            getattr(client, "post" if method == "get" else "get")(
                _url(name, world_b.company.pk, world_b)
            ).status_code
            == 404
        )


@pytest.mark.parametrize("name", [n for n in COMPANY_PAGES if n in OBJECT_OF])
def test_company_b_objects_are_404_under_company_a_too(client, world_a, world_b, name):
    """A's own company id with an object of B in the URL: the object is not found."""
    admin = member(world_a.company, "admin", "alice-a")
    sign_in(client, admin, verified_with=totp_device(admin))
    url = _url(name, world_a.company.pk, world_b)
    method = "post" if name == "retry-request" else "get"
    assert getattr(client, method)(url).status_code == 404
    world_b.failed.refresh_from_db()
    assert world_b.failed.state == "failed"  # the retry of B's request did not happen


@pytest.mark.parametrize("name", COMPANY_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, world_b, name):
    url = _url(name, world_b.company.pk, world_b)
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("selfservice:login") + "?next=")


def test_a_company_that_does_not_exist_looks_the_same_as_another_companys(client, world_a, world_b):
    viewer = member(world_a.company, "viewer", "vic-a")
    sign_in(client, viewer)
    other = client.get(reverse("selfservice:dashboard", args=[world_b.company.pk]))
    missing = client.get(reverse("selfservice:dashboard", args=[world_b.company.pk + 1000]))
    assert other.status_code == missing.status_code == 404

    def without_csrf(body: bytes) -> str:  # the sign-out form's token differs per page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())

    assert without_csrf(other.content) == without_csrf(missing.content)
    assert "belongs to a company your account is not a member of" in without_csrf(other.content)
