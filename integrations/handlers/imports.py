"""What every ``sync_*`` handler does: run (or resume) the import the request started, and
report it to the approver on the Request Detail. Shared by the entity modules; registers
nothing itself."""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.registry import HandlerContext, Outcome
from integrations.services.sync_run_summaries import sync_run_messages
from integrations.services.sync_runs import sync_run_for_request


def import_for_request(ctx: HandlerContext, entity: Entity) -> Outcome:
    """Retryable errors propagate, so the request is retried and the same run resumes."""
    run = sync_run_for_request(erp_request=ctx.erp_request, entity=entity, client=ctx.client)
    ok, messages = sync_run_messages(run)
    return Outcome.success(*messages) if ok else Outcome.failed(*messages)
