"""A job imported from the ERP, end to end over real HTTP against the local Procore sandbox: the
approver refreshes jobs and imports one; the portal pushes its cost codes, their cost types and
its job costs; sub jobs follow the same way; and an unchanged second run makes no call while a
changed cost costs one."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoJob, DemoJobCost, DemoJobCostCode, DemoSubJob
from integrations.models import ApiAttempt, ERPRequest, ObjectLink, SyncRun
from integrations.services.sweeper import process_pending
from integrations.services.sync_runs import sync_run_start
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_WEBHOOK_SECRET


def deliver(client, company, request) -> None:
    """Procore's webhook for one ERP request reaches the portal, which processes it."""
    response = client.post(
        f"/webhooks/procore/{company.id}/",
        data=json.dumps(
            {
                "id": 700_000 + request.id,
                "ulid": f"01E2EJOBS{request.id:017d}",
                "company_id": company.id,
                "api_version": "v2.0",
                "event_type": "create",
                "resource_name": "ERP Requests",
                "resource_id": request.id,
                "user_id": 1,
                "project_id": None,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SANDBOX_WEBHOOK_SECRET}",
    )
    assert response.status_code == 200, response.content
    process_pending()


def press(client, company, button: str):
    from procore_sandbox.services.buttons import button_press

    requests = button_press(company=company, button=button)
    for request in requests:
        deliver(client, company, request)
    return requests


def approve(client, company, origin_id: str, expected_event: str) -> None:
    """The approver imports a staged record; Procore sends ``create_*_in_procore``."""
    from procore_sandbox.models import ErpRequest, StagedRecord
    from procore_sandbox.services.staged_records import staged_record_approve

    staged_record_approve(record=StagedRecord.objects.get(company=company, origin_id=origin_id))
    event = ErpRequest.objects.filter(company=company).order_by("-id").first()
    assert event.request_name == expected_event
    deliver(client, company, event)


@pytest.fixture
def books(sandbox_connection, sandbox_company):
    """The ERP's books: cost codes, cost types and one job (a sub job, six cost codes of its
    own, two on the sub job, two cost types each, costs posted on every pair); Procore holds
    the company's cost types linked to the ERP's, as after a first cost type import."""
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient
    from integrations.services.link_review import (
        link_review_accept_matches,
        link_review_apply,
        link_review_build,
    )
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    tenant = sandbox_connection.adapter_settings["tenant"]
    erp = erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id=SANDBOX_CLIENT_ID),
        service_url="http://portal.test",
        metadata={},
    )
    sandbox_connection.standard_cost_code_list_id = erp.standard_cost_code_list_id
    sandbox_connection.save()
    seeding.seed_cost_codes(tenant)
    seeding.seed_cost_types(tenant)
    jobs = seeding.seed_jobs(tenant, 1, seeding.DEFAULT_SEED)
    seeding.seed_cost_structure(
        tenant,
        jobs,
        seeding.DEFAULT_SEED,
        cost_codes_per_job=6,
        cost_codes_per_sub_job=2,
        cost_types_per_code=2,
    )
    adapter = get_adapter("demo", sandbox_connection.adapter_settings)
    with ProcoreClient(sandbox_connection) as procore:
        review = link_review_build(
            company=sandbox_connection.company,
            entity="standard_categories",
            client=procore,
            connection=sandbox_connection,
            adapter=adapter,
        )
        link_review_accept_matches(review=review)
        link_review_apply(review=review, client=procore)
    run = sync_run_start(
        company=sandbox_connection.company, entity="standard_categories", trigger="command"
    )
    assert run.state == "succeeded", run.error
    return tenant


def test_a_job_imported_from_the_erp_brings_its_cost_codes_and_job_costs(
    client, books, sandbox_company, sandbox_connection
):
    from procore_sandbox.models import ProcoreObject, StagedRecord

    job = DemoJob.objects.get(tenant=books)
    sub_job = DemoSubJob.objects.get(job=job)
    company = sandbox_connection.company

    (refresh,) = press(client, sandbox_company, "refresh_jobs")
    detail = refresh.details.get()
    assert (detail.status, detail.messages) == ("success", ["Staged 1 new job; 0 unchanged."])
    staged = StagedRecord.objects.get(company=sandbox_company, origin_id=str(job.guid))
    assert (staged.item_type, staged.origin_code, staged.data["name"]) == (
        "project",
        job.code,
        job.name,
    )

    approve(client, sandbox_company, str(job.guid), "create_job_in_procore")

    project = ProcoreObject.objects.get(company=sandbox_company, item_type="project")
    assert project.origin_id == str(job.guid)
    link = ObjectLink.objects.get(company=company, item_type="project")
    assert (link.state, link.procore_id) == ("synced", project.id)
    own_codes = DemoJobCostCode.objects.filter(job=job, sub_job=None)
    codes = ProcoreObject.objects.filter(project=project, item_type="cost_code")
    assert {(c.origin_id, c.data["code"], c.data["sub_job_id"]) for c in codes} == {
        (c.origin_id, c.cost_code.code, None) for c in own_codes
    }
    assignments = ProcoreObject.objects.filter(
        project=project, item_type="cost_code_line_item_type"
    )
    assert assignments.count() == 12 and all(a.data["synced"] for a in assignments)
    job_costs = ProcoreObject.objects.filter(project=project, item_type="erp_job_cost")
    assert job_costs.count() == 12
    code_ids = {c.origin_id: c.id for c in codes}
    posted = DemoJobCost.objects.filter(assignment__job_cost_code__in=own_codes).select_related(
        "assignment__job_cost_code", "assignment__cost_type"
    )
    type_ids = dict(
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type"
        ).values_list("origin_id", "id")
    )
    in_procore = {
        (j.data["cost_code_id"], j.data["line_item_type_id"]): (
            j.data["original_estimate"],
            j.data["estimate"],
            j.data["job_to_date_cost"],
        )
        for j in job_costs
    }
    assert in_procore == {
        (
            code_ids[cost.assignment.job_cost_code.origin_id],
            type_ids[str(cost.assignment.cost_type.guid)],
        ): (str(cost.original_estimate), str(cost.estimate), str(cost.job_to_date_cost))
        for cost in posted
    }
    assert project.data["configuration"] == {"erp_job_cost_transaction_syncing_enabled": True}

    # The sub job: staged under its job, imported, and its own cost codes pushed with sub_job_id.
    (refresh_sub_jobs,) = press(client, sandbox_company, "refresh_sub_jobs")
    assert refresh_sub_jobs.details.get().status == "success"
    staged_sub = StagedRecord.objects.get(company=sandbox_company, origin_id=str(sub_job.guid))
    assert staged_sub.data["project_origin_id"] == str(job.guid)
    approve(client, sandbox_company, str(sub_job.guid), "create_sub_job_in_procore")
    procore_sub_job = ProcoreObject.objects.get(company=sandbox_company, item_type="sub_job")
    sub_codes = codes.filter(data__sub_job_id=procore_sub_job.id)
    assert sub_codes.count() == 2
    assert job_costs.all().count() == 12 + 4

    # Nothing changed: the scheduled job costs import reads the ERP and calls Procore not once.
    unchanged = sync_run_start(company=company, entity="job_costs", trigger="schedule")
    assert (unchanged.state, unchanged.api_calls, unchanged.unchanged) == ("succeeded", 0, 2)
    (again,) = press(client, sandbox_company, "refresh_jobs")
    assert again.details.get().messages == [
        "No changes: all 1 job in the ERP are up to date in Procore."
    ]
    assert SyncRun.objects.filter(entity="jobs").latest("id").api_calls == 0

    # Accounting posts a cost: one call, and Procore shows the new job-to-date cost.
    cost = posted.first()
    DemoJobCost.objects.filter(pk=cost.pk).update(job_to_date_cost=Decimal("1234.56"))
    changed = sync_run_start(company=company, entity="job_costs", trigger="schedule")
    assert (changed.state, changed.updated, changed.api_calls) == ("succeeded", 1, 1)
    pair = (
        code_ids[cost.assignment.job_cost_code.origin_id],
        type_ids[str(cost.assignment.cost_type.guid)],
    )
    refreshed = {
        (j.data["cost_code_id"], j.data["line_item_type_id"]): j.data["job_to_date_cost"]
        for j in job_costs.all()
    }
    assert refreshed[pair] == "1234.56"


def test_job_costs_that_leave_the_erp_are_deleted_and_cost_codes_name_their_standard_code(
    client, books, sandbox_company, sandbox_connection
):
    """Standard cost codes imported first: each project cost code Procore creates is tied to
    its standard cost code. Then accounting takes a cost type off one cost code and closes
    another: the next job costs import deletes exactly those pairs' job costs in Procore."""
    from procore_sandbox.models import ProcoreObject

    company = sandbox_connection.company
    standard = sync_run_start(company=company, entity="standard_cost_codes", trigger="command")
    assert standard.state == "succeeded", standard.error
    job = DemoJob.objects.get(tenant=books)
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, str(job.guid), "create_job_in_procore")
    project = ProcoreObject.objects.get(company=sandbox_company, item_type="project")

    codes = ProcoreObject.objects.filter(project=project, item_type="cost_code")
    standard_in_procore = {
        s.id: s.origin_id
        for s in ProcoreObject.objects.filter(
            company=sandbox_company, item_type="standard_cost_code"
        )
    }
    own_codes = DemoJobCostCode.objects.filter(job=job, sub_job=None).select_related("cost_code")
    assert codes.count() == own_codes.count() == 6
    assert {standard_in_procore.get(c.data.get("standard_cost_code_id")) for c in codes} == {
        str(c.cost_code.guid) for c in own_codes
    }

    job_costs = ProcoreObject.objects.filter(project=project, item_type="erp_job_cost")
    before = job_costs.count()
    code_ids = {c.origin_id: c.id for c in codes}
    type_ids = dict(
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type"
        ).values_list("origin_id", "id")
    )
    taken_off = DemoJobCost.objects.filter(assignment__job_cost_code__in=own_codes).first()
    pair = taken_off.assignment
    gone = {(code_ids[pair.job_cost_code.origin_id], type_ids[str(pair.cost_type.guid)])}
    closed = own_codes.exclude(pk=pair.job_cost_code_id).first()
    gone |= {
        (code_ids[closed.origin_id], type_ids[str(a.cost_type.guid)])
        for a in closed.cost_types.filter(job_cost__isnull=False)
    }
    DemoJobCost.objects.filter(pk=taken_off.pk).delete()
    pair.delete()
    DemoJobCostCode.objects.filter(pk=closed.pk).update(is_active=False)

    out = StringIO()
    call_command(
        "sync", "--company", str(company.procore_company_id), "--entity", "job_costs", stdout=out
    )

    run = SyncRun.objects.filter(company=company, entity="job_costs").latest("id")
    assert run.state == "succeeded", run.error
    assert out.getvalue().splitlines()[-1].startswith(f"Run #{run.pk} succeeded in ")
    left = {(j.data["cost_code_id"], j.data["line_item_type_id"]) for j in job_costs.all()}
    assert len(gone) == 3 and job_costs.count() == before - 3
    assert not left & gone
    deletes = ApiAttempt.objects.filter(sync_run=run, method="DELETE")
    assert [a.path.rsplit("/", 2)[1] for a in deletes] == ["erp_job_costs"] * 3
    assert all(a.status_code == 204 for a in deletes)


def test_sync_single_job_brings_the_jobs_own_fields_to_the_project_once(
    client, books, sandbox_company, sandbox_connection
):
    """The accountant renames the job and moves its address in the ERP; Procore's periodic
    ``sync_single_job`` updates the project through ``projects/sync`` (one call), and a second
    one with nothing new sends nothing; nor does the next import of jobs."""
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.erp_actions import job_sync_single

    job = DemoJob.objects.get(tenant=books)
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, str(job.guid), "create_job_in_procore")
    project = ProcoreObject.objects.get(company=sandbox_company, item_type="project")

    unchanged = job_sync_single(project=project)
    deliver(client, sandbox_company, unchanged)
    assert not ApiAttempt.objects.filter(path__endswith="/projects/sync").exists()

    DemoJob.objects.filter(pk=job.pk).update(
        name="Riverside Clinic (phase 2)", address="12 Quay Street", city="Portland"
    )
    changed = job_sync_single(project=project)
    deliver(client, sandbox_company, changed)

    project.refresh_from_db()
    assert (project.data["name"], project.data["address"], project.data["city"]) == (
        "Riverside Clinic (phase 2)",
        "12 Quay Street",
        "Portland",
    )
    assert ApiAttempt.objects.filter(path__endswith="/projects/sync").count() == 1
    ours = ERPRequest.objects.get(procore_request_id=changed.id)
    assert (ours.state, ours.last_error) == ("succeeded", "")

    again = job_sync_single(project=project)
    deliver(client, sandbox_company, again)
    out = StringIO()
    company = sandbox_connection.company
    call_command(
        "sync", "--company", str(company.procore_company_id), "--entity", "jobs", stdout=out
    )
    assert out.getvalue().splitlines()[-1].endswith("unchanged 1, failed 0; 0 Procore call(s).")
    assert ApiAttempt.objects.filter(path__endswith="/projects/sync").count() == 1
