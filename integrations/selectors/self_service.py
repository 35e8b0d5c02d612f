"""What a company's own users read (the API for scripts, the portal's pages): its ERP requests,
import runs, object links and health. Each read takes a company already resolved through
``selectors.memberships`` and never reaches past it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from integrations.models import (
    CircuitBreaker,
    Company,
    Connection,
    ERPRequest,
    NotificationEvent,
    ObjectLink,
    SyncRun,
)


def erp_requests_of_company(
    *, company: Company, state: str = "", request_name: str = ""
) -> QuerySet[ERPRequest]:
    rows = ERPRequest.objects.filter(company=company)
    if state:
        rows = rows.filter(state=state)
    if request_name:
        rows = rows.filter(request_name=request_name)
    return rows


def sync_runs_of_company(
    *, company: Company, entity: str = "", state: str = ""
) -> QuerySet[SyncRun]:
    rows = SyncRun.objects.filter(company=company)
    if entity:
        rows = rows.filter(entity=entity)
    if state:
        rows = rows.filter(state=state)
    return rows


def object_links_of_company(
    *, company: Company, item_type: str = "", state: str = "", search: str = ""
) -> QuerySet[ObjectLink]:
    """``search``: part of the ERP code or id, any case (what accountants type)."""
    rows = ObjectLink.objects.filter(company=company)
    if item_type:
        rows = rows.filter(item_type=item_type)
    if state:
        rows = rows.filter(state=state)
    if search:
        rows = rows.filter(origin_code__icontains=search) | rows.filter(origin_id__icontains=search)
    return rows


@dataclass(frozen=True)
class SideHealth:
    state: str  # "ok", "degraded", "failing", "unknown", or a breaker's "open"/"half_open"
    message: str
    checked_at: datetime | None


@dataclass(frozen=True)
class CompanyHealth:
    connected: bool
    provisioned_at: datetime | None
    procore: SideHealth
    erp: SideHealth
    last_event_at: datetime | None


def company_health(*, company: Company) -> CompanyHealth:
    """Both sides: Procore (the last connection check, or an open breaker) and the ERP (its
    breaker), and when Procore last sent an event."""
    connection = Connection.objects.filter(company=company).first()
    breakers = {b.target: b for b in CircuitBreaker.objects.filter(company=company)}
    last_event = (
        NotificationEvent.objects.filter(company=company)
        .order_by("-id")
        .values_list("received_at", flat=True)
        .first()
    )

    def side(target: str, fallback: SideHealth) -> SideHealth:
        breaker = breakers.get(target)
        if breaker is not None and breaker.state != CircuitBreaker.State.CLOSED:
            return SideHealth(
                breaker.state,
                f"Calls paused after {breaker.consecutive_failures} failures in a row.",
                breaker.updated_at,
            )
        return fallback

    unknown = SideHealth("unknown", "Not checked yet.", None)
    procore = (
        SideHealth(connection.health, connection.health_message, connection.health_checked_at)
        if connection is not None
        else SideHealth("unknown", "Not connected to Procore.", None)
    )
    erp_ok = (
        SideHealth("ok", "Answering.", breakers["erp"].updated_at) if "erp" in breakers else unknown
    )
    return CompanyHealth(
        connected=connection is not None,
        provisioned_at=connection.provisioned_at if connection else None,
        procore=side("procore", procore),
        erp=side("erp", erp_ok),
        last_event_at=last_event,
    )
