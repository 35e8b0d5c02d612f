from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from integrations.api.schemas import erp_metadata_schema_v1
from integrations.api.webhooks import ProcoreWebhookView
from portal.health import healthz

admin.site.site_header = "ERP portal: support"
admin.site.site_title = "ERP portal support"
admin.site.index_title = "Companies, connections and ledgers"
# The index counts dead letters first (integrations/templatetags/console.py).
admin.site.index_template = "admin/integrations/index.html"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Any id reaches the view, so that even a malformed one is answered in JSON (401).
    re_path(
        r"^webhooks/procore/(?P<procore_company_id>[^/]{1,32})/$",
        ProcoreWebhookView.as_view(),
        name="procore-webhook",
    ),
    path("schemas/erp-metadata/v1.json", erp_metadata_schema_v1, name="erp-metadata-schema-v1"),
    path("api/v1/", include("integrations.api.v1.urls")),
    path("admin/", admin.site.urls),
    # The self-service portal for the members of each company (selfservice/urls.py).
    path("", include("selfservice.urls")),
]

if settings.PROCORE_SANDBOX_ENABLED:  # the local Procore, for live-server tests (docs/sandbox.md)
    urlpatterns.append(path("procore-sandbox/", include("procore_sandbox.urls")))
