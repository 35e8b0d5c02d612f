"""Nothing lost after Procore gives up on a delivery.

Procore retries a failing webhook endpoint with backoff for 12 hours, then discards the queued
events, and offers no replay: they can only be listed (procore-erp-api.md §c.4, §h.7). So a
scheduled reconciliation lists each provisioned company's hook deliveries that are failing or
discarded, and stores the events they carry exactly as if they had arrived
(``webhook_event_store``): new ERP requests are enqueued, events already stored are
duplicates and change nothing. An outage of the portal longer than 12 hours then still loses
no export.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from integrations.models import Company, Connection
from integrations.procore import ProcoreClient, ProcoreError
from integrations.services.webhooks import webhook_event_store

logger = logging.getLogger(__name__)

# Procore discards after 12 hours; a scheduled run every 15 minutes needs to look back no
# further than that, with an hour of margin for a run that was late.
LOOK_BACK = timedelta(hours=13)
STATUSES = ("failing", "discarded")
MAX_ID = 2**63 - 1


@dataclass
class ReconcileResult:
    company: str
    listed: int = 0
    stored: int = 0
    already_stored: int = 0
    refused: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.company}: {self.listed} undelivered deliveries listed, {self.stored} events "
            f"recovered, {self.already_stored} already stored"
        )
        if self.refused:
            text += f", {self.refused} not usable"
        return text + "."


def deliveries_reconcile(
    *, connection: Connection, client: ProcoreClient | None = None, now: datetime | None = None
) -> ReconcileResult:
    """Recover the events of one company's failing and discarded deliveries."""
    company: Company = connection.company
    result = ReconcileResult(company=str(company))
    if not connection.webhook_hook_id:
        result.problems.append("not provisioned: no webhook hook to list deliveries of")
        return result
    since = (now or timezone.now()) - LOOK_BACK
    own_client = client is None
    client = client or ProcoreClient(connection)
    try:
        for status in STATUSES:
            for delivery in client.iter_deliveries(connection.webhook_hook_id, status=status):
                started = parse_datetime(str(delivery.get("started_at") or ""))
                if started is not None and started < since:
                    break  # newest first: everything further is older still
                result.listed += 1
                _recover(company, delivery, result)
    finally:
        if own_client:
            client.close()
    if result.stored:
        logger.warning(result.summary(), extra={"company_id": company.procore_company_id})
    return result


def _recover(company: Company, delivery: dict[str, Any], result: ReconcileResult) -> None:
    event = delivery.get("event")
    fields = _event_fields(event, company)
    if fields is None:
        result.refused += 1
        return
    receipt = webhook_event_store(company_pk=company.pk, event=fields, payload=event)
    if receipt.duplicate:
        result.already_stored += 1
    else:
        result.stored += 1


def _id(value: Any) -> int | None:
    return (
        value
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
        else None
    )


def _event_fields(event: Any, company: Company) -> dict[str, Any] | None:
    """The fields the webhook endpoint would have validated, or None if the event is unusable
    (for this company, or malformed): the same rules as ``api/serializers.py``."""
    if not isinstance(event, dict):
        return None
    resource_id, event_id = _id(event.get("resource_id")), _id(event.get("id"))
    ulid = event.get("ulid") if isinstance(event.get("ulid"), str) else ""
    if (
        event.get("company_id") != company.procore_company_id
        or resource_id is None
        or not isinstance(event.get("resource_name"), str)
        or not isinstance(event.get("event_type"), str)
        or len(ulid) > 26
        or not (ulid or event_id)
    ):
        return None
    return {
        "id": event_id,
        "ulid": ulid,
        "resource_name": event["resource_name"][:100],
        "resource_id": resource_id,
        "event_type": event["event_type"][:32],
        "api_version": str(event.get("api_version") or "")[:16],
    }


def deliveries_reconcile_all() -> list[ReconcileResult]:
    """Every provisioned, active company; one company's failure does not stop the others."""
    results = []
    for connection in Connection.objects.select_related("company").filter(
        company__is_active=True, webhook_hook_id__isnull=False
    ):
        try:
            results.append(deliveries_reconcile(connection=connection))
        except ProcoreError as exc:
            result = ReconcileResult(company=str(connection.company))
            result.problems.append(str(exc))
            results.append(result)
            logger.warning(
                "delivery reconciliation failed: %s",
                exc,
                extra={"company_id": connection.company.procore_company_id},
            )
    return results
