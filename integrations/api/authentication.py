"""Procore authenticates each webhook delivery with the company's bearer secret."""

from __future__ import annotations

import hmac

from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from integrations.selectors.webhooks import WebhookCredentials, webhook_credentials

FAILED = "Invalid or missing credentials."
# Compared against when the company is unknown, so that the answer takes the same time.
_DECOYS = ("x" * 43, "y" * 43)


class WebhookBearerAuthentication(BaseAuthentication):
    """The company comes from the URL; its bearer secret from ``Authorization: Bearer …``.

    The presented secret is compared in constant time with both accepted secrets (current and
    previous, so a rotation needs no downtime), always both, and against decoys when the company
    is unknown: an unknown company, a missing header and a wrong secret give the same 401 in the
    same time. ``request.auth`` is the company's :class:`WebhookCredentials`.
    """

    def authenticate(self, request: Request) -> tuple[None, WebhookCredentials]:
        raw_id = str(request.parser_context["kwargs"].get("procore_company_id", ""))
        company_id = int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None
        credentials = (
            webhook_credentials(procore_company_id=company_id)
            if company_id is not None and 0 < company_id < 2**63
            else None
        )
        scheme, _, presented = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        real = tuple(credentials.secrets if credentials is not None else ())[:2]
        # Always two comparisons; only a match against one of the company's own secrets counts,
        # never one against a decoy that pads the pair.
        matched = False
        for index, secret in enumerate((*real, *_DECOYS)[:2]):
            equal = hmac.compare_digest(presented.strip().encode(), secret.encode())
            matched |= equal and index < len(real)
        if credentials is None or not matched or scheme.lower() != "bearer":
            raise AuthenticationFailed(FAILED)
        return (None, credentials)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="procore-webhooks"'
