"""A sub job imported before its job was staged is held back, not refused: once the job is
staged, the next sub job import stages it, although the ERP did not change it. End to end over
real HTTP against the local Procore sandbox (which, like Procore, refuses a project-level
staged record whose project is neither staged nor synced)."""

from __future__ import annotations

import pytest

from erp_adapters.demo.models import DemoJob, DemoSubJob
from integrations.models import ObjectLink
from integrations.services.sync_runs import sync_run_start
from tests.flows.test_job_import import books  # noqa: F401 - the ERP's books

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sub_job_imported_before_its_job_is_staged_once_the_job_is(
    books,  # noqa: F811 - the fixture imported above
    sandbox_company,
    sandbox_connection,
):
    from procore_sandbox.models import StagedRecord

    company = sandbox_connection.company
    job = DemoJob.objects.get(tenant=books)
    sub_job = DemoSubJob.objects.get(job=job)

    early = sync_run_start(company=company, entity="sub_jobs", trigger="command")

    assert (early.state, early.failed, early.skipped) == ("succeeded", 0, 1), early.refusals
    assert not StagedRecord.objects.filter(origin_id=str(sub_job.guid)).exists()
    link = ObjectLink.objects.get(item_type="sub_job", origin_id=str(sub_job.guid))
    assert "its job is not staged in Procore yet" in link.last_error

    jobs = sync_run_start(company=company, entity="jobs", trigger="command")
    assert jobs.created == 1, jobs.refusals
    later = sync_run_start(company=company, entity="sub_jobs", trigger="command")

    assert (later.state, later.created) == ("succeeded", 1), later.refusals
    assert StagedRecord.objects.get(company=sandbox_company, origin_id=str(sub_job.guid))
    link.refresh_from_db()
    assert (link.state, link.last_error) == ("staged", "")
