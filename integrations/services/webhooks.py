"""Receiving Procore's webhook deliveries: persist, then acknowledge.

A delivery is one row in the ledger (``NotificationEvent``, unique per company on the event's
ULID, else its id) plus the ERP request it names (unique per company on Procore's ERP Request
id), written with the ORM in one transaction. The ERP request is enqueued once the transaction
commits, and no network call to Procore happens while Procore waits for our answer. Procore
sends a few events per company per minute; more load is met with more web processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from integrations.enqueue import enqueue_erp_requests
from integrations.models import ERPRequest, NotificationEvent

ERP_RESOURCE_NAME = "ERP Requests"


@dataclass(frozen=True)
class WebhookReceipt:
    event_pk: int
    duplicate: bool


def webhook_dedupe_key(*, ulid: str, event_id: int | None) -> str:
    """What makes a delivery the same event: its ULID, else its id."""
    return ulid or f"id:{event_id}"


def webhook_event_store(*, company_pk: int, event: dict[str, Any], payload: Any) -> WebhookReceipt:
    """Store the event once and find or create its ERP request; enqueue the request when new.

    ``event`` holds the validated fields (``resource_name``, ``resource_id``, ``event_type``,
    ``ulid``, ``id``, ``api_version``); ``payload`` is the body as received. A redelivery (same
    ULID or id) changes nothing and is answered as a duplicate. The unique constraints decide
    every race: a delivery that loses one rolls back whole and looks again, so an identical
    delivery arriving at the same moment is a duplicate, and a second event for an ERP request
    created a moment ago by another delivery is stored against that request.
    """
    key = webhook_dedupe_key(ulid=event.get("ulid") or "", event_id=event.get("id"))
    try:
        # Nearly every delivery is a new event for a new ERP request: insert both at once.
        return _store(company_pk, key, event, payload, request_is_new=True)
    except IntegrityError:
        pass  # the event, or its ERP request, is stored already: look before writing
    known = _stored_event(company_pk, key)
    if known is not None:
        return WebhookReceipt(event_pk=known, duplicate=True)
    try:
        return _store(company_pk, key, event, payload, request_is_new=False)
    except IntegrityError:
        # An identical delivery was stored a moment ago by another process.
        known = _stored_event(company_pk, key)
        if known is None:
            raise
        return WebhookReceipt(event_pk=known, duplicate=True)


def _store(
    company_pk: int, key: str, event: dict[str, Any], payload: Any, *, request_is_new: bool
) -> WebhookReceipt:
    """One transaction: the ERP request (created, or found when ``request_is_new`` is False)
    and the event. A unique key that is taken rolls the whole transaction back."""
    is_erp = event["resource_name"] == ERP_RESOURCE_NAME
    with transaction.atomic():
        erp_request, created = None, False
        if is_erp and request_is_new:
            erp_request = ERPRequest.objects.create(
                company_id=company_pk, procore_request_id=event["resource_id"]
            )
            created = True
        elif is_erp:
            erp_request, created = _request_found_or_created(company_pk, event["resource_id"])
        if not is_erp:
            state = NotificationEvent.State.IGNORED
        elif created:
            state = NotificationEvent.State.RECEIVED
        else:
            state = NotificationEvent.State.DUPLICATE
        stored = NotificationEvent.objects.create(
            company_id=company_pk,
            dedupe_key=key,
            event_id=event.get("id"),
            ulid=event.get("ulid") or "",
            resource_name=event["resource_name"],
            resource_id=event["resource_id"],
            event_type=event["event_type"],
            api_version=event.get("api_version") or "",
            payload=payload,
            erp_request=erp_request,
            state=state,
        )
        if created:
            enqueue_erp_requests([erp_request.pk])
    return WebhookReceipt(event_pk=stored.pk, duplicate=False)


def _request_found_or_created(company_pk: int, resource_id: int) -> tuple[ERPRequest, bool]:
    # By the unique key, so no ORDER BY (``first()`` would add one, and PostgreSQL may then
    # walk the primary key instead of using the key's index).
    found = ERPRequest.objects.filter(company_id=company_pk, procore_request_id=resource_id)[:1]
    erp_request = next(iter(found), None)
    if erp_request is not None:
        return erp_request, False
    return ERPRequest.objects.create(company_id=company_pk, procore_request_id=resource_id), True


def _stored_event(company_pk: int, key: str) -> int | None:
    found = NotificationEvent.objects.filter(company_id=company_pk, dedupe_key=key).values_list(
        "pk", flat=True
    )[:1]
    return next(iter(found), None)
