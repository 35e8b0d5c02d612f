"""Sub jobs (the events dictionary's "Sub Jobs" section), export side: a sub job exported from
Procore under a job the ERP holds (``create_sub_job``), and a Super User's reset
(``reset_sub_job``).
"""

from __future__ import annotations

from integrations.handlers.job_exports import forgotten, plural, structure_write_back
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


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
    sub_job = ctx.request_data.get("sub_job") or {}
    if not (sub_job.get("origin_id") or sub_job.get("id")):
        return Outcome.failed("The reset notice names no sub job.")
    dropped = ctx.adapter.sub_jobs.release(sub_job)
    holders = {
        str(link.origin_id): link.item_type
        for link in dropped
        if link.item_type == ItemType.SUB_JOB
    }
    if sub_job.get("origin_id"):
        holders[str(sub_job["origin_id"])] = ItemType.SUB_JOB
    return Outcome.success(
        f"The ERP keeps sub job '{sub_job.get('name') or sub_job.get('origin_id')}' and no "
        "longer ties it to Procore.",
        object_links=forgotten(ctx, dropped, holders),
    )
