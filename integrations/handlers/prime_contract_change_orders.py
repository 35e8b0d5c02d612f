"""Prime contract change orders (the events dictionary's "Prime Contract Change Orders").

``create_prime_contract_change_order``: an accounting approver approved the export; the ERP
creates the change order with every line and markup, or nothing (a refused line leaves nothing
behind), once per Procore id, and Procore gets the ERP ids of the change order (``change_order``),
its lines (``line_item``) and markups (``markup``) through External Data.

``unlink_prime_contract_change_order``: the ERP says whether the change order is deleted or void
there; if so Procore unsyncs it (External Data with ``origin_id: null``), otherwise the detail
closes ``failed`` saying why. ``reset_prime_contract_change_order`` (Super User, no Request
Detail): the ERP keeps the change order untied from Procore, and the portal's links of it are
cleared, so a new export is not taken for the old one.
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import DocumentRef, ExternalLink
from integrations.handlers.imports import procore_id as procore_id_of
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType
from integrations.services.external_data import external_data_unsync

HEADER = "change_order"  # External Data item type of a change order (prime or commitment)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@register("create_prime_contract_change_order")
def create_prime_contract_change_order(ctx: HandlerContext) -> Outcome:
    payload = ctx.request_data
    change_order = payload.get("prime_contract_change_order") or {}
    if not change_order.get("id"):
        return Outcome.failed(
            "The export carries no prime contract change order; nothing was changed in the ERP."
        )
    source = ctx.adapter.prime_contract_change_orders
    problems = source.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = source.create(payload)
    lines = sum(1 for link in result.links if link.item_type == "line_item")
    markups = sum(1 for link in result.links if link.item_type == "markup")
    what = f"with {_plural(lines, 'line')}" + (
        f" and {_plural(markups, 'markup')}" if markups else ""
    )
    if result.created:
        message = f"Created in the ERP as change order {result.origin_code}, {what}."
    else:
        message = (
            f"Already in the ERP as change order {result.origin_code}, {what}; nothing was "
            "created twice."
        )
    return Outcome.success(
        message,
        external_data=result.links,
        object_links=(
            LinkChange.now_synced(
                ItemType.PRIME_CONTRACT_CHANGE_ORDER,
                result.origin_id,
                procore_id=int(change_order["id"]),
                origin_code=result.origin_code,
                name=str(change_order.get("title") or ""),
            ),
        ),
    )


def _forgotten(header_origin: str | None, items: list[Any], dropped) -> tuple[LinkChange, ...]:
    """Every portal link of the change order: its header (both item types), its lines as the
    payload names them, and whatever the ERP let go of."""
    changes: set[tuple[str, str]] = {(link.item_type, link.origin_id) for link in dropped}
    if header_origin:
        changes.add((HEADER, header_origin))
        changes.add((ItemType.PRIME_CONTRACT_CHANGE_ORDER, header_origin))
    for item in items:
        if isinstance(item, dict) and item.get("origin_id"):
            changes.add(("line_item", str(item["origin_id"])))
    return tuple(LinkChange.unlinked(t, o) for t, o in sorted(changes))


def _unsync(ctx: HandlerContext, procore_ids: list[tuple[str, Any]]) -> str | None:
    """External Data with ``origin_id: null`` for each (item type, Procore id); Procore's
    refusal in words, or None."""
    if not procore_ids:
        return None
    sent = external_data_unsync(client=ctx.client, items=procore_ids)
    if sent.errors:
        return "; ".join(str(error) for error in sent.errors[:5])
    return None


def _procore_ids(header_id: Any, items: list[Any], dropped) -> list[tuple[str, int]]:
    """(item type, Procore id) of the change order, its lines and markups: as the payload
    names them, and as the ERP knew them."""
    pairs: list[tuple[str, Any]] = [(HEADER, header_id)]
    for item in items:
        if not isinstance(item, dict):
            continue
        pairs.append(("line_item", item.get("id")))
        for markup in item.get("markup_line_items") or []:
            if isinstance(markup, dict):
                pairs.append(("markup", markup.get("id")))
    pairs += [(link.item_type, link.item_id) for link in dropped if link.item_type != HEADER]
    found = {(kind, procore_id_of(value)) for kind, value in pairs}
    ids = {(kind, value) for kind, value in found if value is not None}
    return sorted(ids, key=lambda pair: (pair[0] != HEADER, pair[0], pair[1]))


@register("unlink_prime_contract_change_order")
def unlink_prime_contract_change_order(ctx: HandlerContext) -> Outcome:
    data = ctx.request_data
    change_order = data.get("prime_contract_change_order") or {}
    if not (change_order.get("id") or change_order.get("origin_id")):
        return Outcome.failed("The unlink request names no prime contract change order.")
    ref = DocumentRef(
        procore_id=change_order.get("id"),
        origin_id=change_order.get("origin_id"),
        number=str(change_order.get("number") or ""),
    )
    check = ctx.adapter.prime_contract_change_orders.standing(ref)
    if check.live:
        return Outcome.failed(check.reason)
    items = list(data.get("prime_contract_change_order_line_items") or [])
    refused = _unsync(ctx, _procore_ids(change_order.get("id"), items, check.dropped))
    links = _forgotten(change_order.get("origin_id"), items, check.dropped)
    if refused:
        return Outcome.failed(
            f"The ERP no longer holds {check.label}, but Procore did not unsync it: {refused}"
        )
    return Outcome.success(
        f"Unlinked: {check.label} is deleted or void in the ERP; Procore no longer ties it to "
        "the ERP.",
        object_links=links,
    )


@register("reset_prime_contract_change_order")
def reset_prime_contract_change_order(ctx: HandlerContext) -> Outcome:
    """A Super User reset it in Procore: the ERP keeps the change order and its history but
    forgets its Procore ids; the portal's links of it are cleared."""
    data = ctx.request_data
    origin_id = data.get("prime_contract_change_order_origin_id")
    procore_id = data.get("prime_contract_change_order_id")
    number = str(data.get("prime_contract_change_order_number") or "")
    if not (origin_id or procore_id):
        return Outcome.failed("The reset notice names no prime contract change order.")
    ref = DocumentRef(procore_id=procore_id, origin_id=origin_id, number=number)
    dropped: tuple[ExternalLink, ...] = ctx.adapter.prime_contract_change_orders.release(ref)
    items = list(data.get("prime_contract_change_order_line_items") or [])
    label = f"change order {number}" if number else "the change order"
    if dropped:
        message = f"The ERP keeps {label} and no longer ties it to Procore."
    else:
        message = (
            f"The ERP holds no {label} tied to Procore; the portal's records of it are cleared."
        )
    return Outcome.success(message, object_links=_forgotten(origin_id, items, dropped))
