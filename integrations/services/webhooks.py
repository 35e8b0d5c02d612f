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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DataError, IntegrityError, transaction

from integrations.models import Company, ERPRequest, NotificationEvent
from integrations.services.group_commit import GroupCommit
from integrations.services.inserts import insert_rows_if_absent, stored_pks

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
    event_pk: int
    duplicate: bool


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


BIGINT_RANGE = range(-(2**63), 2**63)


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


@dataclass(frozen=True)
class Delivery:
    """One accepted delivery, ready to be stored: the columns of its ledger row."""

    company_pk: int
    dedupe_key: str
    event_id: int | None
    ulid: str
    resource_name: str
    resource_id: int
    event_type: str
    api_version: str
    body: str  # stored as received, in the JSON column

    @property
    def is_erp_request(self) -> bool:
        return self.resource_name == ERP_RESOURCE_NAME

    @property
    def event_key(self) -> tuple[int, str]:
        return (self.company_pk, self.dedupe_key)

    @property
    def request_key(self) -> tuple[int, int]:
        return (self.company_pk, self.resource_id)


def webhook_parse(*, body: bytes, credentials: WebhookCredentials) -> Delivery:
    """Check that the body is a Procore v2/v3 event for this company; 400 with the reason if not."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRejected(413, f"Body is larger than {MAX_BODY_BYTES} bytes.")
    try:
        text = body.decode("utf-8")
        payload = json.loads(text, parse_constant=_no_constants)
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
    if resource_id not in BIGINT_RANGE or (event_id is not None and event_id not in BIGINT_RANGE):
        raise WebhookRejected(400, "resource_id and id must fit in 64 bits.")
    if company_id != credentials.procore_company_id:
        raise WebhookRejected(400, "company_id does not match this endpoint's company.")
    ulid = str(payload.get("ulid") or "")
    if len(ulid) > 26:
        raise WebhookRejected(400, "ulid is longer than 26 characters.")
    return Delivery(
        company_pk=credentials.company_pk,
        dedupe_key=ulid or f"id:{event_id}",
        event_id=event_id,
        ulid=ulid,
        resource_name=str(payload["resource_name"])[:100],
        resource_id=resource_id,
        event_type=str(payload["event_type"])[:32],
        api_version=str(payload.get("api_version") or "")[:16],
        body=text,
    )


def webhook_receive(delivery: Delivery) -> WebhookReceipt:
    """Store the event once and find or create its ERP request; enqueue processing on commit.

    The deliveries that this process's threads receive at the same moment are stored together
    (``group_commit.py``); each answer still waits for the commit that holds its own event.
    """
    return _INGEST.submit(delivery)


def webhook_store(deliveries: Sequence[Delivery]) -> list[WebhookReceipt | WebhookRejected]:
    """Store a batch of deliveries in one transaction; one receipt per delivery, in order.

    If the database refuses the batch's data (a payload that is valid JSON to Python but not to
    PostgreSQL, say), each delivery is stored on its own, so that only the bad one is refused.
    """
    try:
        return list(_store_batch(deliveries))
    except (DataError, IntegrityError) as error:
        if len(deliveries) > 1:
            return [outcome for d in deliveries for outcome in webhook_store([d])]
        logger.warning("webhook not storable: %s", error)
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        return [WebhookRejected(400, f"The event cannot be stored: {reason}")]


def _store_batch(deliveries: Sequence[Delivery]) -> list[WebhookReceipt]:
    """Per batch, whatever its size: one INSERT for the ERP requests and one for the events
    (each ON CONFLICT DO NOTHING, rows sorted by their unique key so that two processes'
    batches always take keys in the same order), a SELECT only for keys already stored, and
    one enqueue after commit for the ERP requests that are new. A duplicate delivery implies
    that its ERP request exists already, so it changes nothing.
    """
    first: dict[tuple[int, str], Delivery] = {}
    for delivery in deliveries:
        first.setdefault(delivery.event_key, delivery)
    received, ignored = NotificationEvent.State.RECEIVED, NotificationEvent.State.IGNORED
    with transaction.atomic():
        request_pks, created = _erp_requests_for(deliveries)
        rows = [
            (
                d.company_pk,
                d.dedupe_key,
                d.event_id,
                d.ulid,
                d.resource_name,
                d.resource_id,
                d.event_type,
                d.api_version,
                d.body,
                request_pks[d.request_key] if d.is_erp_request else None,
                received if d.is_erp_request else ignored,
            )
            for _, d in sorted(first.items())
        ]
        stored = {
            (company_pk, key): pk
            for pk, company_pk, key in insert_rows_if_absent(
                NotificationEvent,
                columns=EVENT_COLUMNS,
                rows=rows,
                unique=("company", "dedupe_key"),
                returning=("id", "company", "dedupe_key"),
            )
        }
        existing = stored_pks(
            NotificationEvent,
            scope="company",
            key="dedupe_key",
            keys=[k for k in first if k not in stored],
        )
        if created:
            from integrations.tasks import enqueue_erp_requests

            new_requests = sorted(created)
            transaction.on_commit(lambda: enqueue_erp_requests(new_requests))
    receipts: list[WebhookReceipt] = []
    seen: set[tuple[int, str]] = set()
    for delivery in deliveries:
        key = delivery.event_key
        receipts.append(
            WebhookReceipt(
                event_pk=stored[key] if key in stored else existing[key],
                duplicate=key not in stored or key in seen,
            )
        )
        seen.add(key)
    return receipts


EVENT_COLUMNS = (
    "company",
    "dedupe_key",
    "event_id",
    "ulid",
    "resource_name",
    "resource_id",
    "event_type",
    "api_version",
    "payload",
    "erp_request",
    "state",
)


def _erp_requests_for(
    deliveries: Sequence[Delivery],
) -> tuple[dict[tuple[int, int], int], set[int]]:
    """The ERP request's pk for every ERP delivery's (company, request id), and which are new."""
    keys = sorted({d.request_key for d in deliveries if d.is_erp_request})
    if not keys:
        return {}, set()
    inserted = insert_rows_if_absent(
        ERPRequest,
        columns=("company", "procore_request_id"),
        rows=keys,
        unique=("company", "procore_request_id"),
        returning=("id", "company", "procore_request_id"),
    )
    pks = {(company, request): pk for pk, company, request in inserted}
    created = set(pks.values())
    pks.update(
        stored_pks(
            ERPRequest,
            scope="company",
            key="procore_request_id",
            keys=[k for k in keys if k not in pks],
        )
    )
    return pks, created


_INGEST: GroupCommit[Delivery, WebhookReceipt] = GroupCommit(webhook_store)


def _forget_on_change(sender: type, instance: Any, **kwargs: Any) -> None:
    company = instance if isinstance(instance, Company) else getattr(instance, "company", None)
    if company is not None:
        webhook_credentials_forget(company.procore_company_id)
