"""What a company's own users read (the API for scripts, the portal's pages): its ERP requests,
import runs, object links and health. Each read takes a company already resolved through
``selectors.memberships`` and never reaches past it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from integrations.models import (
    Company,
    ERPRequest,
    NotificationEvent,
    ObjectLink,
    SyncRun,
)
from integrations.selectors.health import SideHealth
from integrations.selectors.health import company_health as health_of


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
class CompanyHealth:
    """What the API says of a company's health: ``integrations.selectors.health``'s answer
    (the same the dashboard and support's overview show) and when Procore last sent an event."""

    connected: bool
    provisioned_at: datetime | None
    procore: SideHealth
    erp: SideHealth
    last_event_at: datetime | None


def company_health(*, company: Company) -> CompanyHealth:
    health = health_of(company=company)
    last_event = (
        NotificationEvent.objects.filter(company=company)
        .order_by("-id")
        .values_list("received_at", flat=True)
        .first()
    )
    return CompanyHealth(
        connected=health.connected,
        provisioned_at=health.provisioned_at,
        procore=health.procore,
        erp=health.erp,
        last_event_at=last_event,
    )
