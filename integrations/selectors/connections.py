"""How the portal reaches a company: its connection."""

from __future__ import annotations

from integrations.models import Connection


def connection_for_company(*, company_id: int) -> Connection | None:
    """The company's connection with the company loaded alongside (one query), or None."""
    return Connection.objects.select_related("company").filter(company_id=company_id).first()
