from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

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
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]

if settings.PROCORE_SANDBOX_ENABLED:  # the local Procore, for live-server tests (docs/sandbox.md)
    urlpatterns.append(path("procore-sandbox/", include("procore_sandbox.urls")))
