"""Vendors: export through ``create_vendor``, import through staged records (``sync_vendors``)."""

from __future__ import annotations

from erp_adapters.base import ExternalLink
from integrations.handlers.registry import HandlerContext, Outcome, register
from integrations.models import ItemType
from integrations.services.object_links import object_link_mark_synced


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
    links = result.links or (ExternalLink("vendor", int(vendor["id"]), result.origin_id),)
    if result.created:
        message = f"Created in the ERP as {result.origin_code}."
    else:
        message = f"Already in the ERP as {result.origin_code}."
    return Outcome.success(message, links=links)


@register("create_vendor_in_procore")
def create_vendor_in_procore(ctx: HandlerContext) -> Outcome:
    """An approver imported a staged vendor; Procore created it with our origin id."""
    vendor = ctx.request_data.get("vendor") or {}
    origin_id = vendor.get("origin_id")
    if not (vendor.get("id") and origin_id):
        return Outcome.failed("The import notice names no vendor with an ERP id.")
    object_link_mark_synced(
        company=ctx.company,
        item_type=ItemType.VENDOR,
        origin_id=str(origin_id),
        origin_code=str(vendor.get("origin_code") or ""),
        procore_id=int(vendor["id"]),
    )
    return Outcome.success()
