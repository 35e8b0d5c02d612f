"""The request-fixture walk's BEFORE and EFFECTS for the job import names (``sync_jobs``,
``create_job_in_procore``, ``sync_single_job`` and their sub job counterparts), kept apart from
the walk so each side of the job flows adds its own names without touching the other's."""

from __future__ import annotations

from typing import Any

from erp_adapters.demo import seeding
from erp_adapters.demo.models import (
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoSubJob,
)
from integrations.models import ERPRequest, ObjectLink, SyncRun
from procore_sandbox.models import ProcoreObject, StagedRecord


def _books(given) -> DemoJob:
    """One job in the ERP with a sub job, cost codes on both, two cost types each and costs
    posted; Procore's own cost types linked to the ERP's (as after a cost type import)."""
    tenant = given.tenant
    seeding.seed_cost_codes(tenant)
    seeding.seed_cost_types(tenant)
    (job,) = seeding.seed_jobs(tenant, 1, seeding.DEFAULT_SEED)
    seeding.seed_cost_structure(
        tenant,
        [job],
        seeding.DEFAULT_SEED,
        cost_codes_per_job=3,
        cost_codes_per_sub_job=2,
        cost_types_per_code=2,
    )
    for cost_type in DemoCostType.objects.filter(tenant=tenant):
        procore = ProcoreObject.objects.get(
            company=given.company, item_type="line_item_type", data__code=cost_type.code
        )
        procore.origin_id = str(cost_type.guid)
        procore.save(update_fields=["origin_id"])
        ObjectLink.objects.create(
            company=given.connection.company,
            item_type="line_item_type",
            origin_id=str(cost_type.guid),
            procore_id=procore.id,
            state="synced",
            content_hash="h",
        )
    return job


def _procore_project(given, job: DemoJob) -> ProcoreObject:
    return ProcoreObject.objects.create(
        company=given.company,
        item_type="project",
        origin_id=str(job.guid),
        origin_code=job.code,
        data={"name": job.name, "project_number": job.code},
    )


def _procore_sub_job(given, project: ProcoreObject, sub_job: DemoSubJob) -> ProcoreObject:
    return ProcoreObject.objects.create(
        company=given.company,
        item_type="sub_job",
        project=project,
        origin_id=str(sub_job.guid),
        origin_code=sub_job.code,
        data={"name": sub_job.name, "code": sub_job.code},
    )


def before_sync_jobs(given, data: dict) -> None:
    seeding.seed_jobs(given.tenant, 2, seeding.DEFAULT_SEED)


def before_sync_sub_jobs(given, data: dict) -> None:
    """The job is synced in Procore and linked as a job import leaves it: sub jobs are staged
    only once Procore knows their job (``sync_entities._sub_job_stage_hold``)."""
    job = _books(given)
    project = _procore_project(given, job)
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="project",
        origin_id=str(job.guid),
        procore_id=project.id,
        state="synced",
        content_hash="h",
    )


def before_create_job_in_procore(given, data: dict) -> None:
    """Procore created the project from the staged job, with the job's origin id."""
    job = _books(given)
    project = _procore_project(given, job)
    data["project"].update(id=project.id, origin_id=str(job.guid), origin_code=job.code)


def before_sync_single_job(given, data: dict) -> None:
    job = _books(given)
    project = _procore_project(given, job)
    data["id"] = str(job.guid)
    data["additional_job_data"].update(procore_project_id=project.id, project_id=project.id)


def before_create_sub_job_in_procore(given, data: dict) -> None:
    job = _books(given)
    project = _procore_project(given, job)
    sub_job = DemoSubJob.objects.get(job=job)
    procore = _procore_sub_job(given, project, sub_job)
    data["sub_job"].update(id=procore.id, origin_id=str(sub_job.guid), code=sub_job.code)
    data["sub_job"]["project"].update(id=project.id, origin_id=str(job.guid))


def before_sync_sub_job(given, data: dict) -> None:
    job = _books(given)
    project = _procore_project(given, job)
    sub_job = DemoSubJob.objects.get(job=job)
    procore = _procore_sub_job(given, project, sub_job)
    data["id"] = str(sub_job.guid)
    data["additional_job_data"].update(
        parent_origin_id=str(job.guid),
        procore_project_id=project.id,
        procore_sub_job_id=procore.id,
        project_id=project.id,
    )


BEFORE: dict[str, Any] = {
    "sync_jobs": before_sync_jobs,
    "sync_sub_jobs": before_sync_sub_jobs,
    "create_job_in_procore": before_create_job_in_procore,
    "sync_single_job": before_sync_single_job,
    "create_sub_job_in_procore": before_create_sub_job_in_procore,
    "sync_sub_job": before_sync_sub_job,
}


# -- Effects ------------------------------------------------------------------------------------


def _finished(ours: ERPRequest, entity: str) -> SyncRun:
    run = SyncRun.objects.get(erp_request=ours)
    assert (run.entity, run.state, run.failed) == (entity, "succeeded", 0), run.error
    return run


def staged_jobs(given, ours: ERPRequest, data: dict) -> None:
    """Every ERP job waits on Ready to Import as a staged project; our links say so."""
    run = _finished(ours, "jobs")
    jobs = {
        str(g) for g in DemoJob.objects.filter(tenant=given.tenant).values_list("guid", flat=True)
    }
    assert jobs and run.created == len(jobs)
    staged = StagedRecord.objects.filter(
        company=given.company, item_type="project", status="staged"
    )
    assert set(staged.values_list("origin_id", flat=True)) == jobs
    links = ObjectLink.objects.filter(company=given.connection.company, item_type="project")
    assert set(links.filter(state="staged").values_list("origin_id", flat=True)) == jobs


def staged_sub_jobs(given, ours: ERPRequest, data: dict) -> None:
    """Every ERP sub job is staged under its job's origin id."""
    _finished(ours, "sub_jobs")
    sub_jobs = DemoSubJob.objects.filter(tenant=given.tenant).select_related("job")
    staged = StagedRecord.objects.filter(company=given.company, item_type="sub_job")
    assert {(r.origin_id, r.status, r.data["project_origin_id"]) for r in staged} == {
        (str(s.guid), "staged", str(s.job.guid)) for s in sub_jobs
    }


def _pushed(given, origin_id: str, project_id: int, sub_job_id: int | None) -> None:
    """The biller's cost codes, assignments (synced) and job costs are in Procore, and its
    ``job_costs`` link remembers what was sent."""
    codes = DemoJobCostCode.objects.filter(tenant=given.tenant)
    codes = (
        codes.filter(sub_job__guid=origin_id)
        if sub_job_id
        else codes.filter(job__guid=origin_id, sub_job=None)
    )
    in_procore = ProcoreObject.objects.filter(
        project_id=project_id, item_type="cost_code", data__sub_job_id=sub_job_id
    )
    codes = codes.select_related("job", "sub_job", "cost_code")
    assert set(in_procore.values_list("origin_id", flat=True)) == {c.origin_id for c in codes}
    ids = list(in_procore.values_list("id", flat=True))
    assignments = ProcoreObject.objects.filter(
        item_type="cost_code_line_item_type", data__cost_code_id__in=ids
    )
    assert assignments.count() == 2 * codes.count()
    assert all(a.data["synced"] for a in assignments)
    costs = ProcoreObject.objects.filter(item_type="erp_job_cost", data__cost_code_id__in=ids)
    posted = DemoJobCost.objects.filter(assignment__job_cost_code__in=codes)
    assert sorted(c.data["job_to_date_cost"] for c in costs) == sorted(
        str(p.job_to_date_cost) for p in posted
    )
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="job_costs", origin_id=origin_id
    )
    assert (link.state, link.procore_id) == ("synced", sub_job_id or project_id)


def _project_synced(given, origin_id: str, project_id: int) -> None:
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="project", origin_id=origin_id
    )
    assert (link.state, link.procore_id) == ("synced", project_id)
    project = ProcoreObject.objects.get(id=project_id)
    assert project.data["configuration"]["erp_job_cost_transaction_syncing_enabled"] is True


def job_created_in_procore(given, ours: ERPRequest, data: dict) -> None:
    project = data["project"]
    _project_synced(given, project["origin_id"], project["id"])
    _pushed(given, project["origin_id"], project["id"], None)


def single_job_synced(given, ours: ERPRequest, data: dict) -> None:
    project_id = data["additional_job_data"]["procore_project_id"]
    _project_synced(given, data["id"], project_id)
    _pushed(given, data["id"], project_id, None)
    # The project's own fields came from the ERP job through projects/sync.
    job = DemoJob.objects.get(guid=data["id"])
    project = ProcoreObject.objects.get(id=project_id).data
    assert (project["name"], project["address"], project["city"]) == (
        job.name,
        job.address,
        job.city,
    )


def _sub_job_synced(given, origin_id: str, sub_job_id: int) -> None:
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="sub_job", origin_id=origin_id
    )
    assert (link.state, link.procore_id) == ("synced", sub_job_id)


def sub_job_created_in_procore(given, ours: ERPRequest, data: dict) -> None:
    sub_job = data["sub_job"]
    _sub_job_synced(given, sub_job["origin_id"], sub_job["id"])
    _pushed(given, sub_job["origin_id"], sub_job["project"]["id"], sub_job["id"])


def sub_job_synced(given, ours: ERPRequest, data: dict) -> None:
    extra = data["additional_job_data"]
    _sub_job_synced(given, data["id"], extra["procore_sub_job_id"])
    _pushed(given, data["id"], extra["procore_project_id"], extra["procore_sub_job_id"])


EFFECTS: dict[str, Any] = {
    "sync_jobs": staged_jobs,
    "sync_sub_jobs": staged_sub_jobs,
    "create_job_in_procore": job_created_in_procore,
    "sync_single_job": single_job_synced,
    "create_sub_job_in_procore": sub_job_created_in_procore,
    "sync_sub_job": sub_job_synced,
}
