"""A job imported into Procore before the company's cost types were synced gets only its cost
codes; its job costs link fails saying to sync the cost types first. Once the user does, the
next job costs import (or ``sync_single_job``) sends the assignments and job costs that never
reached Procore, although the ERP did not change. End to end over real HTTP against the local
Procore sandbox, through each real-ERP adapter."""

from __future__ import annotations

import pytest

from erp_adapters.base import Entity
from integrations.models import ObjectLink
from integrations.procore import ProcoreClient
from integrations.services.job_costs import job_costs_refresh
from integrations.services.link_review import (
    link_review_accept_matches,
    link_review_apply,
    link_review_build,
)
from integrations.services.sync_runs import sync_run_start
from procore_sandbox.models import ProcoreObject
from tests.conftest import SANDBOX_CLIENT_ID
from tests.flows.test_adapters_end_to_end import erp  # noqa: F401 - the sample ERPs, per adapter
from tests.flows.test_job_import import approve, press

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unlinked(erp, sandbox_connection, sandbox_company):  # noqa: F811 - the fixture above
    """The ERP connection in Procore, but no cost type of the company linked to the ERP's
    yet."""
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    connection = erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id=SANDBOX_CLIENT_ID),
        service_url="http://portal.test",
        metadata={},
    )
    sandbox_connection.standard_cost_code_list_id = connection.standard_cost_code_list_id
    sandbox_connection.save()
    return erp


def _sync_cost_types(sample, sandbox_connection) -> None:
    """What the failed link's message asks for: the standard cost codes and cost types."""
    with ProcoreClient(sandbox_connection) as procore:
        review = link_review_build(
            company=sandbox_connection.company,
            entity="standard_categories",
            client=procore,
            connection=sandbox_connection,
            adapter=sample.adapter,
        )
        link_review_accept_matches(review=review)
        link_review_apply(review=review, client=procore)
    run = sync_run_start(
        company=sandbox_connection.company, entity="standard_categories", trigger="command"
    )
    assert run.state == "succeeded", run.error


def _imported_job(sample, client, sandbox_company):
    summaries = {s.origin_id: s for s in sample.listed(Entity.JOB_COSTS)}
    job = next(
        j
        for j in sample.listed(Entity.JOBS)
        if j.origin_id in summaries and summaries[j.origin_id].data["sub_job_origin_id"] is None
    )
    press(client, sandbox_company, "refresh_jobs")
    approve(client, sandbox_company, job.origin_id, "create_job_in_procore")
    project = ProcoreObject.objects.get(
        company=sandbox_company, item_type="project", origin_id=job.origin_id
    )
    return job, project


def _in_procore(project, structure) -> tuple[int, int]:
    """How many of the job's assignments and job costs Procore holds."""
    codes = list(
        ProcoreObject.objects.filter(
            project=project, item_type="cost_code", data__sub_job_id=None
        ).values_list("id", flat=True)
    )
    assignments = ProcoreObject.objects.filter(
        item_type="cost_code_line_item_type", data__cost_code_id__in=codes
    ).count()
    job_costs = ProcoreObject.objects.filter(project=project, item_type="erp_job_cost").count()
    return assignments, job_costs


def _failed_for_want_of_cost_types(job) -> ObjectLink:
    link = ObjectLink.objects.get(item_type="job_costs", origin_id=job.origin_id)
    assert link.state == "failed"
    assert "cost type(s) of this job are not in Procore yet" in link.last_error
    return link


def test_job_costs_held_back_for_cost_types_are_sent_once_the_cost_types_are_synced(
    unlinked, sandbox_connection, sandbox_company, client
):
    sample = unlinked
    job, project = _imported_job(sample, client, sandbox_company)
    structure = sample.adapter.job_costs.structure(job.origin_id)
    _failed_for_want_of_cost_types(job)
    assert ProcoreObject.objects.filter(project=project, item_type="cost_code").exists()
    assert _in_procore(project, structure) == (0, 0)

    _sync_cost_types(sample, sandbox_connection)
    run = sync_run_start(company=sandbox_connection.company, entity="job_costs", trigger="command")

    assert run.state == "succeeded", (run.error, run.refusals)
    assert run.updated == 1 and run.api_calls >= 2
    with_costs = sum(1 for row in structure.rows if row.has_costs)
    assert _in_procore(project, structure) == (len(structure.rows), with_costs)
    link = ObjectLink.objects.get(item_type="job_costs", origin_id=job.origin_id)
    assert (link.state, link.last_error) == ("synced", "")

    again = sync_run_start(
        company=sandbox_connection.company, entity="job_costs", trigger="command"
    )
    assert (again.state, again.api_calls, again.unchanged) == ("succeeded", 0, 1)


def test_sync_single_job_sends_what_waited_for_the_cost_types(
    unlinked, sandbox_connection, sandbox_company, client
):
    sample = unlinked
    job, project = _imported_job(sample, client, sandbox_company)
    structure = sample.adapter.job_costs.structure(job.origin_id)
    _failed_for_want_of_cost_types(job)

    _sync_cost_types(sample, sandbox_connection)
    with ProcoreClient(sandbox_connection) as procore:
        outcome = job_costs_refresh(
            company=sandbox_connection.company,
            client=procore,
            source=sample.adapter.job_costs,
            origin_id=job.origin_id,
        )

    assert outcome.ok, outcome.refusals
    with_costs = sum(1 for row in structure.rows if row.has_costs)
    assert _in_procore(project, structure) == (len(structure.rows), with_costs)
    link = ObjectLink.objects.get(item_type="job_costs", origin_id=job.origin_id)
    assert link.state == "synced"
