"""Standard cost codes (the events dictionary's "Standard Cost Codes" section): imported
straight into the company's standard cost code list (``sync_standard_cost_codes``), exported
into the ERP item by item (``create_standard_cost_codes``, one Request Detail per code), and
the Super User's deletes and unlinks, which the portal's links follow.
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import ConstraintViolation, Entity, ERPNoAnswer, ERPPending
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType
from integrations.services.connections import connection_cost_code_list_learn


@register("sync_standard_cost_codes")
def sync_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """The request names the list to sync into; a connection provisioned before we kept the
    list id learns it here."""
    list_id = ctx.request_data.get("standard_cost_code_list_id")
    if list_id and str(list_id).isdigit():
        connection_cost_code_list_learn(connection=ctx.connection, list_id=int(list_id))
    return import_for_request(ctx, Entity.STANDARD_COST_CODES)


@register("create_standard_cost_codes")
def create_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """Each code in its turn (Procore lists parents before their children), each closing its
    own Request Detail: a refused code does not stop the others, and a code whose parent was
    refused is refused too, saying so. With an ERP that answers later (a file exchange) each
    code's detail shows in progress until the ERP has answered about it."""
    items = ctx.erp_request.request_data
    if not isinstance(items, list) or not items:
        return Outcome.failed("The export carries no standard cost codes.")
    codes = ctx.adapter.standard_cost_codes
    per_detail: dict[int, tuple[str, tuple[str, ...]]] = {}
    links = []
    failed = 0
    waiting: list[float] = []  # an ERP that answers later: when to ask about each code again
    for item in items:
        detail = _detail_id(item)
        label = _label(item)
        problems = codes.check_create(item) if isinstance(item, dict) else ["not a cost code"]
        if not problems:
            try:
                result = codes.create(item)
            except ConstraintViolation as refused:
                problems = refused.messages
            except ERPPending as pending:
                waiting.append(pending.check_again_in)
                if detail is not None:
                    per_detail[detail] = ("in_progress", (f"{label}: {pending}",))
                continue
            except ERPNoAnswer as silent:
                failed += 1
                if detail is not None:
                    per_detail[detail] = ("stale", (f"{label}: {silent}",))
                continue
            else:
                links.extend(result.links)
                verb = "Created" if result.created else "Already"
                message = f"{verb} in the ERP as {result.origin_code}."
                if detail is not None:
                    per_detail[detail] = ("success", (message,))
                continue
        failed += 1
        if detail is not None:
            per_detail[detail] = ("failed", tuple(f"{label}: {p}" for p in problems))
    done = len(items) - failed - len(waiting)
    summary = f"{done} of {len(items)} standard cost codes created in the ERP."
    if waiting:
        # Each code keeps its own status meanwhile; the request is asked again until the ERP
        # has answered about every one.
        summary += f" {len(waiting)} wait for the ERP's answer."
        return Outcome(
            "in_progress",
            (summary,),
            per_detail=per_detail,
            external_data=tuple(links),
            check_again_in=min(waiting),
        )
    status = "success" if not failed else "failed"
    return Outcome(status, (summary,), per_detail=per_detail, external_data=tuple(links))


def _detail_id(item: Any) -> int | None:
    value = item.get("request_detail_id") if isinstance(item, dict) else None
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None


def _label(item: Any) -> str:
    if not isinstance(item, dict):
        return "A cost code"
    code = item.get("full_code") or item.get("code") or ""
    return f"{code} {item.get('name') or ''}".strip() or "A cost code"


def _forgotten(items: Any) -> tuple[LinkChange, ...]:
    return tuple(
        LinkChange.unlinked(ItemType.STANDARD_COST_CODE, str(item["origin_id"]))
        for item in items or []
        if isinstance(item, dict) and item.get("origin_id")
    )


@register("delete_standard_cost_codes")
def delete_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """A Super User deleted standard cost codes in Procore: nothing to do in the ERP; the links
    forget the Procore codes, so the next import sends the ERP's codes again."""
    return Outcome.success(
        object_links=_forgotten(ctx.request_data.get("standard_cost_code_data_array"))
    )


@register("unlink_standard_cost_codes")
def unlink_standard_cost_codes(ctx: HandlerContext) -> Outcome:
    """A Super User unlinked standard cost codes from the ERP: the links forget them."""
    return Outcome.success(object_links=_forgotten(ctx.request_data.get("standard_cost_codes")))
