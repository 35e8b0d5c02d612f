"""Commitments (the events dictionary's "Commitments" section): subcontracts (work order
contracts) and purchase orders, with their lines.

- ``create_commitment``: the ERP writes the header and every line in one transaction (a refused
  line leaves nothing, and the approver reads which line and why); a re-delivered or retried
  export finds the document already written and only finishes the write-back. Then Procore is
  told the ERP ids of the header and of each line (External Data, one call with the close-out).
- ``unlink_commitment``: Procore asks to untie a commitment; the portal does so (External Data
  with ``origin_id: null``) only when the ERP no longer holds it as a live document (deleted or
  void), and otherwise says why it stays.
- ``sync_commitments``: the import run stages the ERP's commitments with their lines as
  children (``sync_entities``); ``create_commitment_in_procore``: an approver imported one, and
  the portal remembers the Procore ids of the header and its lines.
"""

from __future__ import annotations

from typing import Any

from erp_adapters import money
from erp_adapters.base import DocumentRef, DocumentState, Entity
from integrations.handlers.imports import import_for_request, procore_id
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType, ObjectLink
from integrations.services.external_data import external_data_unsync

# Procore's commitment ``type`` and the External Data / staged-records item type it goes by.
ITEM_TYPES = {
    "WorkOrderContract": ItemType.WORK_ORDER_CONTRACT,
    "PurchaseOrderContract": ItemType.PURCHASE_ORDER_CONTRACT,
}
COMMITMENT_TYPES = frozenset(ITEM_TYPES.values())
LINE_ITEM = ItemType.LINE_ITEM
WHAT = {
    ItemType.WORK_ORDER_CONTRACT: "subcontract",
    ItemType.PURCHASE_ORDER_CONTRACT: "purchase order",
}


def commitment_item_type(value: Any) -> str | None:
    """``work_order_contract`` or ``purchase_order_contract`` from however a payload names the
    kind (``WorkOrderContract``, ``work_order_contract``, ``PurchaseOrder``, "subcontract")."""
    word = str(value or "").replace("_", "").replace(" ", "").lower()
    if "purchaseorder" in word:
        return ItemType.PURCHASE_ORDER_CONTRACT
    if "workorder" in word or "subcontract" in word:
        return ItemType.WORK_ORDER_CONTRACT
    return None


def _lines_total(items: list[Any]) -> str:
    """The lines' sum as the approver reads it (for the message only; the ERP keeps its own)."""
    amounts = []
    for item in items:
        try:
            amounts.append(money.to_erp(money.amount((item or {}).get("amount"))))
        except money.NotAnAmount:
            continue
    return money.shown(money.total(amounts))


@register("create_commitment")
def create_commitment(ctx: HandlerContext) -> Outcome:
    """Refusals (``ConstraintViolation``) close the detail ``failed`` with the ERP's sentences,
    each naming the line and the reason; nothing of the document stays in the ERP."""
    payload = ctx.request_data
    commitment = payload.get("commitment") or {}
    if procore_id(commitment.get("id")) is None:
        return Outcome.failed(
            "The export carries no commitment, so nothing was created in the ERP."
        )
    items = payload.get("commitment_items") or []
    result = ctx.adapter.commitments.create(payload)
    header = result.links[0] if result.links else None
    if header is None:
        return Outcome.failed("The ERP gave no id for the commitment; nothing was marked synced.")
    lines = len(result.links) - 1
    what = WHAT.get(header.item_type, "commitment")
    verb = "Created" if result.created else "Already"
    message = (
        f"{verb} in the ERP as {what} {result.origin_code} with {lines} "
        f"line{'' if lines == 1 else 's'} totalling {_lines_total(items)}."
    )
    link = LinkChange.now_synced(
        header.item_type,
        result.origin_id,
        procore_id=header.item_id,
        origin_code=result.origin_code,
        name=str(commitment.get("title") or ""),
    )
    return Outcome.success(message, external_data=result.links, object_links=(link,))


def _unlink_ref(data: dict[str, Any], company_id: int) -> tuple[DocumentRef, str | None]:
    """The document as the ERP knows it, and its item type in Procore (from the event's
    ``commitment_type``, else from the portal's own link)."""
    origin_id = data.get("commitment_origin_id")
    ref: DocumentRef = {
        "procore_id": procore_id(data.get("procore_commitment_id")),
        "origin_id": str(origin_id) if origin_id not in (None, "") else None,
        "job_origin_id": data.get("job_origin_id"),
    }
    item_type = commitment_item_type(data.get("commitment_type"))
    if item_type is None and ref["procore_id"] is not None:
        item_type = (
            ObjectLink.objects.filter(item_type__in=COMMITMENT_TYPES, procore_id=ref["procore_id"])
            .values_list("item_type", flat=True)
            .first()
        )
    return ref, item_type


@register("unlink_commitment")
def unlink_commitment(ctx: HandlerContext) -> Outcome:
    """The events dictionary: check the commitment in the ERP; unsync it only if it is deleted
    there (or void, which no longer binds anyone); close the detail either way."""
    ref, item_type = _unlink_ref(ctx.request_data, ctx.connection.company_id)
    if ref["procore_id"] is None:
        return Outcome.failed("The unlink request names no Procore commitment; nothing changed.")
    if item_type is None:
        return Outcome.failed(
            "The unlink request does not say whether this is a subcontract or a purchase "
            "order, and the portal has no record of it; nothing changed."
        )
    standing = ctx.adapter.commitments.standing(ref)
    if standing.live:
        return Outcome.failed(
            f"{standing.label} is still {standing.state.value} in the ERP, so it stays synced. "
            "Void or delete it in the ERP first, then unlink it again."
        )
    result = external_data_unsync(client=ctx.client, items=[(item_type, ref["procore_id"])])
    if result.errors:
        reasons = "; ".join(str(error) for error in result.errors)
        return Outcome.failed(f"Procore did not unsync the commitment: {reasons}")
    changes = []
    if ref["origin_id"]:
        changes.append(LinkChange.unlinked(item_type, ref["origin_id"]))
    else:
        changes.extend(
            LinkChange.unlinked(item_type, origin)
            for origin in ObjectLink.objects.filter(
                company_id=ctx.connection.company_id,
                item_type=item_type,
                procore_id=ref["procore_id"],
            ).values_list("origin_id", flat=True)
        )
    if standing.state is DocumentState.VOID:
        why = f"{standing.label} is void in the ERP"
    else:
        why = "The ERP no longer holds this commitment"
    return Outcome.success(f"{why}; it is unlinked in Procore.", object_links=tuple(changes))


@register("sync_commitments")
def sync_commitments(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh Commitments: stage new documents with their lines, archive
    the staged ones that left the ERP, and say which wait for their job or vendor."""
    return import_for_request(ctx, Entity.COMMITMENTS)


@register("create_commitment_in_procore")
def create_commitment_in_procore(ctx: HandlerContext) -> Outcome:
    """An approver imported a staged commitment; Procore created it (and its lines) with our
    origin ids. Nothing is required; the portal remembers the Procore ids, so the next import
    leaves them alone and change orders can name them."""
    commitment = ctx.request_data.get("commitment") or {}
    header_id = procore_id(commitment.get("id"))
    origin_id = commitment.get("origin_id")
    if header_id is None or not origin_id:
        return Outcome.success(
            "The import notice names no commitment with a Procore id and an ERP id; nothing to "
            "remember."
        )
    item_type = commitment_item_type(commitment.get("type")) or (
        ObjectLink.objects.filter(
            company_id=ctx.connection.company_id,
            item_type__in=COMMITMENT_TYPES,
            origin_id=str(origin_id),
        )
        .values_list("item_type", flat=True)
        .first()
    )
    if item_type is None:
        return Outcome.failed(
            "The import notice does not say whether the commitment is a subcontract or a "
            "purchase order, and the portal never staged it."
        )
    changes = [
        LinkChange.now_synced(
            item_type,
            str(origin_id),
            procore_id=header_id,
            origin_code=str(commitment.get("number") or ""),
            name=str(commitment.get("title") or ""),
        )
    ]
    for line in commitment.get("line_items") or []:
        line_id, line_origin = procore_id((line or {}).get("id")), (line or {}).get("origin_id")
        if line_id is not None and line_origin:
            changes.append(LinkChange.now_synced(LINE_ITEM, str(line_origin), procore_id=line_id))
    lines = len(changes) - 1
    return Outcome.success(
        f"Imported into Procore with {lines} line{'' if lines == 1 else 's'}.",
        object_links=tuple(changes),
    )
