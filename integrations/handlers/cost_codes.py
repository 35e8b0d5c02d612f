"""Reference data synced straight into Procore: ``sync_standard_cost_codes`` (into the
company's standard cost code list) and ``sync_standard_categories`` (cost types, which Procore
calls line item types; this event has no Request Detail)."""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, Outcome, register
from integrations.models import Connection


@register("sync_standard_cost_codes")
def sync_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """The request names the list to sync into; a connection provisioned before we kept the
    list id learns it here."""
    list_id = ctx.request_data.get("standard_cost_code_list_id")
    if list_id and str(list_id).isdigit() and not ctx.connection.standard_cost_code_list_id:
        ctx.connection.standard_cost_code_list_id = int(list_id)
        Connection.objects.filter(pk=ctx.connection.pk).update(
            standard_cost_code_list_id=int(list_id)
        )
    return import_for_request(ctx, Entity.STANDARD_COST_CODES)


@register("sync_standard_categories")
def sync_standard_categories(ctx: HandlerContext) -> Outcome:
    return import_for_request(ctx, Entity.STANDARD_CATEGORIES)
