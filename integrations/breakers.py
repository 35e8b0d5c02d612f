"""Circuit breakers: stop calling a target that keeps failing, and let one probe through now and
then (after Saleor's breaker board).

One breaker per company and target (its Procore, its ERP), stored in a row every process shares
(``models.CircuitBreaker``): ``threshold`` failures in a row open it for a cool-down, doubled
after each failed probe up to ``max_cooldown``; after the cool-down exactly one caller may probe
(a conditional UPDATE decides who), and its success closes the breaker. Callers ask
``before_call`` (which raises :class:`CircuitOpen` with the seconds to wait) and report
``success`` or ``failure``. The storage is pluggable (``BreakerStorage``); the database one is
the default, the memory one serves code that has no database at hand.

Used by the Procore client (``procore/transport.py``) and by the engine around ERP adapters;
it sits below both and knows neither.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.conf import settings

from erp_adapters.base import ERPUnavailable


class CircuitOpen(Exception):
    """The target failed repeatedly; calls are paused for ``retry_after`` seconds. Not a failure
    of the work: whoever holds the work waits and tries again, without counting an attempt.

    Mixed into the Procore client's and the ERP's own error classes (``ProcorePaused``,
    ``ERPPaused``), so it cooperates with their constructors.
    """

    retry_after: float | None = None

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        if retry_after is not None:
            self.retry_after = retry_after


class ERPPaused(ERPUnavailable, CircuitOpen):
    """The company's ERP failed repeatedly; its circuit breaker pauses calls to it."""


@dataclass(frozen=True)
class BreakerPolicy:
    threshold: int = 5
    cooldown: float = 30.0
    max_cooldown: float = 600.0
    probe_timeout: float = 120.0  # a prober that died lets another probe after this

    @classmethod
    def from_settings(cls) -> BreakerPolicy:
        return cls(
            threshold=settings.BREAKER_THRESHOLD,
            cooldown=float(settings.BREAKER_COOLDOWN_SECONDS),
            max_cooldown=float(settings.BREAKER_MAX_COOLDOWN_SECONDS),
        )


class BreakerStorage(Protocol):
    def allow(self, key: str, now: float, policy: BreakerPolicy) -> float:
        """0 when a call may go out now (closed, or this caller won the probe); otherwise the
        seconds until a probe may be tried."""
        ...

    def success(self, key: str, now: float) -> None: ...

    def failure(self, key: str, now: float, policy: BreakerPolicy, error: str) -> bool:
        """Record a failure; True when the breaker is open after it."""
        ...


@dataclass
class _Memory:
    state: str = "closed"
    failures: int = 0
    cooldown: float = 0.0
    opened_until: float = 0.0
    probe_until: float = 0.0


@dataclass
class MemoryBreakerStorage:
    """For one process (no database at hand); the same rules as the database storage."""

    rows: dict[str, _Memory] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, key: str, now: float, policy: BreakerPolicy) -> float:
        with self.lock:
            row = self.rows.setdefault(key, _Memory())
            if row.state == "closed":
                return 0.0
            if row.state == "open" and now >= row.opened_until:
                row.state, row.probe_until = "half_open", now + policy.probe_timeout
                return 0.0
            if row.state == "half_open" and now >= row.probe_until:
                row.probe_until = now + policy.probe_timeout
                return 0.0
            if row.state == "open":
                return max(1.0, row.opened_until - now)
            return 5.0  # another caller is probing; its outcome decides

    def success(self, key: str, now: float) -> None:
        with self.lock:
            self.rows[key] = _Memory()

    def failure(self, key: str, now: float, policy: BreakerPolicy, error: str) -> bool:
        with self.lock:
            row = self.rows.setdefault(key, _Memory())
            row.failures += 1
            if row.state == "half_open" or (
                row.state == "closed" and row.failures >= policy.threshold
            ):
                reopened = row.state == "half_open"
                row.cooldown = (
                    min(policy.max_cooldown, max(row.cooldown, policy.cooldown) * 2)
                    if reopened
                    else policy.cooldown
                )
                row.state, row.opened_until = "open", now + row.cooldown
            return row.state == "open"


def _aware(now: float) -> datetime:
    return datetime.fromtimestamp(now, tz=UTC)


class DatabaseBreakerStorage:
    """The ``CircuitBreaker`` rows. A closed breaker costs one indexed read per call; writes
    happen only on failures and on the first success after them."""

    def __init__(self, company_pk: int, target: str) -> None:
        self.company_pk = company_pk
        self.target = target

    def _rows(self, key: str):
        from integrations.models import CircuitBreaker

        return CircuitBreaker.objects.filter(key=key)

    def _ensure(self, key: str):
        from integrations.models import CircuitBreaker

        CircuitBreaker.objects.get_or_create(
            key=key, defaults={"company_id": self.company_pk, "target": self.target}
        )

    def allow(self, key: str, now: float, policy: BreakerPolicy) -> float:
        from django.db.models import Q

        from integrations.models import CircuitBreaker

        row = self._rows(key).values("state", "opened_until", "probe_until").first()
        if row is None or row["state"] == CircuitBreaker.State.CLOSED:
            return 0.0
        moment = _aware(now)
        probe = {
            "state": CircuitBreaker.State.HALF_OPEN,
            "probe_until": _aware(now + policy.probe_timeout),
        }
        may_probe = Q(state=CircuitBreaker.State.OPEN, opened_until__lte=moment) | Q(
            state=CircuitBreaker.State.HALF_OPEN, probe_until__lte=moment
        )
        if self._rows(key).filter(may_probe).update(**probe):
            return 0.0
        if row["state"] == CircuitBreaker.State.OPEN and row["opened_until"] is not None:
            return max(1.0, row["opened_until"].timestamp() - now)
        return 5.0  # another caller is probing; its outcome decides

    def success(self, key: str, now: float) -> None:
        from django.db.models import Q

        from integrations.models import CircuitBreaker

        moment = _aware(now)
        rows = self._rows(key)
        changed = rows.exclude(state=CircuitBreaker.State.CLOSED, consecutive_failures=0).update(
            state=CircuitBreaker.State.CLOSED,
            consecutive_failures=0,
            cooldown_seconds=0,
            opened_until=None,
            probe_until=None,
            last_success_at=moment,
        )
        if not changed:
            # Closed and healthy: note the success at most once a minute (healing reads it).
            stale = moment - timedelta(seconds=60)
            rows.filter(Q(last_success_at__isnull=True) | Q(last_success_at__lt=stale)).update(
                last_success_at=moment
            )

    def failure(self, key: str, now: float, policy: BreakerPolicy, error: str) -> bool:
        from django.db.models import F

        from integrations.models import CircuitBreaker

        self._ensure(key)
        moment = _aware(now)
        rows = self._rows(key)
        rows.update(
            consecutive_failures=F("consecutive_failures") + 1,
            last_failure_at=moment,
            last_error=error[:1000],
        )
        row = rows.values("state", "consecutive_failures", "cooldown_seconds").first()
        if row["state"] == CircuitBreaker.State.HALF_OPEN:
            cooldown = min(policy.max_cooldown, max(row["cooldown_seconds"], policy.cooldown) * 2)
            opened = rows.filter(state=CircuitBreaker.State.HALF_OPEN).update(
                state=CircuitBreaker.State.OPEN,
                cooldown_seconds=int(cooldown),
                opened_until=_aware(now + cooldown),
                probe_until=None,
                opened_count=F("opened_count") + 1,
            )
        elif (
            row["state"] == CircuitBreaker.State.CLOSED
            and row["consecutive_failures"] >= policy.threshold
        ):
            opened = rows.filter(state=CircuitBreaker.State.CLOSED).update(
                state=CircuitBreaker.State.OPEN,
                cooldown_seconds=int(policy.cooldown),
                opened_until=_aware(now + policy.cooldown),
                opened_count=F("opened_count") + 1,
            )
        else:
            opened = 0
        return bool(opened) or row["state"] == CircuitBreaker.State.OPEN


class Breaker:
    """One target's breaker for one company, as callers use it."""

    def __init__(
        self,
        *,
        key: str,
        label: str,
        storage: BreakerStorage,
        policy: BreakerPolicy | None = None,
        clock=time.time,
    ) -> None:
        self.key = key
        self.label = label
        self.storage = storage
        self.policy = policy or BreakerPolicy.from_settings()
        self.clock = clock

    def before_call(self) -> None:
        wait = self.storage.allow(self.key, self.clock(), self.policy)
        if wait > 0:
            raise CircuitOpen(
                f"{self.label} has failed repeatedly; calls are paused for {wait:.0f} s "
                "(circuit breaker) and the work waits meanwhile.",
                retry_after=wait,
            )

    def success(self) -> None:
        self.storage.success(self.key, self.clock())

    def failure(self, error: str) -> bool:
        return self.storage.failure(self.key, self.clock(), self.policy, error)


def procore_breaker(company_pk: int, company_label: str = "") -> Breaker:
    return Breaker(
        key=f"procore:{company_pk}",
        label=f"Procore for {company_label or f'company {company_pk}'}",
        storage=DatabaseBreakerStorage(company_pk, "procore"),
    )


def erp_call_allowed(breaker: Breaker) -> None:
    """Before a call to the ERP: ``ERPPaused`` while its breaker is open."""
    try:
        breaker.before_call()
    except CircuitOpen as exc:
        raise ERPPaused(str(exc), retry_after=exc.retry_after) from None


def erp_breaker(company_pk: int, company_label: str = "") -> Breaker:
    return Breaker(
        key=f"erp:{company_pk}",
        label=f"The ERP of {company_label or f'company {company_pk}'}",
        storage=DatabaseBreakerStorage(company_pk, "erp"),
    )
