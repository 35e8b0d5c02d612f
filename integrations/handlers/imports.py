"""What the import handlers share. Every ``sync_*`` handler runs (or resumes) the import the
request started and reports it to the approver on the Request Detail; the job and sub job
handlers (``create_*_in_procore``, ``sync_single_job``, ``sync_sub_job``) push a job's cost
structure to Procore once Procore holds the job, and switch on job cost transactions for the
project when the metadata imports job costs. Shared by the entity modules; registers nothing
itself."""

from __future__ import annotations

from erp_adapters.base import Entity, EntityNotSupported
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome
from integrations.services.job_costs import PushOutcome, job_costs_refresh
from integrations.services.metadata import metadata_enables
from integrations.services.sync_run_summaries import sync_run_messages
from integrations.services.sync_runs import sync_run_for_request


def import_for_request(ctx: HandlerContext, entity: Entity) -> Outcome:
    """Retryable errors propagate, so the request is retried and the same run resumes."""
    run = sync_run_for_request(erp_request=ctx.erp_request, entity=entity, client=ctx.client)
    ok, messages = sync_run_messages(run)
    return Outcome.success(*messages) if ok else Outcome.failed(*messages)


CONFIGURATION_FLAG = "erp_job_cost_transaction_syncing_enabled"


def procore_id(value: object) -> int | None:
    """A Procore id as payloads carry it: a number or a digit string (direct costs send
    ``"10000001"``); anything else is no id."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def cost_structure_push(
    ctx: HandlerContext,
    *,
    origin_id: str,
    project_id: int,
    sub_job_id: int | None,
    link: LinkChange,
    what: str,
    transactions_enabled: bool | None = None,
) -> Outcome:
    """Push the cost codes, cost-type assignments and job costs of ``origin_id`` (only what
    changed since the last push), then make sure the project syncs job cost transactions when
    the metadata imports job costs. ``transactions_enabled`` is what Procore says of the
    project (``sync_single_job``); None when it does not say."""
    try:
        source = ctx.adapter.job_costs
    except EntityNotSupported:
        return Outcome.success(
            f"{what} is synced; this ERP keeps no job costs.", object_links=(link,)
        )
    pushed = job_costs_refresh(
        company=ctx.company,
        client=ctx.client,
        source=source,
        origin_id=origin_id,
        project_id=project_id,
        sub_job_id=sub_job_id,
    )
    if (
        sub_job_id is None
        and transactions_enabled is not True
        and metadata_enables(company=ctx.company, entity="job_costs", direction="import")
    ):
        ctx.client.update_project_configuration(
            project_id=project_id, configuration={CONFIGURATION_FLAG: True}
        )
    # The job is in Procore whatever became of its costs: its link is recorded either way, and
    # refused rows stay on the job's ``job_costs`` link (admin → Object links) until they change.
    return Outcome.success(_summary(what, pushed), object_links=(link,))


def _summary(what: str, pushed: PushOutcome | None) -> str:
    if pushed is None:
        return f"{what} is synced; the ERP holds no cost codes for it."
    if not pushed.ok:
        return f"{what} is synced, but Procore did not take all of its costs: {pushed.error()}"
    if not pushed.sent:
        return f"{what}: its cost codes and job costs in Procore are up to date."
    nouns = {
        "cost_codes": "cost code(s)",
        "assignments": "cost type assignment(s)",
        "job_costs": "job cost(s)",
    }
    parts = [f"{pushed.sent[part]:,} {noun}" for part, noun in nouns.items() if part in pushed.sent]
    deleted = pushed.sent.get("job_costs_deleted", 0)
    gone = f"deleted {deleted:,} job cost(s) no longer in the ERP" if deleted else ""
    if not parts:
        return f"{what}: {gone} from Procore."
    return f"{what}: sent {', '.join(parts)} to Procore" + (f"; {gone}." if gone else ".")
