"""Asking a company's ERP whether it answers (its adapter's health check), and keeping the
verdict on the connection beside Procore's, so every page can say when each side was checked."""

from __future__ import annotations

from django.utils import timezone

from erp_adapters.base import AdapterError, HealthState, HealthStatus
from erp_adapters.registry import get_adapter
from integrations.models import Connection


def erp_health_check(*, connection: Connection) -> HealthStatus:
    """Run the adapter's health check and store it (``erp_health*``). An adapter that cannot
    even be built (unknown, bad settings) or raises is failing, with its message."""
    if not connection.adapter_key:
        status = HealthStatus(HealthState.FAILING, "No ERP adapter is chosen for this company.")
    else:
        try:
            adapter = get_adapter(connection.adapter_key, connection.adapter_settings)
            status = adapter.health_check()
        except AdapterError as exc:
            status = HealthStatus(HealthState.FAILING, str(exc))
    now = timezone.now()
    Connection.objects.filter(pk=connection.pk).update(
        erp_health=str(status.state), erp_health_message=status.message, erp_health_checked_at=now
    )
    connection.erp_health = str(status.state)
    connection.erp_health_message = status.message
    connection.erp_health_checked_at = now
    return status
