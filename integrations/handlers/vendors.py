"""Vendors (the events dictionary's "Vendors" section): exported through ``create_vendor``,
imported through staged records (``sync_vendors``), then approved in Procore
(``create_vendor_in_procore``).

Not handled yet: ``link_vendor``, ``link_all_vendors``, ``merge_vendors``, ``unlink_vendor``
(they close "not handled yet" until the jobs-and-vendors work adds them here).
"""

from __future__ import annotations

from erp_adapters.base import Entity, ExternalLink
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


@register("create_vendor")
def create_vendor(ctx: HandlerContext) -> Outcome:
    """Create the exported vendor in the ERP; the engine then marks it synced in Procore (External
    Data, batched with other exports) and closes the Request Detail."""
    payload = ctx.request_data
    vendor = payload.get("vendor") or {}
    if not vendor.get("id"):
        return Outcome.failed("The export carries no vendor, so nothing was created in the ERP.")
    vendors = ctx.adapter.vendors
    problems = vendors.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = vendors.create(payload)
    links = result.links or (ExternalLink(ItemType.VENDOR, int(vendor["id"]), result.origin_id),)
    if result.created:
        message = f"Created in the ERP as {result.origin_code}."
    else:
        message = f"Already in the ERP as {result.origin_code}."
    return Outcome.success(message, external_data=links)


@register("sync_vendors")
def sync_vendors(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh Vendors: stage new vendors, update synced ones, archive the
    gone."""
    return import_for_request(ctx, Entity.VENDORS)


@register("create_vendor_in_procore")
def create_vendor_in_procore(ctx: HandlerContext) -> Outcome:
    """An approver imported a staged vendor; Procore created it with our origin id."""
    vendor = ctx.request_data.get("vendor") or {}
    origin_id = vendor.get("origin_id")
    if not (vendor.get("id") and origin_id):
        return Outcome.failed("The import notice names no vendor with an ERP id.")
    return Outcome.success(
        object_links=(
            LinkChange.now_synced(
                ItemType.VENDOR,
                str(origin_id),
                procore_id=int(vendor["id"]),
                origin_code=str(vendor.get("origin_code") or ""),
            ),
        )
    )
