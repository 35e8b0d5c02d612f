"""What a company's dashboard shows: health of both sides, the last event, objects by state,
and the figures behind its charts. One query each, every one bounded by the company's indexes;
the counts are ``COUNT(*)`` so that PostgreSQL answers them from the index alone (an index-only
scan), without visiting the company's rows scattered over the table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from integrations.models import (
    CircuitBreaker,
    Company,
    Connection,
    ERPRequest,
    NotificationEvent,
    ObjectLink,
    SyncRun,
)
from integrations.models.erp_requests import WorkState
from integrations.models.objects import ItemType

CHART_DAYS = 14
ERROR_STATES = (WorkState.FAILED, WorkState.DEAD, WorkState.STALE)
COUNT_CAP = 1000  # counts above this read "1,000+": no page counts millions of rows


@dataclass(frozen=True)
class SideHealth:
    """One side of the integration (Procore, or the ERP) as the portal last saw it."""

    name: str
    state: str  # ok, degraded, failing, unknown
    label: str
    message: str
    checked_at: datetime | None


@dataclass(frozen=True)
class Health:
    connected: bool
    procore: SideHealth
    erp: SideHealth
    adapter_key: str = ""
    provisioned_at: datetime | None = None


def _breaker_side(name: str, breaker: CircuitBreaker | None, *, fallback: SideHealth) -> SideHealth:
    if breaker is None:
        return fallback
    checked = max(filter(None, (breaker.last_success_at, breaker.last_failure_at)), default=None)
    if breaker.state == CircuitBreaker.State.OPEN:
        until = f" until {breaker.opened_until:%H:%M} UTC" if breaker.opened_until else ""
        return SideHealth(
            name,
            "failing",
            "Not answering",
            f"Calls are paused{until} after {breaker.consecutive_failures} failures in a row; "
            f"waiting work resumes by itself. Last error: {breaker.last_error or '—'}",
            checked,
        )
    if breaker.consecutive_failures:
        return SideHealth(
            name,
            "degraded",
            "Some calls failing",
            f"{breaker.consecutive_failures} failed call(s) in a row. Last error: "
            f"{breaker.last_error or '—'}",
            checked,
        )
    return SideHealth(name, "ok", "Answering", "Recent calls succeeded.", checked)


def _newer(checked: SideHealth, breaker: CircuitBreaker | None) -> SideHealth:
    """The last explicit check of a side, or what the workers' calls to it say (its circuit
    breaker) when those are more recent."""
    calls = _breaker_side(checked.name, breaker, fallback=checked)
    if calls.checked_at and (checked.checked_at is None or calls.checked_at > checked.checked_at):
        return calls
    return checked


def company_health(*, company: Company) -> Health:
    """Each side (Procore, the ERP) as its last check found it, or as the workers' calls to it
    found it since (its circuit breaker)."""
    connection = (
        Connection.objects.filter(company=company)
        .only(
            "health",
            "health_message",
            "health_checked_at",
            "erp_health",
            "erp_health_message",
            "erp_health_checked_at",
            "adapter_key",
            "provisioned_at",
            "company_id",
        )
        .first()
    )
    if connection is None:
        message = "No connection has been set up yet."
        return Health(
            False,
            SideHealth("Procore", "unknown", "Not connected", message, None),
            SideHealth("ERP", "unknown", "Not connected", message, None),
        )
    breakers = {b.target: b for b in CircuitBreaker.objects.filter(company=company)}
    procore = _newer(
        SideHealth(
            "Procore",
            connection.health,
            connection.get_health_display(),
            connection.health_message or "No connection check has run yet.",
            connection.health_checked_at,
        ),
        breakers.get("procore"),
    )
    erp = _newer(
        SideHealth(
            "ERP",
            connection.erp_health,
            connection.get_erp_health_display(),
            connection.erp_health_message or "No check of the ERP has run yet.",
            connection.erp_health_checked_at,
        ),
        breakers.get("erp"),
    )
    return Health(True, procore, erp, connection.adapter_key, connection.provisioned_at)


def last_event(*, company: Company) -> NotificationEvent | None:
    """The newest webhook event received for the company (its company index, newest first)."""
    return (
        NotificationEvent.objects.filter(company=company)
        .order_by("-id")
        .only("id", "received_at", "resource_name", "event_type", "resource_id", "state")
        .first()
    )


@dataclass
class ObjectCounts:
    """Objects by entity (rows) and state (columns)."""

    states: list[tuple[str, str]]
    rows: list[tuple[str, list[int], int]] = field(default_factory=list)


def object_counts(*, company: Company) -> ObjectCounts:
    counts: dict[tuple[str, str], int] = {
        (item_type, state): n
        for item_type, state, n in ObjectLink.objects.filter(company=company)
        .order_by()
        .values_list("item_type", "state")
        .annotate(n=Count("*"))
    }
    states = [(value, label.split(" (")[0]) for value, label in ObjectLink.State.choices]
    labels = dict(ItemType.choices)
    result = ObjectCounts(states=states)
    for item_type in sorted({t for t, _ in counts}, key=lambda t: labels.get(t, t)):
        cells = [counts.get((item_type, s), 0) for s, _ in states]
        result.rows.append((labels.get(item_type, item_type), cells, sum(cells)))
    return result


def _days(days: int) -> tuple[list[date], datetime]:
    today = timezone.now().date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    return [first + timedelta(days=i) for i in range(days)], since


def events_per_day(*, company: Company, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Webhook events received per day, the last ``days`` days (zeros included)."""
    dates, since = _days(days)
    found = dict(
        NotificationEvent.objects.filter(company=company, received_at__gte=since)
        .order_by()
        .annotate(day=TruncDate("received_at"))
        .values_list("day")
        .annotate(n=Count("*"))
        .values_list("day", "n")
    )
    return [(d, found.get(d, 0)) for d in dates]


def outcomes_per_day(*, company: Company, days: int = CHART_DAYS) -> list[tuple[date, int, int]]:
    """ERP requests that ended per day: (day, succeeded, failed or dead or stale)."""
    dates, since = _days(days)
    rows = (
        ERPRequest.objects.filter(
            company=company,
            completed_at__gte=since,
            state__in=(WorkState.SUCCEEDED, *ERROR_STATES),
        )
        .order_by()
        .annotate(day=TruncDate("completed_at"))
        .values_list("day", "state")
        .annotate(n=Count("*"))
    )
    ok: dict[date, int] = {}
    bad: dict[date, int] = {}
    for day, state, n in rows:
        target = ok if state == WorkState.SUCCEEDED else bad
        target[day] = target.get(day, 0) + n
    return [(d, ok.get(d, 0), bad.get(d, 0)) for d in dates]


def recent_runs(*, company: Company, limit: int = 20) -> list[SyncRun]:
    """The company's newest import runs (their company index), without their refusals."""
    return list(
        SyncRun.objects.filter(company=company)
        .order_by("-id")
        .defer("refusals", "lease_owner")[:limit]
    )


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> int:
    """How many rows, counting at most ``cap + 1`` (the page says "1,000+")."""
    return queryset.order_by().values("pk")[: cap + 1].count()


def error_counts(*, company: Company) -> tuple[int, int]:
    """(failed or dead requests, objects Procore refused), each capped."""
    requests = capped_count(ERPRequest.objects.filter(company=company, state__in=ERROR_STATES))
    items = capped_count(ObjectLink.objects.filter(company=company, state=ObjectLink.State.FAILED))
    return requests, items
