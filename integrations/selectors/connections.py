"""How the portal reaches a company: its connection."""

from __future__ import annotations

from datetime import datetime

from integrations.models import Connection


def connection_for_company(*, company_id: int) -> Connection | None:
    """The company's connection with the company loaded alongside (one query), or None."""
    return Connection.objects.select_related("company").filter(company_id=company_id).first()


def connection_lease_holder(*, connection_id: int) -> tuple[str, datetime | None] | None:
    """Who holds the connection's lease (provisioning it) and until when; None if it is gone."""
    return (
        Connection.objects.filter(pk=connection_id)
        .values_list("lease_owner", "lease_expires_at")
        .first()
    )
