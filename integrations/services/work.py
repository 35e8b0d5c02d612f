"""Leased, retried units of work: the rows that make a lost task or a killed worker harmless.

An ERP request (and a Request Detail close-out) is claimed by one worker at a time with a lease.
A worker that dies leaves the lease to expire; the sweeper then finds the row due again. Retries
back off exponentially with jitter, up to a number of attempts and an age; after that the row is
a dead letter that a person can see and re-drive from the admin.
"""

from __future__ import annotations

import os
import random
import socket
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from integrations.models.erp_requests import LeasedWork, WorkState

LEASE = timedelta(seconds=getattr(settings, "WORK_LEASE_SECONDS", 300))
MAX_ATTEMPTS = getattr(settings, "WORK_MAX_ATTEMPTS", 8)
MAX_AGE = timedelta(hours=getattr(settings, "WORK_MAX_AGE_HOURS", 24))
BACKOFF_BASE = timedelta(seconds=getattr(settings, "WORK_BACKOFF_BASE_SECONDS", 15))
BACKOFF_CAP = timedelta(hours=1)

T = TypeVar("T", bound=LeasedWork)

OPEN_STATES = (WorkState.PENDING, WorkState.RETRYING)
TERMINAL_STATES = (
    WorkState.SUCCEEDED,
    WorkState.FAILED,
    WorkState.NOT_HANDLED,
    WorkState.DEAD,
    WorkState.RESOLVED,
)


def worker_name() -> str:
    """Who holds a lease: host and process, so support can tell workers apart."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def due_filter(now: datetime) -> models.Q:
    """Rows a worker may take now: open and due, or processing with an expired lease."""
    open_and_due = models.Q(state__in=OPEN_STATES) & (
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
    )
    abandoned = models.Q(state=WorkState.PROCESSING, lease_expires_at__lt=now)
    return open_and_due | abandoned


def work_claim(model: type[T], *, pk: int, owner: str, lease: timedelta = LEASE) -> T | None:
    """Take the row if it is due and nobody holds it; None if another worker has it or it is done.

    On PostgreSQL ``SKIP LOCKED`` makes a racing worker pass over the row instead of waiting; on
    SQLite the write transaction (IMMEDIATE mode) serialises claims.
    """
    now = timezone.now()
    with transaction.atomic():
        queryset = model.objects.filter(due_filter(now), pk=pk)
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        row = queryset.first()
        if row is None:
            return None
        row.state = WorkState.PROCESSING
        row.attempts += 1
        row.lease_owner = owner
        row.lease_expires_at = now + lease
        row.save(
            update_fields=["state", "attempts", "lease_owner", "lease_expires_at", "updated_at"]
        )
    return row


def work_claim_batch(
    model: type[T],
    *,
    owner: str,
    limit: int,
    extra: dict | None = None,
    exclude: dict | None = None,
    lease: timedelta = LEASE,
) -> list[T]:
    """Claim up to ``limit`` due rows at once (close-outs go to Procore in bulk)."""
    now = timezone.now()
    with transaction.atomic():
        queryset = model.objects.filter(due_filter(now), **(extra or {}))
        if exclude:
            queryset = queryset.exclude(**exclude)
        queryset = queryset.order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            queryset = queryset.select_for_update(skip_locked=True, of=("self",))
        rows = list(queryset[:limit])
        if not rows:
            return []
        model.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=WorkState.PROCESSING,
            attempts=models.F("attempts") + 1,
            lease_owner=owner,
            lease_expires_at=now + lease,
            updated_at=now,
        )
    for row in rows:
        row.state, row.attempts = WorkState.PROCESSING, row.attempts + 1
        row.lease_owner, row.lease_expires_at = owner, now + lease
    return rows


def work_due_ids(model: type[LeasedWork], *, limit: int = 500) -> list[int]:
    """Primary keys of rows due now, oldest first (the sweeper enqueues them)."""
    now = timezone.now()
    return list(
        model.objects.filter(due_filter(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with jitter: base·2^(n−1), capped, then a random 50–100 % of it."""
    rng = rng or random.Random()
    raw = BACKOFF_BASE * (2 ** max(0, attempts - 1))
    capped = min(raw, BACKOFF_CAP)
    return capped * (0.5 + rng.random() / 2)


def _finish(row: LeasedWork, *, owner: str, **fields: object) -> bool:
    """Write the outcome only while we still hold the lease; False if another worker took over."""
    fields.setdefault("lease_owner", "")
    fields.setdefault("lease_expires_at", None)
    fields["updated_at"] = timezone.now()
    updated = type(row).objects.filter(pk=row.pk, lease_owner=owner).update(**fields)
    for name, value in fields.items():
        setattr(row, name, value)
    return bool(updated)


def work_complete(row: LeasedWork, *, owner: str, state: str, error: str = "") -> bool:
    return _finish(
        row,
        owner=owner,
        state=state,
        last_error=error[:4000],
        next_attempt_at=None,
        completed_at=timezone.now(),
    )


def work_retry_later(
    row: LeasedWork,
    *,
    owner: str,
    error: str,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> str:
    """Schedule another attempt, or make the row a dead letter once attempts or age run out.

    Returns the state written (``retrying`` or ``dead``).
    """
    now = timezone.now()
    too_old = row.created_at and now - row.created_at > MAX_AGE
    if row.attempts >= MAX_ATTEMPTS or too_old:
        reason = "too many attempts" if row.attempts >= MAX_ATTEMPTS else "too old"
        _finish(
            row,
            owner=owner,
            state=WorkState.DEAD,
            last_error=f"Gave up ({reason}, {row.attempts} attempts): {error}"[:4000],
            next_attempt_at=None,
            completed_at=now,
        )
        return WorkState.DEAD
    delay = backoff_delay(row.attempts, rng=rng)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    _finish(
        row,
        owner=owner,
        state=WorkState.RETRYING,
        last_error=error[:4000],
        next_attempt_at=now + delay,
    )
    return WorkState.RETRYING


def work_redrive(row: LeasedWork) -> None:
    """Support's "retry now": make a finished or waiting row due immediately, attempts reset."""
    type(row).objects.filter(pk=row.pk).update(
        state=WorkState.PENDING,
        attempts=0,
        next_attempt_at=None,
        lease_owner="",
        lease_expires_at=None,
        completed_at=None,
        updated_at=timezone.now(),
    )
