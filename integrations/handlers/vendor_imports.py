"""``sync_vendors``: the approver pressed Refresh Vendors; run the vendor import and report it."""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.registry import HandlerContext, Outcome, register
from integrations.services.sync_runs import sync_run_for_request, sync_run_messages


@register("sync_vendors")
def sync_vendors(ctx: HandlerContext) -> Outcome:
    """Stage new vendors, update synced ones, archive the gone; retryable errors propagate so
    the request is retried and the same run resumes."""
    run = sync_run_for_request(
        erp_request=ctx.erp_request, entity=Entity.VENDORS, client=ctx.client
    )
    ok, messages = sync_run_messages(run)
    return Outcome.success(*messages) if ok else Outcome.failed(*messages)
