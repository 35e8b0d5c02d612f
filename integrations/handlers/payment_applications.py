"""Payment applications (the events dictionary's "Payment Applications" section): the general
contractor's pay application to the owner, exported from Procore with its line items
(``create_payment_application``), and unlinked when the ERP no longer holds it live
(``unlink_payment_application``).

The ERP enters the pay application and every line in one go or not at all; Procore is then told
the ERP ids of the pay application and of each line (External Data ``payment_application`` and
``payment_application_line_item``, as the dictionary asks), batched with the close-out.
"""

from __future__ import annotations

from integrations.handlers.document_unlinks import unlink_document
from integrations.handlers.imports import procore_id as procore_id_of
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


def _pay_app(ctx: HandlerContext) -> dict:
    value = ctx.request_data.get("payment_application")
    return value if isinstance(value, dict) else {}


@register("create_payment_application")
def create_payment_application(ctx: HandlerContext) -> Outcome:
    """Every line's problem is named by its line (an unknown job, an over-billed line); a
    re-delivered export finds the pay application already entered and finishes the write-back."""
    pay_app = _pay_app(ctx)
    procore_id = procore_id_of(pay_app.get("id"))
    if procore_id is None:
        return Outcome.failed(
            "The export carries no payment application, so nothing was entered in the ERP."
        )
    payload = {**ctx.request_data, "payment_application": {**pay_app, "id": procore_id}}
    pay_apps = ctx.adapter.payment_applications
    problems = pay_apps.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = pay_apps.create(payload)
    lines = len(result.links) - 1
    verb = "Entered in the ERP" if result.created else "Already in the ERP"
    return Outcome.success(
        f"{verb} as pay application {result.origin_code} with {lines} "
        f"line{'' if lines == 1 else 's'}.",
        external_data=result.links,
        object_links=(
            LinkChange.now_synced(
                ItemType.PAYMENT_APPLICATION,
                result.origin_id,
                procore_id=procore_id,
                origin_code=result.origin_code,
                name=str(pay_app.get("contract_name") or ""),
            ),
        ),
    )


@register("unlink_payment_application")
def unlink_payment_application(ctx: HandlerContext) -> Outcome:
    pay_app = _pay_app(ctx)
    children = [
        (ItemType.PAYMENT_APPLICATION_LINE_ITEM, item_id)
        for item_id in (
            procore_id_of(item.get("id"))
            for item in pay_app.get("items") or []
            if isinstance(item, dict)
        )
        if item_id is not None
    ]
    return unlink_document(
        ctx,
        ctx.adapter.payment_applications,
        pay_app,
        item_type=ItemType.PAYMENT_APPLICATION,
        noun="payment application",
        children=children,
    )
