"""What a company's dashboard shows besides health (``integrations.selectors.health``): the last
event, objects by state, and the figures behind its charts. One query each, every one bounded by the company's indexes;
the counts are ``COUNT(*)`` so that PostgreSQL answers them from the index alone (an index-only
scan), without visiting the company's rows scattered over the table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from integrations.models import (
    Company,
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
