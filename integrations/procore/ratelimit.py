"""Pacing calls by what Procore's rate-limit headers say, per company, before Procore says no.

Procore reports on every response the limit the caller is closest to (the 10-second spike limit
or the hourly one) as ``X-Rate-Limit-Limit/Remaining/Reset``, and the values may change at any
time, so the headers are the only truth (procore-erp-api.md §e). One :class:`CompanyRateLimit`
per (API host, company) is shared by every client in the process, so threads of one worker
draw from one budget; other processes see the same budget through the headers they receive.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RateLimitHeaders:
    limit: int | None = None
    remaining: int | None = None
    reset: int | None = None  # Unix seconds

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        return cls(
            limit=_int(headers.get("X-Rate-Limit-Limit")),
            remaining=_int(headers.get("X-Rate-Limit-Remaining")),
            reset=_int(headers.get("X-Rate-Limit-Reset")),
        )


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(float(value.strip()))
    except ValueError:
        return None


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


class CompanyRateLimit:
    """The last known quota of one company, with slots handed out to concurrent callers.

    ``delay_before_request`` either reserves a slot (returns 0) or says how long to wait; callers
    sleep and ask again, and report every reserved slot back through ``observe`` (with empty
    headers when no answer came). Within one window the budget spent is the larger of what this
    process sent and what Procore last counted (other processes share the budget): answers
    overtake each other, so a late answer never gives back budget already spent. When the
    budget is low, the rest of the window is spread evenly over the remaining calls instead of
    spending it at once and stalling everybody until the reset.
    """

    def __init__(self, *, low_water_fraction: float = 0.1, reset_jitter: float = 0.1) -> None:
        self._lock = threading.Lock()
        self._low_water_fraction = low_water_fraction
        self._reset_jitter = reset_jitter
        self.limit: int | None = None
        self.reset: float | None = None  # end of the window the headers describe
        self._sent = 0  # slots this process reserved in that window
        self._counted = 0  # the most Procore has reported used in it
        self._in_flight = 0
        self._window_over = 0.0  # answers whose reset is not after this are stale
        self._reset_is_ours = False
        self._blocked_until = 0.0
        self._not_before = 0.0

    @property
    def remaining(self) -> int | None:
        if self.limit is None:
            return None
        return self.limit - max(self._sent, self._counted)

    def delay_before_request(self, now: float, rng: random.Random) -> float:
        with self._lock:
            if self._blocked_until > now:
                return self._blocked_until - now
            if self.reset is not None and self.reset <= now:
                # The window is over. Calls still in flight may land in the next one.
                self._new_window(None, sent=self._in_flight)
            remaining = self.remaining
            if remaining is not None and self.reset is not None:
                if remaining <= 0:
                    return self.reset - now + rng.uniform(0, self._reset_jitter)
                # Pace when the budget runs low, or as soon as someone else (another worker
                # process) is spending it too; then claim only our share of what is left,
                # judged by how much of the window's spending was ours.
                if remaining <= self._low_water() or self._counted > self._sent:
                    if self._not_before > now:
                        return self._not_before - now
                    share = min(1.0, max(self._sent, 1) / max(self._counted, 1))
                    ours = remaining * share
                    if ours < 1:
                        return self.reset - now + rng.uniform(0, self._reset_jitter)
                    self._not_before = now + (self.reset - now) / ours
            self._sent += 1
            self._in_flight += 1
            return 0.0

    def observe(self, headers: RateLimitHeaders) -> None:
        """The answer to a reserved slot arrived (or the call failed without one)."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            if headers.remaining is None or headers.reset is None:
                return
            reset = float(headers.reset)
            if reset <= self._window_over:
                return  # an answer from a window that is already over
            limit = headers.limit if headers.limit is not None else self.limit
            if self.reset is None or reset > self.reset or limit != self.limit:
                # The first answer in a new window (or Procore now reports another limit):
                # what we sent before it was reported may belong to the old one.
                sent = self._sent if self.reset is None else self._in_flight + 1
                self._new_window(reset, sent=sent)
                self.limit = limit
            elif reset < self.reset:
                return
            if self.limit is not None:
                self._counted = max(self._counted, self.limit - headers.remaining)

    def block_until(self, until: float) -> None:
        """After a 429 nobody in this process calls for the company until ``until``.

        ``until`` comes from ``Retry-After`` when Procore sent one, and that wins over the
        reset time of the headers: the window is taken to reopen then.
        """
        with self._lock:
            self._blocked_until = max(self._blocked_until, until)
            self.reset = self._blocked_until
            self._reset_is_ours = True  # not Procore's: answers after it are not stale
            self._counted = self.limit if self.limit is not None else self._counted

    def _new_window(self, reset: float | None, *, sent: int) -> None:
        if self.reset is not None and not self._reset_is_ours:
            self._window_over = max(self._window_over, self.reset)
        self._reset_is_ours = False
        self.reset = reset
        self._sent = sent
        self._counted = 0
        self._not_before = 0.0

    def _low_water(self) -> int:
        if self.limit is None:
            return 1
        return max(1, math.ceil(self.limit * self._low_water_fraction))


class RateLimitRegistry:
    """One :class:`CompanyRateLimit` per (API base URL, Procore company id)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[tuple[str, int], CompanyRateLimit] = {}

    def for_company(self, api_url: str, company_id: int) -> CompanyRateLimit:
        key = (api_url, company_id)
        with self._lock:
            state = self._states.get(key)
            if state is None:
                state = self._states[key] = CompanyRateLimit()
            return state


# Shared by every client in the process unless a caller passes its own (tests do).
DEFAULT_REGISTRY = RateLimitRegistry()
