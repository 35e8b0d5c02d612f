"""The life of a unit of work that is retried: claimed, done, retried later, or given up on.

ERP requests and Request Detail close-outs are such rows (``models.erp_requests.LeasedWork``).
A worker claims one with a lease (``leases.py``); a worker that dies leaves the lease to run
out and the sweeper finds the row due again. Retries back off exponentially with jitter
(``integrations.backoff``), up to a number of attempts and an age; after that the row is a dead
letter that a person can see and re-drive from the admin.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from integrations.backoff import backoff_delay
from integrations.models.erp_requests import LeasedWork, WorkState, work_due
from integrations.services.leases import lease_claim, lease_clear, lease_release

T = TypeVar("T", bound=LeasedWork)

BACKOFF_CAP = timedelta(hours=1)

TERMINAL_STATES = (
    WorkState.SUCCEEDED,
    WorkState.FAILED,
    WorkState.NOT_HANDLED,
    WorkState.DEAD,
    WorkState.RESOLVED,
    WorkState.STALE,
)


def work_age_exceeded(row: LeasedWork) -> bool:
    """Older than the age limit, counted from its creation or its last re-drive."""
    since = max(filter(None, (row.created_at, row.redriven_at)), default=None)
    return since is not None and timezone.now() - since > max_age()


def max_attempts() -> int:
    return settings.WORK_MAX_ATTEMPTS


def max_age() -> timedelta:
    return timedelta(hours=settings.WORK_MAX_AGE_HOURS)


def work_backoff(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """The wait before the next attempt of a work row that has failed ``attempts`` times."""
    seconds = backoff_delay(
        attempts,
        base=settings.WORK_BACKOFF_BASE_SECONDS,
        cap=BACKOFF_CAP.total_seconds(),
        rng=rng,
    )
    return timedelta(seconds=seconds)


def work_claim(queryset: models.QuerySet[T], *, limit: int = 1) -> list[T]:
    """Take up to ``limit`` due rows of ``queryset`` (oldest first), counting the attempt."""
    return lease_claim(
        queryset.filter(work_due(timezone.now())),
        limit=limit,
        state=WorkState.PROCESSING,
        attempts=models.F("attempts") + 1,
    )


def work_claim_one(model: type[T], *, pk: int) -> T | None:
    """The row, if it is due and nobody holds it; None if another worker has it or it is done."""
    taken = work_claim(model.objects.filter(pk=pk))
    return taken[0] if taken else None


def work_complete(row: LeasedWork, *, state: str, error: str = "", **fields: Any) -> bool:
    """The attempt ended for good (succeeded, failed, not handled). False if the row was taken
    over meanwhile: the new holder's outcome stands."""
    return lease_release(
        row,
        state=state,
        last_error=error[:4000],
        next_attempt_at=None,
        completed_at=timezone.now(),
        **fields,
    )


def work_retry_later(
    row: LeasedWork,
    *,
    error: str,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    cause: str = "",
) -> str:
    """Schedule another attempt, or make the row a dead letter once attempts or age run out
    (keeping ``cause``: what it died of, ``GaveUpBecause``).

    Returns the state written (``retrying`` or ``dead``).
    """
    now = timezone.now()
    since = max(filter(None, (row.created_at, row.redriven_at)), default=None)
    too_old = since is not None and now - since > max_age()
    tried = row.attempts - row.attempts_before_redrive
    if tried >= max_attempts() or too_old:
        reason = "too many attempts" if tried >= max_attempts() else "too old"
        lease_release(
            row,
            state=WorkState.DEAD,
            last_error=f"Gave up ({reason}, {row.attempts} attempts): {error}"[:4000],
            next_attempt_at=None,
            completed_at=now,
            gave_up_because=cause,
        )
        return WorkState.DEAD
    delay = work_backoff(row.attempts, rng=rng)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    lease_release(
        row,
        state=WorkState.RETRYING,
        last_error=error[:4000],
        next_attempt_at=now + delay,
    )
    return WorkState.RETRYING


def work_defer(
    row: LeasedWork, *, reason: str, wait_seconds: float, state: str = WorkState.RETRYING
) -> bool:
    """Put the row back unattempted until ``wait_seconds`` from now: its target is paused by a
    circuit breaker, or the ERP is still working on it (``waiting``), so this was no attempt
    and must not bring it nearer to a dead letter."""
    return lease_release(
        row,
        state=state,
        attempts=models.F("attempts") - 1,
        last_error=reason[:4000],
        next_attempt_at=timezone.now() + timedelta(seconds=max(1.0, wait_seconds)),
    )


def work_redrive(queryset: models.QuerySet) -> int:
    """Support's "retry now": make rows due immediately, taking them from any worker still
    holding them. The attempts made so far stay counted (support reads the whole history);
    the retry budget and the age limit start again from now."""
    return lease_clear(
        queryset,
        state=WorkState.PENDING,
        attempts_before_redrive=models.F("attempts"),
        redriven_at=timezone.now(),
        next_attempt_at=None,
        completed_at=None,
        gave_up_because="",
    )


def work_resolve(queryset: models.QuerySet, *, note: str) -> int:
    """Support took care of it by hand; the sweeper leaves the rows alone from now on."""
    return lease_clear(
        queryset,
        state=WorkState.RESOLVED,
        last_error=f"Resolved by support: {note}"[:4000],
        next_attempt_at=None,
        completed_at=timezone.now(),
    )
