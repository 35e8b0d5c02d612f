"""The sandbox's URLs reverse both where the portal mounts it and where it runs alone."""

from __future__ import annotations

import importlib

import pytest
from django.test import override_settings
from django.urls import Resolver404, clear_url_caches, resolve, reverse


def test_mounted_under_the_portals_prefix():
    assert reverse("procore_sandbox:oauth_token") == "/procore-sandbox/oauth/token"
    assert reverse("procore_sandbox:home") == "/procore-sandbox/sandbox/"
    assert (
        reverse("procore_sandbox:api_erp_request", args=[4300000001, 7])
        == "/procore-sandbox/rest/v1.0/companies/4300000001/erp_requests/7"
    )


@override_settings(ROOT_URLCONF="procore_sandbox.standalone_urls")
def test_at_the_root_when_standalone():
    assert reverse("procore_sandbox:oauth_token") == "/oauth/token"
    assert reverse("procore_sandbox:home") == "/sandbox/"
    assert resolve("/rest/v1.0/vendors/sync").url_name == "api_vendors_sync"


def test_not_mounted_when_disabled(settings):
    import portal.urls

    settings.PROCORE_SANDBOX_ENABLED = False
    try:
        importlib.reload(portal.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/procore-sandbox/oauth/token")
    finally:
        settings.PROCORE_SANDBOX_ENABLED = True
        importlib.reload(portal.urls)
        clear_url_caches()
    assert resolve("/procore-sandbox/oauth/token").url_name == "oauth_token"
