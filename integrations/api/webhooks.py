"""The endpoint Procore delivers webhooks to: ``POST /webhooks/procore/<company id>/``.

The view only translates HTTP to the webhook service and back; see services/webhooks.py.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.utils.decorators import method_decorator
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from integrations.services.webhooks import (
    MAX_BODY_BYTES,
    WebhookRejected,
    webhook_authenticate,
    webhook_parse,
    webhook_receive,
)

logger = logging.getLogger(__name__)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ProcoreWebhookView(APIView):
    """Never wrapped in a request transaction (ATOMIC_REQUESTS): the deliveries of other threads
    that this request stores with its own must be committed when their answers go out."""

    # The secret in the URL's company is the authentication (services/webhooks.py).
    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    renderer_classes = [JSONRenderer]
    receive = staticmethod(webhook_receive)  # bench/urls_webhook.py measures the view without it

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[JSONRenderer, str]:
        """Procore reads only the status code, and the answer is always JSON: skip parsing
        the Accept header, a measurable share of the endpoint's CPU under load."""
        return JSONRenderer(), JSONRenderer.media_type

    def post(self, request: Request, procore_company_id: int) -> Response:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            return Response({"detail": f"Body is larger than {MAX_BODY_BYTES} bytes."}, status=413)
        try:
            credentials = webhook_authenticate(
                procore_company_id=procore_company_id,
                authorization=request.META.get("HTTP_AUTHORIZATION", ""),
            )
            delivery = webhook_parse(body=request.body, credentials=credentials)
            receipt = self.receive(delivery)
        except WebhookRejected as rejected:
            if rejected.status != 401:
                logger.warning(
                    "webhook rejected: %s",
                    rejected.message,
                    extra={"company_id": procore_company_id},
                )
            return Response({"detail": rejected.message}, status=rejected.status)
        except DatabaseError:
            logger.exception("webhook not stored: database unavailable")
            return Response(
                {"detail": "Temporarily unable to store the event; please retry."},
                status=503,
                headers={"Retry-After": "5"},
            )
        return Response(
            {"status": "duplicate" if receipt.duplicate else "stored", "event": receipt.event_pk},
            status=200,
        )
