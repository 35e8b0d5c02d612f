"""The portal's links follow what Procore does to them, end to end over real HTTP against the
local Procore sandbox: a first import that links Procore's existing vendors and projects instead
of adding them twice; then the approver's own link, "Link all", merge, unlink and a Super User's
job reset, each leaving the portal's links as Procore has them, so that a later import never
updates through the core sync endpoint an object Procore no longer ties to the ERP."""

from __future__ import annotations

import json

import pytest

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoJob, DemoVendor
from integrations.models import ApiAttempt, LinkReview, ObjectLink, SyncRun
from integrations.services.sweeper import process_pending
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_WEBHOOK_SECRET


def deliver(client, company, request) -> None:
    response = client.post(
        f"/webhooks/procore/{company.id}/",
        data=json.dumps(
            {
                "id": 800_000 + request.id,
                "ulid": f"01E2ELINK{request.id:017d}",
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

    (request,) = button_press(company=company, button=button)
    deliver(client, company, request)
    return request


def latest_run_calls(entity: str, path_end: str) -> int:
    run = SyncRun.objects.filter(entity=entity).latest("id")
    assert run.state == "succeeded", run.error
    return ApiAttempt.objects.filter(sync_run=run, path__endswith=path_end).count()


def review_and_link(connection, entity: str) -> LinkReview:
    """Support accepts the proposed matches and links them in Procore."""
    from integrations.procore import ProcoreClient
    from integrations.services.link_review import link_review_accept_matches, link_review_apply

    review = LinkReview.objects.get(company=connection.company, entity=entity)
    assert review.state == "pending"
    link_review_accept_matches(review=review)
    with ProcoreClient(connection) as procore:
        assert link_review_apply(review=review, client=procore)["failed"] == 0
    return review


@pytest.fixture
def erp(sandbox_connection, sandbox_company):
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id=SANDBOX_CLIENT_ID),
        service_url="http://portal.test",
        metadata={},
    )
    return sandbox_connection.adapter_settings["tenant"]


def procore_vendor(company, name: str):
    from procore_sandbox.models import ProcoreObject

    return ProcoreObject.objects.create(company=company, item_type="vendor", data={"name": name})


def test_vendors_linked_first_then_linked_merged_and_unlinked_as_procore_does(
    client, erp, sandbox_company, sandbox_connection
):
    from procore_sandbox.models import ProcoreObject, StagedRecord
    from procore_sandbox.services import erp_actions

    company = sandbox_connection.company
    seeding.seed_vendors(erp, 3, seeding.DEFAULT_SEED)
    first, second, third = DemoVendor.objects.filter(tenant=erp).order_by("code")
    existing = procore_vendor(sandbox_company, first.name)

    # The first import waits for support; once linked, nothing is added twice.
    waiting = press(client, sandbox_company, "refresh_vendors")
    assert waiting.details.get().status == "failed"
    assert not StagedRecord.objects.filter(company=sandbox_company).exists()
    review_and_link(sandbox_connection, "vendors")
    link = ObjectLink.objects.get(company=company, item_type="vendor", origin_id=str(first.guid))
    assert (link.state, link.procore_id) == ("synced", existing.id)
    press(client, sandbox_company, "refresh_vendors")
    staged = StagedRecord.objects.filter(company=sandbox_company, item_type="vendor")
    assert set(staged.values_list("origin_id", flat=True)) == {
        str(second.guid),
        str(third.guid),
    }
    vendors = ProcoreObject.objects.filter(company=sandbox_company, item_type="vendor")
    assert vendors.filter(data__name=first.name).count() == 1

    # "Link all" ties the staged second vendor to the Procore vendor of the same name; the
    # approver links the third to another Procore vendor by hand. The portal knows both ids.
    same_name = procore_vendor(sandbox_company, second.name)
    other = procore_vendor(sandbox_company, "Quite Another Name Co")
    deliver(client, sandbox_company, erp_actions.vendors_link_all(company=sandbox_company))
    deliver(
        client,
        sandbox_company,
        erp_actions.vendor_link(record=staged.get(origin_id=str(third.guid)), vendor=other),
    )
    links = {
        link.origin_id: link
        for link in ObjectLink.objects.filter(company=company, item_type="vendor")
    }
    assert (links[str(second.guid)].state, links[str(second.guid)].procore_id) == (
        "synced",
        same_name.id,
    )
    assert (links[str(third.guid)].state, links[str(third.guid)].procore_id) == (
        "synced",
        other.id,
    )

    # The third vendor is merged into the second: one link of the two remains.
    same_name.refresh_from_db()
    other.refresh_from_db()
    deliver(client, sandbox_company, erp_actions.vendors_merge(master=same_name, sources=[other]))
    states = dict(
        ObjectLink.objects.filter(
            company=company, origin_id__in=[str(second.guid), str(third.guid)]
        ).values_list("origin_id", "state")
    )
    assert states == {str(second.guid): "synced", str(third.guid): "merged"}

    # Unlinked in Procore: no longer synced, and the next import does not update it through
    # vendors/sync (its staged record is updated instead, ready to import again).
    deliver(client, sandbox_company, erp_actions.unlink(obj=same_name))
    unlinked = ObjectLink.objects.get(company=company, origin_id=str(second.guid))
    assert unlinked.state != "synced" and unlinked.procore_id is None
    DemoVendor.objects.filter(pk=second.pk).update(city="Springfield", name=second.name + " 2")
    DemoVendor.objects.filter(pk=first.pk).update(city="Shelbyville")
    press(client, sandbox_company, "refresh_vendors")
    assert latest_run_calls("vendors", "/vendors/sync") == 1  # the first vendor only
    sent = ApiAttempt.objects.filter(path__endswith="/vendors/sync").latest("id")
    assert str(second.guid) not in sent.request_excerpt
    assert str(first.guid) in sent.request_excerpt
    record = StagedRecord.objects.get(company=sandbox_company, origin_id=str(second.guid))
    assert (record.status, record.data["name"]) == ("staged", second.name + " 2")


def test_projects_linked_first_and_a_reset_job_is_no_longer_updated_as_synced(
    client, erp, sandbox_company, sandbox_connection
):
    from procore_sandbox.models import ProcoreObject, StagedRecord
    from procore_sandbox.services.super_user import job_reset

    company = sandbox_connection.company
    first, second = seeding.seed_jobs(erp, 2, seeding.DEFAULT_SEED)
    existing = ProcoreObject.objects.create(
        company=sandbox_company,
        item_type="project",
        data={"name": "Whatever Procore calls it", "project_number": first.code},
    )

    waiting = press(client, sandbox_company, "refresh_jobs")
    assert waiting.details.get().status == "failed"
    review_and_link(sandbox_connection, "jobs")
    press(client, sandbox_company, "refresh_jobs")
    projects = ProcoreObject.objects.filter(company=sandbox_company, item_type="project")
    assert projects.count() == 1
    existing.refresh_from_db()
    assert existing.origin_id == str(first.guid)
    assert set(
        StagedRecord.objects.filter(company=sandbox_company).values_list("origin_id", flat=True)
    ) == {str(second.guid)}

    # A changed job that is synced is updated through projects/sync...
    DemoJob.objects.filter(pk=first.pk).update(city="Ogdenville")
    press(client, sandbox_company, "refresh_jobs")
    assert latest_run_calls("jobs", "/projects/sync") == 1
    existing.refresh_from_db()
    assert existing.data["city"] == "Ogdenville"

    # ...until a Super User resets it: not synced any more, and never updated as if it were.
    deliver(client, sandbox_company, job_reset(project=existing))
    link = ObjectLink.objects.get(company=company, item_type="project", origin_id=str(first.guid))
    assert link.state != "synced" and link.procore_id is None
    DemoJob.objects.filter(pk=first.pk).update(city="North Haverbrook")
    press(client, sandbox_company, "refresh_jobs")
    assert latest_run_calls("jobs", "/projects/sync") == 0
    existing.refresh_from_db()
    assert existing.data["city"] == "Ogdenville" and existing.origin_id is None
