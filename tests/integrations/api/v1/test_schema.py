"""The OpenAPI schema of the API for scripts validates, and its docs run offline."""

from __future__ import annotations

import re

import yaml
from django.core.management import call_command


def test_the_openapi_schema_validates_without_a_warning(tmp_path):
    out = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    paths = set(schema["paths"])
    assert "/api/v1/companies/{company_id}/requests/{request_id}/retry/" in paths
    assert not any(path.startswith("/webhooks/") for path in paths)


def test_the_docs_pages_load_their_assets_from_this_server(client):
    for page in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
        assets += re.findall(r'"(/static/[^"]+\.js)"', html)
        assert assets, page
        assert all(asset.startswith("/static/") for asset in assets), assets
    assert client.get("/api/v1/schema/").status_code == 200
