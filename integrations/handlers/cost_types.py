"""Cost types (the events dictionary's "Standard Categories" section; Procore calls them line
item types), synced straight into Procore by ``sync_standard_categories``, an event that carries
no Request Detail.

Not handled yet: ``delete_standard_categories``.
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, Outcome, register


@register("sync_standard_categories")
def sync_standard_categories(ctx: HandlerContext) -> Outcome:
    return import_for_request(ctx, Entity.STANDARD_CATEGORIES)
