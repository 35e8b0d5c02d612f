"""Keeping the ledgers a bounded size: old webhook events, API attempts and audit entries are
purged on a schedule, in small batches so no table is locked for long, and counted.

Ages come from the environment (``RETENTION_*_DAYS``). Events still waiting for their request
are never purged, whatever their age; ERP requests and their details are kept (they are the
record of what Procore asked and how it was answered).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.models import ApiAttempt, AuditEntry, NotificationEvent

logger = logging.getLogger(__name__)

BATCH = 2000


def _purge(queryset: models.QuerySet, *, batch: int = BATCH) -> int:
    """Delete in batches of primary keys, each its own short statement."""
    total = 0
    model = queryset.model
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return total
        deleted, _ = model.objects.filter(pk__in=pks).delete()
        total += deleted


def retention_purge(*, batch: int = BATCH) -> dict[str, int]:
    """Purge what is older than its retention age. Returns the count purged per ledger."""
    now = timezone.now()
    events_before = now - timedelta(days=settings.RETENTION_EVENTS_DAYS)
    attempts_before = now - timedelta(days=settings.RETENTION_API_ATTEMPTS_DAYS)
    audit_before = now - timedelta(days=settings.RETENTION_AUDIT_DAYS)
    counts = {
        "events": _purge(
            NotificationEvent.objects.filter(received_at__lt=events_before).exclude(
                state=NotificationEvent.State.RECEIVED
            ),
            batch=batch,
        ),
        "api_attempts": _purge(
            ApiAttempt.objects.filter(created_at__lt=attempts_before), batch=batch
        ),
        "audit_entries": _purge(
            AuditEntry.objects.filter(created_at__lt=audit_before), batch=batch
        ),
    }
    if any(counts.values()):
        logger.info(
            "retention purged %s events, %s API attempts, %s audit entries",
            counts["events"],
            counts["api_attempts"],
            counts["audit_entries"],
        )
    return counts
