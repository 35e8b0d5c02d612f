from __future__ import annotations

from typing import Any

from django.db import models


class Leased(models.Model):
    """Columns of a row that one worker at a time may hold: who, and until when.

    Every kind of work row (ERP requests, Request Detail close-outs, import runs, a connection
    being provisioned) is held through ``integrations.services.leases``, never by hand. A holder
    that dies leaves the lease to run out, and the row is free again.
    """

    lease_owner = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The worker (host:pid/claim) holding the row, or empty.",
    )
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the holder's lease runs out unless renewed."
    )

    class Meta:
        abstract = True


def lease_free(now: Any) -> models.Q:
    """Rows nobody holds: never taken, given back, or whose holder's lease ran out."""
    return (
        models.Q(lease_owner="")
        | models.Q(lease_expires_at__isnull=True)
        | models.Q(lease_expires_at__lt=now)
    )


def lease_held(now: Any) -> models.Q:
    """Rows somebody holds right now."""
    return ~models.Q(lease_owner="") & models.Q(lease_expires_at__gte=now)
