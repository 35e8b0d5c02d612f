"""The endpoint Procore delivers webhooks to: ``POST /webhooks/procore/<company id>/``.

Authenticated by the company's bearer secret, parsed strictly, validated by a serializer that
names the bad field, stored by the webhook service in one transaction, and answered: 200 once
stored (``duplicate`` for a redelivery), 400 for a bad body, 401 for bad credentials, 411 for a
chunked body the server cannot delimit, 413 for a body over 64 KiB, 503 when the database
cannot store it (Procore retries). Chunked bodies are read under gunicorn (``parsers.py``).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.api.authentication import WebhookBearerAuthentication
from integrations.api.parsers import WebhookEventParser, event_payload
from integrations.api.serializers import WebhookEventSerializer
from integrations.services.webhooks import webhook_event_store

logger = logging.getLogger(__name__)


class StorageUnavailable(APIException):
    status_code = 503
    default_detail = "Temporarily unable to store the event; please retry."
    default_code = "unavailable"


class HasWebhookCredentials(BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.auth is not None


class ProcoreWebhookView(APIView):
    authentication_classes = [WebhookBearerAuthentication]
    permission_classes = [HasWebhookCredentials]
    parser_classes = [WebhookEventParser]
    renderer_classes = [JSONRenderer]
    throttle_classes: list = []

    def post(self, request: Request, procore_company_id: str) -> Response:
        credentials = request.auth
        payload = event_payload(request)
        serializer = WebhookEventSerializer(
            data=payload, context={"procore_company_id": credentials.procore_company_id}
        )
        serializer.is_valid(raise_exception=True)
        try:
            receipt = webhook_event_store(
                company_pk=credentials.company_pk,
                event=serializer.validated_data,
                payload=payload,
            )
        except DatabaseError as exc:
            logger.exception(
                "webhook not stored: database unavailable",
                extra={"company_id": credentials.procore_company_id},
            )
            raise StorageUnavailable() from exc
        status = "duplicate" if receipt.duplicate else "stored"
        return Response({"status": status, "event": receipt.event_pk})

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)
        if response.status_code == 503:
            response["Retry-After"] = "5"
        elif response.status_code == 400:
            logger.warning("webhook refused: %s", response.data)
        return response
