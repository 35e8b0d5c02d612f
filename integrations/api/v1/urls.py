"""``/api/v1/``: the API for scripts, its OpenAPI schema and its docs (assets served locally)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from integrations.api.v1 import views

app_name = "api-v1"

company = "companies/<int:company_id>/"
urlpatterns = [
    path("companies/", views.CompanyList.as_view(), name="companies"),
    path(f"{company}health/", views.CompanyHealthView.as_view(), name="health"),
    path(f"{company}requests/", views.ERPRequestList.as_view(), name="requests"),
    path(
        f"{company}requests/<int:request_id>/", views.ERPRequestDetailView.as_view(), name="request"
    ),
    path(
        f"{company}requests/<int:request_id>/retry/",
        views.ERPRequestRetry.as_view(),
        name="request-retry",
    ),
    path(f"{company}runs/", views.SyncRunList.as_view(), name="runs"),
    path(f"{company}runs/<int:run_id>/", views.SyncRunDetail.as_view(), name="run"),
    path(f"{company}objects/", views.ObjectLinkList.as_view(), name="objects"),
    path(f"{company}objects/<int:object_id>/", views.ObjectLinkDetail.as_view(), name="object"),
    path(f"{company}metadata/", views.MetadataVersionList.as_view(), name="metadata"),
    path(
        f"{company}metadata/<int:version>/",
        views.MetadataVersionDetail.as_view(),
        name="metadata-version",
    ),
    path(
        f"{company}metadata/<int:version>/publish/",
        views.MetadataPublish.as_view(),
        name="metadata-publish",
    ),
    path("tokens/", views.ApiTokenList.as_view(), name="tokens"),
    path("tokens/<int:token_id>/", views.ApiTokenRevoke.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-v1:schema"), name="redoc"),
]
