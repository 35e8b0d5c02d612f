"""``sync_vendors``: the approver pressed Refresh Vendors; run the vendor import and report it."""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, Outcome, register


@register("sync_vendors")
def sync_vendors(ctx: HandlerContext) -> Outcome:
    """Stage new vendors, update synced ones, archive the gone."""
    return import_for_request(ctx, Entity.VENDORS)
