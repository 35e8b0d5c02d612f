"""``sync_metadata``: Procore asks for metadata it does not hold (procore-erp-api.md §a.3 step 8).

The event carries no Request Detail; pushing the live version is the whole answer. Procore
errors propagate so the machinery retries the retryable ones.
"""

from __future__ import annotations

from integrations.handlers.registry import HandlerContext, Outcome, register
from integrations.services.metadata import MetadataPushError, metadata_config_push


@register("sync_metadata")
def sync_metadata(ctx: HandlerContext) -> Outcome:
    """Push the company's live metadata version to Procore."""
    try:
        pushed = metadata_config_push(
            company=ctx.company, client=ctx.client, actor_label="sync_metadata request"
        )
    except MetadataPushError as exc:
        return Outcome.failed(str(exc))
    return Outcome.success(f"Pushed metadata version {pushed.version}.")
