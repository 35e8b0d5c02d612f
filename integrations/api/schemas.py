"""``GET /schemas/erp-metadata/v1.json``: our JSON Schema for Procore ERP metadata, published.

Anyone may read it (it holds nothing of a company): integrators validate their documents with it
before loading them (``manage.py metadata --load``, the API), and editors point ``$schema`` at it.
The URL is stable: a change that would refuse a document the schema accepted before gets a new
version (``v2.json``), never an edit of ``v1``. ``$id`` is this deployment's own URL of it.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from integrations.services.metadata import metadata_schema_published


@require_GET
@cache_control(public=True, max_age=3600)
def erp_metadata_schema_v1(request: HttpRequest) -> JsonResponse:
    url = settings.PORTAL_BASE_URL + reverse("erp-metadata-schema-v1")
    return JsonResponse(
        metadata_schema_published(schema_id=url),
        content_type="application/schema+json",
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
