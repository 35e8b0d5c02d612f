"""Company-level direct costs (the events dictionary's "Company Level Direct Costs" section):
an invoice or expense entered in Procore's company-level Direct Costs, exported with its lines
(each posting to a job, cost code and cost type) by ``create_company_level_direct_cost``;
unlinked when the ERP no longer holds it live (``unlink_company_level_direct_cost``); reset by
an ERP support representative (``reset_company_level_direct_cost``).

The dictionary asks for External Data of the direct cost only (``item_type:
company_level_direct_cost``, ``item_id`` the direct cost's id), not of its lines.
"""

from __future__ import annotations

from integrations.handlers.document_unlinks import origin_id_of, unlink_document
from integrations.handlers.imports import procore_id as procore_id_of
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


def _direct_cost(ctx: HandlerContext) -> dict:
    value = ctx.request_data.get("direct_cost")
    return value if isinstance(value, dict) else {}


@register("create_company_level_direct_cost")
def create_company_level_direct_cost(ctx: HandlerContext) -> Outcome:
    """Entered whole or refused with every line's problem; a re-delivered export finds the
    direct cost already entered and finishes the write-back."""
    direct_cost = _direct_cost(ctx)
    procore_id = procore_id_of(direct_cost.get("id"))
    if procore_id is None:
        return Outcome.failed(
            "The export carries no direct cost, so nothing was entered in the ERP."
        )
    payload = {**ctx.request_data, "direct_cost": {**direct_cost, "id": procore_id}}
    direct_costs = ctx.adapter.direct_costs
    problems = direct_costs.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = direct_costs.create(payload)
    verb = "Entered in the ERP" if result.created else "Already in the ERP"
    return Outcome.success(
        f"{verb} as direct cost {result.origin_code}.",
        external_data=result.links,
        object_links=(
            LinkChange.now_synced(
                ItemType.COMPANY_LEVEL_DIRECT_COST,
                result.origin_id,
                procore_id=procore_id,
                origin_code=result.origin_code,
                name=str(direct_cost.get("description") or "")[:255],
            ),
        ),
    )


@register("unlink_company_level_direct_cost")
def unlink_company_level_direct_cost(ctx: HandlerContext) -> Outcome:
    return unlink_document(
        ctx,
        ctx.adapter.direct_costs,
        _direct_cost(ctx),
        item_type=ItemType.COMPANY_LEVEL_DIRECT_COST,
        noun="direct cost",
    )


@register("reset_company_level_direct_cost")
def reset_company_level_direct_cost(ctx: HandlerContext) -> Outcome:
    """Procore already returned the direct cost to unsynced; nothing is required of the ERP
    (it keeps the document, so exporting it again finds it rather than entering a copy). The
    portal's own link of it is forgotten, so it no longer shows as synced."""
    data = ctx.request_data
    direct_cost = data.get("direct_cost") if isinstance(data.get("direct_cost"), dict) else {}
    origin_id = origin_id_of(data) or origin_id_of(direct_cost)
    if not origin_id and procore_id_of(direct_cost.get("id")) is None:
        return Outcome.failed("The reset notice names no direct cost.")
    label = data.get("origin_code") or origin_id or direct_cost.get("id")
    links = (
        (LinkChange.unlinked(ItemType.COMPANY_LEVEL_DIRECT_COST, origin_id),) if origin_id else ()
    )
    return Outcome.success(
        f"Direct cost {label} is no longer tied to Procore; the ERP keeps it.",
        object_links=links,
    )
