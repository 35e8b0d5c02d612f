"""Vendors (the events dictionary's "Vendors" section): exported through ``create_vendor``,
imported through staged records (``sync_vendors``), then approved in Procore
(``create_vendor_in_procore``); and the notifications of what Procore's people did to the tie
between a Procore vendor and an ERP vendor (``link_vendor``, ``link_all_vendors``,
``merge_vendors``, ``unlink_vendor``), which the portal's own links follow so they never drift
from Procore's.
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import CreateResult, Entity, ExternalLink
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import Company, ItemType
from integrations.selectors.metadata import metadata_config_live
from integrations.services.metadata import metadata_default_document


@register("create_vendor")
def create_vendor(ctx: HandlerContext) -> Outcome:
    """Create the exported vendor in the ERP; the engine then marks it synced in Procore (External
    Data, batched with other exports) and closes the Request Detail. A vendor exported before
    (it carries its ERP id) is an update, done only when the metadata enables vendor updates.
    The portal's link keeps the ERP's vendor code, so support finds it by the code the
    accountant knows."""
    payload = ctx.request_data
    vendor = payload.get("vendor") or {}
    if not vendor.get("id"):
        return Outcome.failed("The export carries no vendor, so nothing was created in the ERP.")
    if vendor.get("origin_id"):
        return _update_vendor(ctx, payload)
    vendors = ctx.adapter.vendors
    problems = vendors.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = vendors.create(payload)
    if result.created:
        message = f"Created in the ERP as {result.origin_code}."
    else:
        message = f"Already in the ERP as {result.origin_code}."
    return _vendor_exported(vendor, result, message)


def _vendor_exported(vendor: dict[str, Any], result: CreateResult, message: str) -> Outcome:
    links = result.links or (ExternalLink(ItemType.VENDOR, int(vendor["id"]), result.origin_id),)
    code = LinkChange.now_synced(
        ItemType.VENDOR,
        result.origin_id,
        procore_id=int(vendor["id"]),
        origin_code=result.origin_code,
    )
    return Outcome.success(message, external_data=links, object_links=(code,))


def vendor_updates_enabled(company: Company) -> bool:
    """``vendors.configs.export.update.enabled`` in the company's live metadata (the default
    document before it has one)."""
    live = metadata_config_live(company=company)
    document = live.document if live is not None else metadata_default_document()
    vendors = ((document or {}).get("settings") or {}).get("entities", {}).get("vendors") or {}
    export = (vendors.get("configs") or {}).get("export") or {}
    return bool(
        vendors.get("enabled")
        and export.get("enabled")
        and (export.get("update") or {}).get("enabled")
    )


def _update_vendor(ctx: HandlerContext, payload: dict[str, Any]) -> Outcome:
    vendor = payload["vendor"]
    if not vendor_updates_enabled(ctx.company):
        return Outcome.failed(
            "This vendor is already in the ERP, and updating exported vendors is turned off for "
            "this company; nothing was changed. Change the vendor in the ERP, or ask your "
            "integration support team to turn vendor updates on."
        )
    vendors = ctx.adapter.vendors
    problems = vendors.check_update(payload)
    if problems:
        return Outcome.failed(*problems)
    result = vendors.update(payload)
    return _vendor_exported(vendor, result, f"Updated in the ERP ({result.origin_code}).")


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
                name=str(vendor.get("name") or ""),
            ),
        )
    )


def _vendor_ref(value: object) -> tuple[int, str] | None:
    """(Procore id, origin id) of a ``{id, origin_id}`` reference, or None if either is missing."""
    if not isinstance(value, dict):
        return None
    procore_id, origin_id = value.get("id"), value.get("origin_id")
    if not (isinstance(procore_id, int) and not isinstance(procore_id, bool) and origin_id):
        return None
    return procore_id, str(origin_id)


@register("link_vendor")
def link_vendor(ctx: HandlerContext) -> Outcome:
    """A person linked a Procore vendor to an ERP vendor: Procore copied the origin id onto it,
    so the portal now knows that vendor's Procore id."""
    ref = _vendor_ref(ctx.request_data.get("vendor"))
    if ref is None:
        return Outcome.failed("The link notice names no vendor with a Procore id and an ERP id.")
    procore_id, origin_id = ref
    return Outcome.success(
        object_links=(LinkChange.now_synced(ItemType.VENDOR, origin_id, procore_id=procore_id),)
    )


@register("link_all_vendors")
def link_all_vendors(ctx: HandlerContext) -> Outcome:
    """Procore linked every vendor it could match; each one is known by its Procore id now."""
    refs = [_vendor_ref(v) for v in ctx.request_data.get("vendors") or []]
    changes = tuple(
        LinkChange.now_synced(ItemType.VENDOR, origin_id, procore_id=procore_id)
        for procore_id, origin_id in filter(None, refs)
    )
    return Outcome.success(object_links=changes)


@register("merge_vendors")
def merge_vendors(ctx: HandlerContext) -> Outcome:
    """Procore merged source vendors into a master vendor: the master's link is the one that
    remains; the sources' ERP vendors are never sent to Procore again (they would come back as
    duplicates of the vendor they were merged into)."""
    master = _vendor_ref(ctx.request_data.get("master_vendor"))
    if master is None:
        return Outcome.failed("The merge notice names no master vendor with an ERP id.")
    procore_id, origin_id = master
    changes = [LinkChange.now_synced(ItemType.VENDOR, origin_id, procore_id=procore_id)]
    for source in ctx.request_data.get("source_vendors") or []:
        ref = _vendor_ref(source)
        if ref is not None and ref[1] != origin_id:
            changes.append(LinkChange.merged(ItemType.VENDOR, ref[1]))
    return Outcome.success(object_links=tuple(changes))


@register("unlink_vendor")
def unlink_vendor(ctx: HandlerContext) -> Outcome:
    """A person unlinked a vendor in Procore: the portal forgets its Procore id, so the next
    import does not update it through ``vendors/sync`` as if it were still synced."""
    ref = _vendor_ref(ctx.request_data.get("vendor"))
    if ref is None:
        return Outcome.failed("The unlink notice names no vendor with an ERP id.")
    return Outcome.success(object_links=(LinkChange.unlinked(ItemType.VENDOR, ref[1]),))
