"""Cost types (the events dictionary's "Standard Categories" section; Procore calls them line
item types): synced straight into Procore by ``sync_standard_categories``, an event that carries
no Request Detail; and the Super User's deletes, which the portal's links follow.
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


@register("sync_standard_categories")
def sync_standard_categories(ctx: HandlerContext) -> Outcome:
    return import_for_request(ctx, Entity.STANDARD_CATEGORIES)


@register("delete_standard_categories")
def delete_standard_categories(ctx: HandlerContext) -> Outcome:
    """A Super User deleted cost types in Procore: the links forget them, so the next import
    sends the ERP's cost types again."""
    items = ctx.request_data.get("standard_category_data_array") or []
    return Outcome.success(
        object_links=tuple(
            LinkChange.unlinked(ItemType.LINE_ITEM_TYPE, str(item["origin_id"]))
            for item in items
            if isinstance(item, dict) and item.get("origin_id")
        )
    )
