"""Payments (the events dictionary's "Payments" section): a payment exported from Procore
(``create_payment``, which the dictionary's own sample spells ``create_contract_payment``; both
are accepted), payments recorded in the ERP brought into Procore (``sync_contract_payments``,
through ``invoice_payments/sync``), and the Super User's reset of one (``reset_payment``).
"""

from __future__ import annotations

from erp_adapters.base import DocumentState, Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType

CONTRACT_PAYMENT = ItemType.CONTRACT_PAYMENT
INVOICE_PAYMENT = ItemType.INVOICE_PAYMENT


@register("create_payment", "create_contract_payment")
def create_contract_payment(ctx: HandlerContext) -> Outcome:
    """Record the exported payment against its requisition in the ERP; the engine then marks
    it synced (External Data ``contract_payment``) and closes the Request Detail."""
    payload = ctx.request_data
    payment = payload.get("contract_payment") or {}
    if not isinstance(payment, dict) or not payment.get("id"):
        return Outcome.failed("The export carries no payment, so nothing was recorded in the ERP.")
    payments = ctx.adapter.contract_payments
    problems = payments.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = payments.create(payload)
    verb = "Recorded" if result.created else "Already recorded"
    return Outcome.success(
        f"{verb} in the ERP as payment {result.origin_code}.",
        external_data=result.links,
        object_links=(
            LinkChange.now_synced(
                CONTRACT_PAYMENT,
                result.origin_id,
                procore_id=int(payment["id"]),
                origin_code=result.origin_code,
            ),
        ),
    )


@register("sync_contract_payments")
def sync_contract_payments(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh on the Subcontractor Invoices tab: an import run writes every
    payment the ERP recorded on an invoice exported from Procore, and only what changed since the
    last run, through ``invoice_payments/sync`` (upsert by the payment's ERP id)."""
    return import_for_request(ctx, Entity.CONTRACT_PAYMENTS)


@register("reset_payment")
def reset_payment(ctx: HandlerContext) -> Outcome:
    """A Super User reset a payment: if the ERP no longer has it (deleted, or void), unlink it
    in Procore (Invoice Payments Unlink); a payment still live in the ERP stays linked."""
    data = ctx.request_data
    payment_id, origin_id = data.get("payment_id"), data.get("origin_id")
    if not payment_id:
        return Outcome.failed("The reset names no payment, so nothing was checked.")
    label = f"Payment {data.get('origin_code') or origin_id or payment_id}"
    standing = ctx.adapter.contract_payments.standing({"origin_id": str(origin_id or "")})
    if standing.live:
        return Outcome.failed(
            f"{label} is still in the ERP, so it stays linked in Procore. Void or delete it "
            "in the ERP first, then reset it again."
        )
    found = ctx.client.unlink_invoice_payment(int(payment_id))
    why = "void" if standing.state is DocumentState.VOID else "no longer"
    where = "is void in the ERP" if why == "void" else "is no longer in the ERP"
    done = "unlinked in Procore" if found else "already gone from Procore"
    changes = (LinkChange.unlinked(INVOICE_PAYMENT, str(origin_id)),) if origin_id else ()
    return Outcome.success(f"{label} {where}: {done}.", object_links=changes)
