"""Requisitions (the events dictionary's "Requisitions" section): subcontractor invoices
exported from Procore in a batch (``create_requisitions``), and the Super User's reset of one
(``reset_requisition``).

Each requisition of the batch is created in the ERP with all its lines, or not at all: the ERP
refuses the whole requisition when one line is refused (a commitment line it does not hold, an
over-billing), and the requisition's Request Detail closes ``failed`` naming the line and the
reason, while the others of the batch go on. The dictionary's sample carries no
``request_detail_id``; Procore (and our sandbox) gives each requisition its own
``request_detail_id`` inside it, closed with that requisition's outcome, and a request-level one,
if present, closes ``failed`` when any requisition of the batch failed. A re-delivered batch
finds each requisition already in the ERP by ``procore_requisition_id`` and only finishes the
write-back. With an ERP that answers later (a file exchange) every requisition is handed over in
the same pass; each one's detail shows in progress until the ERP has answered about it, and the
request is asked again meanwhile (a requisition sent alone answers for the request's own detail).
"""

from __future__ import annotations

from typing import Any

from erp_adapters.base import ConstraintViolation, ERPNoAnswer, ERPPending, ExternalLink
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType

REQUISITION = ItemType.REQUISITION


def requisition_label(requisition: dict[str, Any]) -> str:
    """The invoice as the approver knows it: "Invoice 9348"."""
    number = requisition.get("invoice_number") or requisition.get("code")
    if number:
        return f"Invoice {number}"
    return f"Requisition {requisition.get('procore_requisition_id')}"


@register("create_requisitions")
def create_requisitions(ctx: HandlerContext) -> Outcome:
    """Create every exported requisition in the ERP, each whole or not at all; External Data
    marks the created ones (and each of their lines) synced in Procore."""
    requisitions = [
        item for item in ctx.request_data.get("requisitions") or [] if isinstance(item, dict)
    ]
    if not requisitions:
        return Outcome.failed(
            "The export carries no requisitions, so nothing was created in the ERP."
        )
    adapter = ctx.adapter.requisitions
    per_detail: dict[int, tuple[str, tuple[str, ...]]] = {}
    links: list[ExternalLink] = []
    changes: list[LinkChange] = []
    summary: list[str] = []
    failures = 0
    waiting: list[float] = []  # when to ask again about each invoice the ERP has not answered
    for requisition in requisitions:
        if requisition.get("request_detail_id") is None and len(requisitions) == 1:
            # Sent alone, the requisition's detail is the request's: an ERP that answers later
            # (a file exchange) names it in its answer, so the request is taken up at once.
            requisition = {
                **requisition,
                "request_detail_id": ctx.request_data.get("request_detail_id"),
            }
        label = requisition_label(requisition)
        if not requisition.get("procore_requisition_id"):
            status, messages = "failed", (f"{label} carries no Procore id; it was not created.",)
        else:
            try:
                problems = adapter.check_create(requisition)
                if problems:
                    raise ConstraintViolation(problems)
                result = adapter.create(requisition)
            except ConstraintViolation as exc:
                status = "failed"
                messages = (
                    f"{label} was not created in the ERP (nothing of it was kept):",
                    *exc.messages,
                )
            except ERPPending as pending:
                # An ERP that answers later (a file exchange): this invoice waits for its
                # answer, the others of the batch go on; the request is asked again.
                status, messages = "in_progress", (f"{label}: {pending}",)
                waiting.append(pending.check_again_in)
            except ERPNoAnswer as silent:
                status, messages = "stale", (f"{label}: {silent}",)
            else:
                status = "success"
                lines = len(result.links) - 1
                verb = "Created" if result.created else "Already"
                messages = (
                    f"{label}: {verb} in the ERP as {result.origin_code} with {lines} "
                    f"line{'s' if lines != 1 else ''}.",
                )
                links.extend(result.links)
                changes.append(
                    LinkChange.now_synced(
                        REQUISITION,
                        result.origin_id,
                        procore_id=int(requisition["procore_requisition_id"]),
                        origin_code=result.origin_code,
                        name=label,
                    )
                )
        failures += status in ("failed", "stale")
        summary.extend(messages)
        detail = requisition.get("request_detail_id")
        if isinstance(detail, int | str) and str(detail).isdigit():
            per_detail[int(detail)] = (status, tuple(messages))
    overall = "in_progress" if waiting else "failed" if failures else "success"
    return Outcome(
        overall,
        tuple(summary),
        per_detail=per_detail,
        external_data=tuple(links),
        object_links=tuple(changes),
        check_again_in=min(waiting) if waiting else 0.0,
    )


@register("reset_requisition")
def reset_requisition(ctx: HandlerContext) -> Outcome:
    """A Super User reset the requisition in Procore (it is unsynced there now): the portal
    forgets its Procore id. The ERP keeps the invoice: its lines are billed, and a re-export of
    the same Procore requisition finds it rather than billing the commitment twice."""
    data = ctx.request_data
    origin_id = data.get("requisition_origin_id")
    if not origin_id:
        return Outcome.success("The reset names no ERP id; the portal had nothing to forget.")
    return Outcome.success(
        f"Requisition {data.get('requisition_id')} is no longer linked to ERP invoice "
        f"{origin_id} in the portal; the ERP keeps the invoice.",
        object_links=(LinkChange.unlinked(REQUISITION, str(origin_id)),),
    )
