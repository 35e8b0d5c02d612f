"""Jobs (the events dictionary's "Projects" section), export side: a project exported from
Procore becomes a job in the ERP, or updates the job the ERP holds (``create_or_update_job``);
a Super User's reset (``reset_job``) leaves the job in the ERP, untied from Procore.
"""

from __future__ import annotations

from typing import Any

from integrations.handlers.job_exports import forgotten, plural, structure_write_back
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType


@register("create_or_update_job")
def create_or_update_job(ctx: HandlerContext) -> Outcome:
    """Create the job (or update it), open its cost codes with their cost types, then tell
    Procore: External Data for the project and each cost code, the assignments ``synced``. A job
    refused because its code is taken says so with the word "code", so Procore lets the user
    enter another one on the next export."""
    payload = ctx.request_data
    job: dict[str, Any] = payload.get("job") or {}
    if not job.get("id"):
        return Outcome.failed("The export carries no project, so nothing was changed in the ERP.")
    jobs = ctx.adapter.jobs
    problems = jobs.check_create(payload)
    if problems:
        return Outcome.failed(*problems)
    result = jobs.create(payload)
    project_id = int(job["id"])
    failure = structure_write_back(ctx, result, project_id=project_id, sub_job_id=None, what="job")
    if failure is not None:
        return failure
    if result.origin_code and (job.get("origin_code") or "") != result.origin_code:
        # The job code stays as the ERP has it; Procore shows the code the accountant knows.
        ctx.client.update_project(project_id, {"origin_code": result.origin_code})
    verb = "Created" if result.created else "Updated"
    codes = plural(len(result.links) - 1, "cost code")
    types = plural(len(result.assignments), "cost type assignment")
    return Outcome.success(
        f"{verb} job {result.origin_code} in the ERP, with {codes} and {types}.",
        object_links=(
            LinkChange.now_synced(
                ItemType.PROJECT,
                result.origin_id,
                procore_id=project_id,
                origin_code=result.origin_code,
            ),
        ),
    )


@register("reset_job")
def reset_job(ctx: HandlerContext) -> Outcome:
    """Procore returned the project and everything under it to unsynced. The ERP keeps the job
    and its history, without Procore ids; the portal's links of the job, its sub jobs and its
    cost codes are no longer synced."""
    project = ctx.request_data.get("project") or {}
    if not (project.get("origin_id") or project.get("id")):
        return Outcome.failed("The reset notice names no project.")
    dropped = ctx.adapter.jobs.release(project)
    holders = {
        str(link.origin_id): link.item_type
        for link in dropped
        if link.item_type in (ItemType.PROJECT, ItemType.SUB_JOB)
    }
    if project.get("origin_id"):
        holders[str(project["origin_id"])] = ItemType.PROJECT
    return Outcome.success(
        f"The ERP keeps job '{project.get('name') or project.get('origin_id')}' and no longer "
        "ties it to Procore.",
        object_links=forgotten(ctx, dropped, holders),
    )
