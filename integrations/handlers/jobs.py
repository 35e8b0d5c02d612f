"""Jobs (the events dictionary's "Projects" section).

Export side: a project exported from Procore becomes a job in the ERP, or updates the job the
ERP holds (``create_or_update_job``); a Super User's reset (``reset_job``) leaves the job in the
ERP, untied from Procore.

Import side (ERP to Procore): ``sync_jobs`` stages the ERP's new jobs and updates the synced ones
through ``projects/sync``; ``create_job_in_procore`` (an approver imported a staged job) and
``sync_single_job`` (Procore's periodic nudge) record the job as synced and push its cost
codes, cost-type assignments and job costs (``integrations/services/job_costs.py``);
``sync_single_job`` also brings the job's own fields to the project through ``projects/sync``
when they changed (``integrations/services/job_project_sync.py``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from erp_adapters.base import Entity, EntityNotSupported
from integrations.handlers.imports import cost_structure_push, import_for_request, procore_id
from integrations.handlers.job_exports import plural, reset_outcome, structure_write_back
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome, register
from integrations.models import ItemType, ObjectLink
from integrations.services.job_project_sync import ProjectRefresh, job_project_refresh

# -- export: Procore to the ERP ---------------------------------------------------------------


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
    return reset_outcome(
        ctx,
        ctx.request_data.get("project") or {},
        noun="project",
        erp_noun="job",
        item_type=ItemType.PROJECT,
        holder_types=(ItemType.PROJECT, ItemType.SUB_JOB),
        release=ctx.adapter.jobs.release,
    )


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
    """Procore asks for what changed of one synced job: its own fields (name, number,
    address…, through ``projects/sync`` as an import run sends them), its cost codes, cost
    types and job costs; only what changed since it was last sent (often nothing)."""
    data = ctx.request_data
    origin_id = data.get("id")
    extra = data.get("additional_job_data") or {}
    project_id = procore_id(extra.get("procore_project_id")) or procore_id(extra.get("project_id"))
    if project_id is None or not origin_id:
        return Outcome.failed("The request names no job with a Procore id and an ERP id.")
    name = extra.get("job_name") or origin_id
    try:
        jobs = ctx.adapter.jobs
    except EntityNotSupported:  # an ERP that keeps no jobs of its own: nothing to bring over
        project = ProjectRefresh()
    else:
        project = job_project_refresh(
            client=ctx.client,
            connection=ctx.connection,
            jobs=jobs,
            origin_id=str(origin_id),
            previous_hash=_project_hash(ctx, str(origin_id)),
        )
    link = LinkChange.now_synced(
        ItemType.PROJECT, str(origin_id), procore_id=project_id, content_hash=project.content_hash
    )
    pushed = cost_structure_push(
        ctx,
        origin_id=str(origin_id),
        project_id=project_id,
        sub_job_id=None,
        link=link,
        what=f"Job {name}",
        transactions_enabled=extra.get("job_cost_transactions_sync_enabled"),
    )
    if project.refusals:
        refused = f"Procore refused the job's own details: {'; '.join(project.refusals)}"
        return Outcome("failed", (refused, *pushed.messages), object_links=pushed.object_links)
    if project.sent:
        note = "Updated the project's details (name, number, address…) from the ERP."
        return replace(pushed, messages=(note, *pushed.messages))
    return pushed


def _project_hash(ctx: HandlerContext, origin_id: str) -> str:
    """What the job's fields hashed to when last sent to Procore (the project link's hash)."""
    found = ObjectLink.objects.filter(
        company=ctx.company, item_type=ItemType.PROJECT, origin_id=origin_id
    ).values_list("content_hash", flat=True)
    return found.first() or ""
