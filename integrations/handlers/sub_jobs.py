"""Sub jobs (the events dictionary's "Sub Jobs" section).

Export side: a sub job exported from Procore under a job the ERP holds (``create_sub_job``), and
a Super User's reset (``reset_sub_job``).

Import side (ERP to Procore): ``sync_sub_jobs`` stages the ERP's new sub jobs (each naming its
job's ``project_origin_id``) and updates synced ones through ``sub_jobs/sync``, one call per
project; ``create_sub_job_in_procore`` and ``sync_sub_job`` record the sub job as synced and
push its own cost codes, cost-type assignments and job costs (``?sub_job_id=``).
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import cost_structure_push, import_for_request, procore_id
from integrations.handlers.job_exports import plural, reset_outcome, structure_write_back
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType

# -- export: Procore to the ERP ---------------------------------------------------------------


@register("create_sub_job")
def create_sub_job(ctx: HandlerContext) -> Outcome:
    """Like a job export, one level down: the sub job, its cost codes and their cost types."""
    payload = ctx.request_data
    sub_job = payload.get("sub_job") or {}
    project = sub_job.get("project") or {}
    if not (sub_job.get("id") and project.get("id")):
        return Outcome.failed("The export carries no sub job of a project; nothing was changed.")
    sub_jobs = ctx.adapter.sub_jobs
    problems = sub_jobs.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = sub_jobs.create(payload)
    failure = structure_write_back(
        ctx,
        result,
        project_id=int(project["id"]),
        sub_job_id=int(sub_job["id"]),
        what="sub job",
    )
    if failure is not None:
        return failure
    verb = "Created" if result.created else "Updated"
    return Outcome.success(
        f"{verb} sub job {result.origin_code} in the ERP, with "
        f"{plural(len(result.links) - 1, 'cost code')} and "
        f"{plural(len(result.assignments), 'cost type assignment')}.",
        object_links=(
            LinkChange.now_synced(
                ItemType.SUB_JOB,
                result.origin_id,
                procore_id=int(sub_job["id"]),
                origin_code=result.origin_code,
            ),
        ),
    )


@register("reset_sub_job")
def reset_sub_job(ctx: HandlerContext) -> Outcome:
    """The ERP keeps the sub job, untied from Procore; its links are no longer synced."""
    return reset_outcome(
        ctx,
        ctx.request_data.get("sub_job") or {},
        noun="sub job",
        erp_noun="sub job",
        item_type=ItemType.SUB_JOB,
        holder_types=(ItemType.SUB_JOB,),
        release=ctx.adapter.sub_jobs.release,
    )


# -- import: ERP to Procore ---------------------------------------------------------------------


@register("sync_sub_jobs")
def sync_sub_jobs(ctx: HandlerContext) -> Outcome:
    """The approver pressed Refresh Sub Jobs: stage new sub jobs, update synced ones."""
    return import_for_request(ctx, Entity.SUB_JOBS)


@register("create_sub_job_in_procore")
def create_sub_job_in_procore(ctx: HandlerContext) -> Outcome:
    """Procore created the sub job from our staged record: synced; its cost structure follows."""
    sub_job = ctx.request_data.get("sub_job") or {}
    project = sub_job.get("project") or {}
    sub_job_id, origin_id = procore_id(sub_job.get("id")), sub_job.get("origin_id")
    project_id = procore_id(project.get("id"))
    if sub_job_id is None or project_id is None or not origin_id:
        return Outcome.failed(
            "The import notice names no sub job with a Procore id, an ERP id and a project."
        )
    link = LinkChange.now_synced(
        ItemType.SUB_JOB,
        str(origin_id),
        procore_id=sub_job_id,
        origin_code=str(sub_job.get("code") or ""),
    )
    return cost_structure_push(
        ctx,
        origin_id=str(origin_id),
        project_id=project_id,
        sub_job_id=sub_job_id,
        link=link,
        what=f"Sub job {sub_job.get('code') or sub_job.get('name') or origin_id}",
    )


@register("sync_sub_job")
def sync_sub_job(ctx: HandlerContext) -> Outcome:
    """Procore's periodic nudge for one synced sub job: send what changed of its costs."""
    data = ctx.request_data
    origin_id = data.get("id")
    extra = data.get("additional_job_data") or {}
    sub_job_id = procore_id(extra.get("procore_sub_job_id"))
    project_id = procore_id(extra.get("procore_project_id")) or procore_id(extra.get("project_id"))
    if sub_job_id is None or project_id is None or not origin_id:
        return Outcome.failed("The request names no sub job with Procore ids and an ERP id.")
    link = LinkChange.now_synced(ItemType.SUB_JOB, str(origin_id), procore_id=sub_job_id)
    return cost_structure_push(
        ctx,
        origin_id=str(origin_id),
        project_id=project_id,
        sub_job_id=sub_job_id,
        link=link,
        what=f"Sub job {extra.get('job_name') or origin_id}",
    )
