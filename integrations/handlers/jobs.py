"""Jobs (the events dictionary's "Projects" section).

Import side (ERP to Procore): ``sync_jobs`` stages the ERP's new jobs and updates the synced ones
through ``projects/sync``; ``create_job_in_procore`` (an approver imported a staged job) and
``sync_single_job`` (Procore's periodic nudge) record the job as synced and push its cost
codes, cost-type assignments and job costs (``integrations/services/job_costs.py``).
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import cost_structure_push, import_for_request, procore_id
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType

# -- import: ERP to Procore ---------------------------------------------------------------------


@register("sync_jobs")
def sync_jobs(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh Jobs: stage new jobs, update synced ones, archive the gone."""
    return import_for_request(ctx, Entity.JOBS)


@register("create_job_in_procore")
def create_job_in_procore(ctx: HandlerContext) -> Outcome:
    """Procore created the project from our staged job, with our origin id: the job is synced,
    and Procore gets its cost codes, their cost types and its job costs."""
    project = ctx.request_data.get("project") or {}
    project_id, origin_id = procore_id(project.get("id")), project.get("origin_id")
    if project_id is None or not origin_id:
        return Outcome.failed("The import notice names no project with a Procore id and an ERP id.")
    link = LinkChange.now_synced(
        ItemType.PROJECT,
        str(origin_id),
        procore_id=project_id,
        origin_code=str(project.get("origin_code") or ""),
    )
    name = project.get("origin_code") or project.get("name") or origin_id
    return cost_structure_push(
        ctx,
        origin_id=str(origin_id),
        project_id=project_id,
        sub_job_id=None,
        link=link,
        what=f"Job {name}",
    )


@register("sync_single_job")
def sync_single_job(ctx: HandlerContext) -> Outcome:
    """Procore asks for what changed of one synced job: its cost codes, cost types and job
    costs, only the parts that changed since they were last sent (often nothing)."""
    data = ctx.request_data
    origin_id = data.get("id")
    extra = data.get("additional_job_data") or {}
    project_id = procore_id(extra.get("procore_project_id")) or procore_id(extra.get("project_id"))
    if project_id is None or not origin_id:
        return Outcome.failed("The request names no job with a Procore id and an ERP id.")
    link = LinkChange.now_synced(ItemType.PROJECT, str(origin_id), procore_id=project_id)
    name = extra.get("job_name") or origin_id
    return cost_structure_push(
        ctx,
        origin_id=str(origin_id),
        project_id=project_id,
        sub_job_id=None,
        link=link,
        what=f"Job {name}",
        transactions_enabled=extra.get("job_cost_transactions_sync_enabled"),
    )
