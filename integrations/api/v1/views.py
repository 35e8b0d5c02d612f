"""The API's views: each resolves the company through ``selectors.memberships`` first (404 for
anyone else's), reads through the selectors and acts through the services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.api.v1 import serializers as s
from integrations.api.v1.authentication import ApiTokenAuthentication
from integrations.models import Company, CompanyMembership, ERPRequest, MetadataConfig
from integrations.selectors.api_tokens import api_tokens_of_user
from integrations.selectors.memberships import companies_for_user, company_for_user
from integrations.selectors.metadata import (
    metadata_config_in_procore,
    metadata_config_of_company,
    metadata_configs_of_company,
)
from integrations.selectors.self_service import (
    company_health,
    erp_requests_of_company,
    object_links_of_company,
    sync_runs_of_company,
)
from integrations.services.api_tokens import api_token_revoke
from integrations.services.metadata_publishing import metadata_config_publish
from integrations.services.self_service import (
    ActionRefused,
    erp_request_retry_requested,
    sync_run_requested,
)

ADMIN = CompanyMembership.Role.ADMIN


class NewestFirst(CursorPagination):
    """Stable pages on tables of millions of rows (no COUNT, no OFFSET)."""

    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ApiView(APIView):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def company(self) -> Company:
        """The company of the URL, if the user is one of its members; else 404."""
        if not hasattr(self, "_company"):
            self._company = company_for_user(self.request.user, self.kwargs["company_id"])
        return self._company

    def company_as_admin(self) -> Company:
        """As ``company()``, and only for its company admins (403 for a viewer)."""
        company = self.company()
        if not companies_for_user(self.request.user, role=ADMIN).filter(pk=company.pk).exists():
            raise PermissionDenied("Only a company admin of this company can do this.")
        return company


class ApiListView(ApiView, generics.ListAPIView):
    pagination_class = NewestFirst


def _refused(exc: ActionRefused) -> Response:
    return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)


# -- Companies -------------------------------------------------------------------------------


class CompanyList(ApiListView):
    """The companies this token's user belongs to, with the user's role in each."""

    serializer_class = s.CompanySerializer

    def get_queryset(self) -> QuerySet[Company]:
        return companies_for_user(self.request.user)

    def get_serializer_context(self):
        roles = dict(
            CompanyMembership.objects.filter(user=self.request.user).values_list(
                "company_id", "role"
            )
        )
        return {**super().get_serializer_context(), "roles": roles}


class CompanyHealthView(ApiView):
    """Connection health on both sides (Procore and the ERP), and the last event received."""

    @extend_schema(responses=s.CompanyHealthSerializer)
    def get(self, request: Request, company_id: int) -> Response:
        return Response(s.CompanyHealthSerializer(company_health(company=self.company())).data)


# -- ERP requests ----------------------------------------------------------------------------


class ERPRequestList(ApiListView):
    """The company's ERP requests (exports and syncs Procore asked for), newest first."""

    serializer_class = s.ERPRequestSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("state", description="e.g. failed, dead, succeeded"),
            OpenApiParameter("request_name", description="e.g. create_vendor"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ERPRequest]:
        params = self.request.query_params
        return erp_requests_of_company(
            company=self.company(),
            state=params.get("state", ""),
            request_name=params.get("request_name", ""),
        )


class ERPRequestDetailView(ApiView, generics.RetrieveAPIView):
    serializer_class = s.ERPRequestFullSerializer
    lookup_url_kwarg = "request_id"

    def get_queryset(self) -> QuerySet[ERPRequest]:
        return erp_requests_of_company(company=self.company()).prefetch_related("details")


class ERPRequestRetry(ApiView):
    """Run a failed request again from the start (company admins)."""

    @extend_schema(request=None, responses={202: s.ERPRequestSerializer, 409: s.ProblemSerializer})
    def post(self, request: Request, company_id: int, request_id: int) -> Response:
        company = self.company()
        erp_request = erp_requests_of_company(company=company).filter(pk=request_id).first()
        if erp_request is None:
            raise Http404("No such request.")
        company = self.company_as_admin()
        try:
            retried = erp_request_retry_requested(
                company=company, erp_request=erp_request, actor=request.user
            )
        except ActionRefused as exc:
            return _refused(exc)
        return Response(s.ERPRequestSerializer(retried).data, status=status.HTTP_202_ACCEPTED)


# -- Import runs -----------------------------------------------------------------------------


class SyncRunList(ApiListView):
    """Import runs, newest first (``progress_done``/``progress_total`` while one runs); POST
    runs an import now (company admins)."""

    serializer_class = s.SyncRunSerializer

    def get_queryset(self):
        params = self.request.query_params
        return sync_runs_of_company(
            company=self.company(),
            entity=params.get("entity", ""),
            state=params.get("state", ""),
        )

    @extend_schema(
        request=s.SyncRunRequestSerializer,
        responses={202: s.SyncRunSerializer, 409: s.ProblemSerializer},
    )
    def post(self, request: Request, company_id: int) -> Response:
        company = self.company_as_admin()
        asked = s.SyncRunRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        try:
            run = sync_run_requested(
                company=company, entity=asked.validated_data["entity"], actor=request.user
            )
        except ActionRefused as exc:
            return _refused(exc)
        return Response(s.SyncRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class SyncRunDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = s.SyncRunSerializer
    lookup_url_kwarg = "run_id"

    def get_queryset(self):
        return sync_runs_of_company(company=self.company())


# -- Objects ---------------------------------------------------------------------------------


class ObjectLinkList(ApiListView):
    """Objects the portal keeps in step (vendors, cost codes, …) and their state."""

    serializer_class = s.ObjectLinkSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("item_type", description="e.g. vendor"),
            OpenApiParameter("state", description="e.g. synced, staged, failed"),
            OpenApiParameter("search", description="part of the ERP code or id, any case"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return object_links_of_company(
            company=self.company(),
            item_type=params.get("item_type", ""),
            state=params.get("state", ""),
            search=params.get("search", "").strip(),
        )


class ObjectLinkDetail(ApiView, generics.RetrieveAPIView):
    serializer_class = s.ObjectLinkSerializer
    lookup_url_kwarg = "object_id"

    def get_queryset(self):
        return object_links_of_company(company=self.company())


# -- Metadata --------------------------------------------------------------------------------


class MetadataMixin:
    def get_serializer_context(self):
        in_procore = metadata_config_in_procore(company=self.company())
        return {
            **super().get_serializer_context(),
            "in_procore_pk": getattr(in_procore, "pk", None),
        }


class MetadataVersionList(MetadataMixin, ApiView, generics.ListAPIView):
    """The company's metadata versions, newest first, and which one Procore holds."""

    serializer_class = s.MetadataVersionSerializer

    def get_queryset(self):
        return metadata_configs_of_company(company=self.company())


class MetadataVersionDetail(MetadataMixin, ApiView, generics.RetrieveAPIView):
    serializer_class = s.MetadataVersionFullSerializer

    def get_object(self) -> MetadataConfig:
        config = metadata_config_of_company(company=self.company(), version=self.kwargs["version"])
        if config is None:
            raise Http404("No such version.")
        return config


class MetadataPublish(ApiView):
    """Push this version to Procore now (company admins)."""

    @extend_schema(
        request=None, responses={200: s.PublishResultSerializer, 409: s.ProblemSerializer}
    )
    def post(self, request: Request, company_id: int, version: int) -> Response:
        config = metadata_config_of_company(company=self.company(), version=version)
        if config is None:
            raise Http404("No such version.")
        company = self.company_as_admin()
        result = metadata_config_publish(company=company, config=config, actor=request.user)
        if not result.ok:
            return Response({"detail": result.message}, status=status.HTTP_409_CONFLICT)
        return Response(
            {
                "message": result.message,
                "version": s.MetadataVersionSerializer(
                    result.config, context={"in_procore_pk": result.config.pk}
                ).data,
            }
        )


# -- The user's own tokens -------------------------------------------------------------------


class ApiTokenList(ApiListView):
    """This user's API tokens (never their text: it is shown once, when created)."""

    serializer_class = s.ApiTokenSerializer

    def get_queryset(self):
        return api_tokens_of_user(user=self.request.user)


class ApiTokenRevoke(ApiView):
    """Revoke one of this user's tokens (this one too: the next call with it is refused)."""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        token = api_tokens_of_user(user=request.user).filter(pk=token_id).first()
        if token is None:
            raise Http404("No such token.")
        api_token_revoke(token=token, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
