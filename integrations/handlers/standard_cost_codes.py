"""Standard cost codes (the events dictionary's "Standard Cost Codes" section), synced straight
into the company's standard cost code list by ``sync_standard_cost_codes``.

Not handled yet: ``create_standard_cost_codes``, ``delete_standard_cost_codes``,
``unlink_standard_cost_codes``.
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, Outcome, register
from integrations.services.connections import connection_cost_code_list_learn


@register("sync_standard_cost_codes")
def sync_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """The request names the list to sync into; a connection provisioned before we kept the
    list id learns it here."""
    list_id = ctx.request_data.get("standard_cost_code_list_id")
    if list_id and str(list_id).isdigit():
        connection_cost_code_list_learn(connection=ctx.connection, list_id=int(list_id))
    return import_for_request(ctx, Entity.STANDARD_COST_CODES)
