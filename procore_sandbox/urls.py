"""The sandbox's URL space: Procore's API at the root (``oauth/token``, ``rest/v1.0/…``) and the
pages under ``sandbox/``. Include it with the ``procore_sandbox`` namespace: at the root by the
standalone server (``standalone_urls``), under ``procore-sandbox/`` by the portal in tests."""

from __future__ import annotations

from django.urls import include, path
from django.views.generic import RedirectView

from procore_sandbox.api.urls import urlpatterns as api_urlpatterns

app_name = "procore_sandbox"

urlpatterns = [
    *api_urlpatterns,
    path("sandbox/", include("procore_sandbox.web.urls")),
    path("", RedirectView.as_view(pattern_name="procore_sandbox:home"), name="root"),
]
