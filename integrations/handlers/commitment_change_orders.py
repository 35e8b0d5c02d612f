"""Commitment change orders (the events dictionary's "Commitment Change Orders" section).

An accountant approves a change order in Procore because it moves money: the ERP must hold it
exactly once, with every line, or not at all. ``create_commitment_change_order`` asks the ERP
to create the change order and its lines in one go (a refused line leaves nothing behind, and
the approver reads which line and why); a re-delivered or retried export finds the change order
the ERP already holds for that Procore id and finishes the write-back. The write-back is the
External Data of the change order and of each of its lines, sent by the engine in one call with
the close-out.

``unlink_commitment_change_order`` asks the ERP about the change order: gone or void there, it
is unsynced in Procore (External Data with ``origin_id: null``); still live, the unlink is
refused with the reason. ``sync_commitment_change_orders`` stages the ERP's change orders with
their lines (``sync_entities``).
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import DocumentState, Entity, EntityNotSupported
from integrations.handlers.imports import import_for_request, procore_id
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType
from integrations.services.external_data import external_data_unsync

CHANGE_ORDER = "change_order"  # External Data item type (erp_external_data_details.md)
LINE_ITEM = "line_item"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@register("create_commitment_change_order")
def create_commitment_change_order(ctx: HandlerContext) -> Outcome:
    """Create the change order with all its lines in the ERP, or nothing; then Procore is told
    the ERP ids of the change order and each line (the engine's one External Data call)."""
    payload = ctx.request_data
    change_order = payload.get("change_order") or {}
    change_order_id = procore_id(change_order.get("id"))
    if change_order_id is None:
        return Outcome.failed(
            "The export carries no change order, so nothing was created in the ERP."
        )
    change_orders = ctx.adapter.commitment_change_orders
    problems = change_orders.check_create(payload)
    if problems:
        return Outcome.failed(*_refusal(payload, problems))
    result = change_orders.create(payload)
    lines = sum(1 for link in result.links if link.item_type == LINE_ITEM)
    commitment = (payload.get("commitment") or {}).get("number") or ""
    where = f" on commitment {commitment}" if commitment else ""
    if result.created:
        message = (
            f"Created change order {result.origin_code}{where} in the ERP with "
            f"{_plural(lines, 'line')}."
        )
    else:
        message = (
            f"Change order {result.origin_code}{where} was already in the ERP "
            f"({_plural(lines, 'line')}); Procore now shows it synced."
        )
    link = LinkChange.now_synced(
        ItemType.COMMITMENT_CHANGE_ORDER,
        result.origin_id,
        procore_id=change_order_id,
        origin_code=result.origin_code,
        name=str(change_order.get("title") or ""),
    )
    return Outcome.success(message, external_data=result.links, object_links=(link,))


def _refusal(payload: dict[str, Any], problems: list[str]) -> list[str]:
    """The ERP's reasons, after one sentence saying that nothing of the change order was kept."""
    number = (payload.get("change_order") or {}).get("number")
    label = f"Change order {number}" if number not in (None, "") else "The change order"
    return [f"{label} was not created in the ERP (none of its lines were kept):", *problems]


@register("unlink_commitment_change_order")
def unlink_commitment_change_order(ctx: HandlerContext) -> Outcome:
    """Unsync the change order in Procore when the ERP no longer holds it, or holds it void;
    refuse while it is live in the ERP, saying why."""
    data = ctx.request_data
    change_order_id = procore_id(data.get("procore_commitment_change_order_id"))
    origin_id = data.get("commitment_change_order_origin_id")
    if change_order_id is None:
        return Outcome.failed("The unlink notice names no change order with a Procore id.")
    try:
        change_orders = ctx.adapter.commitment_change_orders
        standing_of = change_orders.standing
    except (EntityNotSupported, AttributeError):
        return Outcome.failed(
            "This ERP cannot say whether the change order is still live, so it was not "
            "unlinked; unlink it only after checking the ERP, or ask support."
        )
    standing = standing_of(
        {"procore_id": change_order_id, "origin_id": str(origin_id) if origin_id else None}
    )
    if standing.live:
        return Outcome.failed(
            f"The ERP still holds {standing.label} ({standing.status or 'live'}), so it cannot be "
            "unlinked: Procore and the ERP would disagree about money the ERP still owes. Void "
            "or delete it in the ERP first, then unlink it again."
        )
    sent = external_data_unsync(
        client=ctx.client,
        items=[
            (CHANGE_ORDER, change_order_id),
            *((LINE_ITEM, line_id) for line_id in standing.line_procore_ids),
        ],
    )
    refused_header = any(error.index == 0 for error in sent.errors)
    if refused_header or (sent.errors and not sent.entities):
        reasons = "; ".join(str(error) for error in sent.errors[:5])
        return Outcome.failed(f"Procore did not unsync the change order: {reasons}")
    links = (
        (LinkChange.unlinked(ItemType.COMMITMENT_CHANGE_ORDER, str(origin_id)),)
        if origin_id
        else ()
    )
    why = (
        "is void in the ERP" if standing.state is DocumentState.VOID else "is no longer in the ERP"
    )
    return Outcome.success(
        f"Unlinked: {standing.label} {why}; Procore no longer shows it synced.",
        object_links=links,
    )


@register("sync_commitment_change_orders")
def sync_commitment_change_orders(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh: stage the ERP's change orders with their lines, archive
    those that left the ERP, and say which were left out (their commitment not synced yet)."""
    return import_for_request(ctx, Entity.COMMITMENT_CHANGE_ORDERS)
