"""Procore's two rate limits: an hourly and a 10-second spike window per app and company
(``plan_your_app/rate_limiting.md``). Counters live in the database so that every process of
the sandbox, and every test's fresh database, sees the right budget.

Headers report the window the caller is closest to exhausting (usually the spike window until
the hourly budget is nearly spent), as Procore's do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from procore_sandbox import conf
from procore_sandbox.models import RateWindow

HOURLY_MESSAGE = (
    "You have surpassed the max number of requests for an hour. "
    "Please wait until your limit resets."
)
SPIKE_MESSAGE = (
    "You have surpassed the max number of requests in a short period. "
    "Please wait until your limit resets."
)


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    window: str
    limit: int
    remaining: int
    reset: int
    retry_after: int

    @property
    def message(self) -> str:
        return HOURLY_MESSAGE if self.window == "hourly" else SPIKE_MESSAGE

    def headers(self) -> dict[str, str]:
        return {
            "X-Rate-Limit-Limit": str(self.limit),
            "X-Rate-Limit-Remaining": str(self.remaining),
            "X-Rate-Limit-Reset": str(self.reset),
        }


def rate_limit_hit(*, key: str, now: datetime | None = None) -> RateDecision:
    """Count one request against both windows (unless either is spent) and decide."""
    now = now or timezone.now()
    values = conf.snapshot()
    windows = (
        ("spike", int(values["rate_limit_spike"]), float(values["rate_limit_spike_window"])),
        ("hourly", int(values["rate_limit_hourly"]), float(values["rate_limit_hour_window"])),
    )
    with transaction.atomic():
        rows = [(_window(key, kind, now, size), limit, size) for kind, limit, size in windows]
        spent = [(row, limit, size) for row, limit, size in rows if row.count >= limit]
        if not spent:
            for row, _, _ in rows:
                row.count += 1
                row.save(update_fields=["count", "window_start"])
    if spent:
        row, limit, size = max(spent, key=lambda entry: _reset(entry[0], entry[2]))
        reset = _reset(row, size)
        return RateDecision(
            allowed=False,
            window=row.kind,
            limit=limit,
            remaining=0,
            reset=math.ceil(reset.timestamp()),
            retry_after=max(1, math.ceil((reset - now).total_seconds())),
        )
    row, limit, size = min(rows, key=lambda entry: entry[1] - entry[0].count)
    reset = _reset(row, size)
    return RateDecision(
        allowed=True,
        window=row.kind,
        limit=limit,
        remaining=max(0, limit - row.count),
        reset=math.ceil(reset.timestamp()),
        retry_after=0,
    )


def _window(key: str, kind: str, now: datetime, size: float) -> RateWindow:
    row = RateWindow.objects.select_for_update().filter(key=key, kind=kind).first()
    if row is None:
        try:
            with transaction.atomic():
                row = RateWindow.objects.create(key=key, kind=kind, window_start=now, count=0)
        except IntegrityError:
            row = RateWindow.objects.select_for_update().get(key=key, kind=kind)
    if now >= _reset(row, size):
        row.window_start = now
        row.count = 0
    return row


def _reset(row: RateWindow, size: float) -> datetime:
    return row.window_start + timedelta(seconds=size)


def rate_limits_reset() -> None:
    """Forget every counter (``manage.py sandbox configure --reset-rate-limits``)."""
    RateWindow.objects.all().delete()
