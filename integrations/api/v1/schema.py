"""The OpenAPI schema covers the API for scripts only (not Procore's webhook endpoint)."""

from __future__ import annotations


def only_api_v1(endpoints, **kwargs):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]
