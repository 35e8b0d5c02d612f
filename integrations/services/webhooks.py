"""Receiving Procore's webhook deliveries: authenticate, persist, acknowledge.

Persist, then acknowledge: the delivery is one row in the ledger (unique per company on its
ULID, else its id) plus the ERP request it names; the work is enqueued after commit, and no
network call to Procore happens while Procore waits for our answer.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from integrations.models import Company, ERPRequest, NotificationEvent
from integrations.services.inserts import insert_if_absent

logger = logging.getLogger(__name__)

ERP_RESOURCE_NAME = "ERP Requests"
MAX_BODY_BYTES = 64 * 1024
SUPPORTED_API_VERSIONS = {"v2", "v2.0", "v3.0"}  # procore-erp-api.md §i
REQUIRED_FIELDS = ("company_id", "resource_name", "resource_id", "event_type")


class WebhookRejected(Exception):
    """The delivery cannot be accepted; ``status`` is the HTTP answer Procore gets."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


UNAUTHORIZED = WebhookRejected(401, "Invalid or missing credentials.")


@dataclass(frozen=True)
class WebhookReceipt:
    event: NotificationEvent
    duplicate: bool
    enqueued: bool


@dataclass(frozen=True)
class WebhookCredentials:
    """What the endpoint needs to know of a company, cached briefly per process."""

    company_pk: int
    procore_company_id: int
    secrets: tuple[str, ...]
    expires: float


_CREDENTIALS: dict[int, WebhookCredentials] = {}
CREDENTIALS_TTL_SECONDS = 10.0


def _load_credentials(procore_company_id: int) -> WebhookCredentials | None:
    cached = _CREDENTIALS.get(procore_company_id)
    now = time.monotonic()
    if cached is not None and cached.expires > now:
        return cached
    company = (
        Company.objects.select_related("connection")
        .filter(procore_company_id=procore_company_id, is_active=True)
        .first()
    )
    connection = getattr(company, "connection", None) if company else None
    if connection is None:
        _CREDENTIALS.pop(procore_company_id, None)
        return None
    credentials = WebhookCredentials(
        company_pk=company.pk,
        procore_company_id=procore_company_id,
        secrets=tuple(
            s for s in (connection.webhook_secret, connection.webhook_secret_previous) if s
        ),
        expires=now + CREDENTIALS_TTL_SECONDS,
    )
    _CREDENTIALS[procore_company_id] = credentials
    return credentials


def webhook_credentials_forget(procore_company_id: int | None = None) -> None:
    """Drop cached credentials (on a secret rotation or deactivation in this process)."""
    if procore_company_id is None:
        _CREDENTIALS.clear()
    else:
        _CREDENTIALS.pop(procore_company_id, None)


def webhook_authenticate(*, procore_company_id: int, authorization: str) -> WebhookCredentials:
    """The company whose bearer secret matches, compared in constant time against both slots.

    Unknown company, missing header and wrong secret all raise the same 401, so the answer says
    nothing about which companies exist. Credentials are cached for a few seconds per process:
    the endpoint takes thousands of deliveries a second, and a rotation keeps the old secret
    valid in the second slot anyway.
    """
    credentials = _load_credentials(procore_company_id)
    scheme, _, presented = authorization.partition(" ")
    if credentials is None or scheme.lower() != "bearer" or not presented:
        # Spend the same comparison time as a real check before refusing.
        hmac.compare_digest(presented.encode(), b"x" * max(len(presented), 1))
        raise UNAUTHORIZED
    matched = False
    for secret in credentials.secrets:
        if hmac.compare_digest(presented.encode(), secret.encode()):
            matched = True
    if not matched:
        raise UNAUTHORIZED
    return credentials


def webhook_parse(*, body: bytes, credentials: WebhookCredentials) -> dict[str, Any]:
    """Check that the body is a Procore v2/v3 event for this company; 400 with the reason if not."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRejected(413, f"Body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected(400, "Body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise WebhookRejected(400, "Body must be a JSON object.")
    missing = [name for name in REQUIRED_FIELDS if payload.get(name) in (None, "")]
    if payload.get("ulid") in (None, "") and payload.get("id") in (None, ""):
        missing.append("ulid or id")
    if missing:
        raise WebhookRejected(400, f"Missing fields: {', '.join(missing)}.")
    version = str(payload.get("api_version") or "v2.0")
    if version not in SUPPORTED_API_VERSIONS:
        raise WebhookRejected(
            400, f"Unsupported api_version {version!r}; the hook must deliver v2 payloads."
        )
    try:
        company_id = int(payload["company_id"])
        resource_id = int(payload["resource_id"])
        event_id = int(payload["id"]) if payload.get("id") not in (None, "") else None
    except (TypeError, ValueError):
        raise WebhookRejected(400, "company_id, resource_id and id must be integers.") from None
    if company_id != credentials.procore_company_id:
        raise WebhookRejected(400, "company_id does not match this endpoint's company.")
    ulid = str(payload.get("ulid") or "")
    if len(ulid) > 26:
        raise WebhookRejected(400, "ulid is longer than 26 characters.")
    payload["_parsed"] = {"resource_id": resource_id, "event_id": event_id, "ulid": ulid}
    return payload


def webhook_receive(*, credentials: WebhookCredentials, payload: dict[str, Any]) -> WebhookReceipt:
    """Store the event once and find or create its ERP request; enqueue processing on commit.

    A duplicate delivery implies its ERP request exists already, so it changes nothing.
    """
    parsed = payload.pop("_parsed")
    ulid, event_id, resource_id = parsed["ulid"], parsed["event_id"], parsed["resource_id"]
    company_pk = credentials.company_pk
    dedupe_key = ulid or f"id:{event_id}"
    is_erp = payload["resource_name"] == ERP_RESOURCE_NAME
    with transaction.atomic():
        request_pk = None
        request_created = False
        if is_erp:
            request_pk = insert_if_absent(
                ERPRequest(company_id=company_pk, procore_request_id=resource_id)
            )
            request_created = request_pk is not None
            if not request_created:
                request_pk = (
                    ERPRequest.objects.filter(company_id=company_pk, procore_request_id=resource_id)
                    .values_list("pk", flat=True)
                    .get()
                )
        event = NotificationEvent(
            company_id=company_pk,
            dedupe_key=dedupe_key,
            event_id=event_id,
            ulid=ulid,
            resource_name=str(payload["resource_name"])[:100],
            resource_id=resource_id,
            event_type=str(payload["event_type"])[:32],
            api_version=str(payload.get("api_version") or "")[:16],
            payload=payload,
            erp_request_id=request_pk,
            state=NotificationEvent.State.RECEIVED if is_erp else NotificationEvent.State.IGNORED,
        )
        if insert_if_absent(event) is None:
            existing = NotificationEvent.objects.get(company_id=company_pk, dedupe_key=dedupe_key)
            return WebhookReceipt(event=existing, duplicate=True, enqueued=False)
        if request_created:
            from integrations.tasks import enqueue_erp_request

            transaction.on_commit(lambda: enqueue_erp_request(request_pk))
    logger.debug(
        "webhook stored",
        extra={
            "company_id": credentials.procore_company_id,
            "erp_request_id": resource_id if is_erp else None,
        },
    )
    return WebhookReceipt(event=event, duplicate=False, enqueued=request_created)


def _forget_on_change(sender: type, instance: Any, **kwargs: Any) -> None:
    company = instance if isinstance(instance, Company) else getattr(instance, "company", None)
    if company is not None:
        webhook_credentials_forget(company.procore_company_id)
