"""One company at a glance for support on call: both healths, the last event, dead letters and
what failed lately, each with the filters that open the matching list."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
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
from integrations.selectors.dead_letters import dead_close_outs_count, dead_letters_count
from integrations.selectors.health import SideHealth, company_health

# What counts as a failure on the overview, and how far back it looks.
FAILED_REQUEST_STATES = (WorkState.FAILED, WorkState.DEAD, WorkState.STALE)
FAILED_RUN_STATES = (SyncRun.State.FAILED, SyncRun.State.PARTIAL)
FAILURE_WINDOW = timedelta(days=7)
_REQUEST_FAILURE = {
    WorkState.FAILED: "failed requests",
    WorkState.DEAD: "dead letters",
    WorkState.STALE: "stale requests",
}
_RUN_FAILURE = {
    SyncRun.State.FAILED: "failed import runs",
    SyncRun.State.PARTIAL: "import runs with item errors",
}


@dataclass(frozen=True)
class FailureCount:
    """How many things of one entity failed one way; ``model`` and ``filters`` open the list."""

    entity: str
    what: str
    count: int
    model: str
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompanyOverview:
    company: Company
    connection: Connection | None
    procore: SideHealth
    erp: SideHealth
    last_event: NotificationEvent | None
    dead_letters: int
    dead_close_outs: int
    failures: list[FailureCount]
    open_breakers: list[CircuitBreaker]
    since: datetime


def company_overview(*, company: Company, now: datetime | None = None) -> CompanyOverview:
    """Everything the overview page shows, in a few indexed queries (none scans a ledger)."""
    now = now or timezone.now()
    since = now - FAILURE_WINDOW
    connection = Connection.objects.filter(company=company).first()
    breakers = {b.target: b for b in CircuitBreaker.objects.filter(company=company)}
    last_event = NotificationEvent.objects.filter(company=company).order_by("-id").first()
    health = company_health(company=company)
    return CompanyOverview(
        company=company,
        connection=connection,
        procore=health.procore,
        erp=health.erp,
        last_event=last_event,
        dead_letters=dead_letters_count(company_id=company.pk),
        dead_close_outs=dead_close_outs_count(company_id=company.pk),
        failures=_failures(company, since),
        open_breakers=[b for b in breakers.values() if b.state != CircuitBreaker.State.CLOSED],
        since=since,
    )


def _failures(company: Company, since: datetime) -> list[FailureCount]:
    company_filter = {"company__id__exact": str(company.pk)}
    out: list[FailureCount] = []
    requests = (
        ERPRequest.objects.filter(
            state__in=FAILED_REQUEST_STATES, company=company, created_at__gte=since
        )
        .order_by()
        .values("request_name", "state")
        .annotate(n=Count("id"))
        .order_by("request_name", "state")
    )
    for row in requests:
        out.append(
            FailureCount(
                entity=row["request_name"] or "(not fetched)",
                what=_REQUEST_FAILURE[row["state"]],
                count=row["n"],
                model="erprequest",
                filters={
                    **company_filter,
                    "state__exact": row["state"],
                    "request_name": row["request_name"],
                },
            )
        )
    item_types = dict(ObjectLink._meta.get_field("item_type").choices)
    links = (
        ObjectLink.objects.filter(state=ObjectLink.State.FAILED, company=company)
        .order_by()
        .values("item_type")
        .annotate(n=Count("id"))
        .order_by("item_type")
    )
    for row in links:
        out.append(
            FailureCount(
                entity=item_types.get(row["item_type"], row["item_type"]),
                what="objects refused by Procore",
                count=row["n"],
                model="objectlink",
                filters={
                    **company_filter,
                    "state__exact": ObjectLink.State.FAILED,
                    "item_type__exact": row["item_type"],
                },
            )
        )
    runs = (
        SyncRun.objects.filter(state__in=FAILED_RUN_STATES, company=company, created_at__gte=since)
        .order_by()
        .values("item_type", "state")
        .annotate(n=Count("id"))
        .order_by("item_type", "state")
    )
    for row in runs:
        out.append(
            FailureCount(
                entity=item_types.get(row["item_type"], row["item_type"]),
                what=_RUN_FAILURE[row["state"]],
                count=row["n"],
                model="syncrun",
                filters={
                    **company_filter,
                    "state__exact": row["state"],
                    "item_type__exact": row["item_type"],
                },
            )
        )
    return out
