"""ROOT_URLCONF of ``manage.py procore_sandbox``: the sandbox alone, at the root, like Procore's
own hosts (``http://127.0.0.1:8001/oauth/token``, ``…/rest/v1.0/…``, ``…/sandbox/``)."""

from django.urls import include, path

urlpatterns = [path("", include("procore_sandbox.urls", namespace="procore_sandbox"))]
