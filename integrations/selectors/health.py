"""A company's health, both sides, as one answer for every page that shows it.

The company's dashboard, the API and support's company overview all say how Procore and the ERP
are doing; they read it here, so the three never disagree. Each side is what its last explicit
check found (``Connection.health``/``erp_health``, written by "Test connection",
``check_connection`` and the scheduled check) unless the workers' own calls to that side are
more recent: its circuit breaker records every call's outcome, and an outage found by a worker
a minute ago matters more than a check that passed an hour ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integrations.models import CircuitBreaker, Company, Connection


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


def _breaker_side(name: str, breaker: CircuitBreaker) -> SideHealth:
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
    if breaker.state == CircuitBreaker.State.HALF_OPEN or breaker.consecutive_failures:
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
    """The last explicit check of a side, or what the workers' calls say when more recent."""
    if breaker is None:
        return checked
    calls = _breaker_side(checked.name, breaker)
    if calls.checked_at and (checked.checked_at is None or calls.checked_at > checked.checked_at):
        return calls
    return checked


def company_health(*, company: Company) -> Health:
    """Both sides of ``company``'s integration, in two indexed queries."""
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
    if not connection.adapter_key:
        erp = SideHealth(
            "ERP", "unknown", "No ERP adapter", "No ERP is configured for this company.", None
        )
    else:
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
