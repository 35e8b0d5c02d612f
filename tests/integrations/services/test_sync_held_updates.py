"""A change to an object Procore holds that cannot be sent yet (a sub job whose job left
Procore) is held back, not refused: its link keeps the hash Procore last took, so the next run
sends the change once the job is back, although the ERP did not change it again."""

from __future__ import annotations

import json
import re
import uuid

import pytest
import responses

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoSubJob
from integrations.models import ObjectLink
from integrations.services.sync_runs import sync_run_start
from tests.integrations.conftest import API

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub_job_in_procore(company, procore):
    """A job and its sub job, both imported once; since then the job was unlinked in Procore
    (its link lost the Procore id) and the sub job renamed in the ERP."""
    (job,) = seeding.seed_jobs("books", 1, seeding.DEFAULT_SEED)
    sub_job = DemoSubJob.objects.create(
        tenant="books", guid=uuid.uuid4(), job=job, code="01", name="Parking Deck"
    )
    ObjectLink.objects.create(
        company=company, item_type="project", origin_id=str(job.guid), state="pending"
    )
    ObjectLink.objects.create(
        company=company,
        item_type="sub_job",
        origin_id=str(sub_job.guid),
        procore_id=4400,
        state="synced",
        content_hash="the sub job as Procore took it",
    )
    sent: list[dict] = []

    def answer(request):
        updates = json.loads(request.body)["updates"]
        sent.extend(updates)
        entities = [{**item, "id": 4400} for item in updates]
        return (200, {}, json.dumps({"entities": entities, "errors": []}))

    procore.mock.add_callback(
        responses.PATCH, re.compile(rf"{re.escape(API)}/sub_jobs/sync"), callback=answer
    )
    return job, sub_job, sent


def test_a_sub_job_change_waits_for_its_job_and_is_sent_once_the_job_is_back(
    company, sub_job_in_procore
):
    job, sub_job, sent = sub_job_in_procore

    waiting = sync_run_start(company=company, entity="sub_jobs", trigger="command")

    assert (waiting.skipped, waiting.failed, sent) == (1, 0, [])
    link = ObjectLink.objects.get(item_type="sub_job", origin_id=str(sub_job.guid))
    assert (link.state, link.content_hash) == ("synced", "the sub job as Procore took it")
    assert "its job is not in Procore" in link.last_error

    ObjectLink.objects.filter(item_type="project", origin_id=str(job.guid)).update(
        procore_id=3300, state="synced"
    )
    sent_again = sync_run_start(company=company, entity="sub_jobs", trigger="command")

    assert sent_again.updated == 1, sent_again.refusals
    assert [item["origin_id"] for item in sent] == [str(sub_job.guid)]
    link.refresh_from_db()
    assert (link.state, link.last_error) == ("synced", "")
    assert link.content_hash != "the sub job as Procore took it"
