"""The errors queue: what failed, why, Procore's request id, and Retry for company admins."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrations.models import AuditEntry, ObjectLink, SyncRun
from tests import factories

pytestmark = pytest.mark.django_db


def errors_url(world, **params) -> str:
    from urllib.parse import urlencode

    url = reverse("selfservice:errors", args=[world.company.pk])
    return f"{url}?{urlencode(params)}" if params else url


def test_the_queue_lists_failed_and_dead_requests_with_reasons_and_ids(viewer_client, world_a):
    page = viewer_client.get(errors_url(world_a)).content.decode()
    assert str(world_a.failed.procore_request_id) in page
    assert "has no tax id; add it in the ERP, then retry." in page  # the detail's message
    assert str(world_a.dead.procore_request_id) in page
    assert "We stopped trying after 8 attempts because Procore did not answer" in page
    assert "Procore answered 503" in page and "Gave up (" not in page
    assert str(world_a.succeeded.procore_request_id) not in page
    # A viewer is told who can retry, and has no button.
    assert "a company admin of Alpha Builders can retry" in page
    assert ">Retry</button>" not in page


def test_search_is_partial_and_case_insensitive_and_sorts(viewer_client, world_a):
    page = viewer_client.get(errors_url(world_a, q="UPDATE_ven")).content.decode()
    assert str(world_a.dead.procore_request_id) in page
    assert str(world_a.failed.procore_request_id) not in page
    page = viewer_client.get(errors_url(world_a, q=world_a.failed.procore_request_id)).content
    assert str(world_a.failed.procore_request_id) in page.decode()
    page = viewer_client.get(errors_url(world_a, q="nothing like it")).content.decode()
    assert "No failed request matches" in page
    page = viewer_client.get(errors_url(world_a, sort="request")).content.decode()
    assert page.index("create_vendor") < page.index("update_vendor")
    page = viewer_client.get(errors_url(world_a, sort="-request")).content.decode()
    assert page.index("update_vendor") < page.index("create_vendor")


def test_refused_objects_are_listed_and_searchable_by_code(viewer_client, world_a):
    page = viewer_client.get(errors_url(world_a, kind="items", q="alp-v")).content.decode()
    assert world_a.refused.origin_code in page
    assert "name: has already been taken" in page


def test_a_company_admin_retries_a_failed_request_and_it_is_audited(
    admin_client, admin_a, world_a, django_capture_on_commit_callbacks
):
    url = reverse("selfservice:retry-request", args=[world_a.company.pk, world_a.failed.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url)
    assert response.status_code == 302
    world_a.failed.refresh_from_db()
    assert world_a.failed.state == "pending"
    assert callbacks, "the retry was handed to the workers"
    entry = AuditEntry.objects.get(object_id=str(world_a.failed.pk), action="action")
    assert entry.actor == admin_a and entry.changes["action"] == "retry now"
    assert entry.company == world_a.company
    page = admin_client.get(response["Location"]).content.decode()
    assert f"Request {world_a.failed.procore_request_id} will run again" in page
    assert f'id="request-{world_a.failed.pk}"' not in page  # it left the queue


def test_retrying_a_request_that_is_no_longer_failed_says_so(admin_client, world_a):
    url = reverse("selfservice:retry-request", args=[world_a.company.pk, world_a.succeeded.pk])
    page = admin_client.post(url, follow=True).content.decode()
    assert "there is nothing to retry" in page
    world_a.succeeded.refresh_from_db()
    assert world_a.succeeded.state == "succeeded"
    assert not AuditEntry.objects.filter(object_id=str(world_a.succeeded.pk)).exists()


def test_a_viewer_cannot_retry(viewer_client, world_a):
    url = reverse("selfservice:retry-request", args=[world_a.company.pk, world_a.failed.pk])
    assert viewer_client.post(url).status_code == 403
    world_a.failed.refresh_from_db()
    assert world_a.failed.state == "failed"


def test_retry_is_a_post(admin_client, world_a):
    url = reverse("selfservice:retry-request", args=[world_a.company.pk, world_a.failed.pk])
    assert admin_client.get(url).status_code == 405


def test_sending_refused_objects_again_queues_an_import(
    admin_client, admin_a, world_a, django_capture_on_commit_callbacks
):
    world_a.refused.content_hash = "abc"
    world_a.refused.save()
    url = reverse("selfservice:resend-items", args=[world_a.company.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url, {"entity": "vendors"}, follow=True)
    assert "sends 1 refused object(s) again" in response.content.decode()
    assert ObjectLink.objects.get(pk=world_a.refused.pk).content_hash == ""
    assert callbacks
    assert AuditEntry.objects.filter(actor=admin_a, changes__entity="vendors").exists()


def test_the_errors_queue_reads_at_most_15_queries_with_a_full_page(admin_client, world_a):
    for _ in range(60):
        detail = factories.ERPRequestDetailFactory(
            erp_request__company=world_a.company, erp_request__state="failed", status="failed"
        )
        assert detail.company_id == world_a.company.pk
    for kind in ("requests", "items"):
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(errors_url(world_a, kind=kind))
        assert response.status_code == 200
        assert len(ctx.captured_queries) <= 15
    assert "Next page" in admin_client.get(errors_url(world_a)).content.decode()


def test_runs_show_progress_and_a_fragment_refreshes_it(viewer_client, world_a):
    page = viewer_client.get(reverse("selfservice:runs", args=[world_a.company.pk]))
    assert "250 of 1000 sent" in page.content.decode()
    fragment = viewer_client.get(
        reverse("selfservice:run-progress", args=[world_a.company.pk, world_a.run.pk])
    ).content.decode()
    assert 'value="25"' in fragment and "data-poll" in fragment
    SyncRun.objects.filter(pk=world_a.run.pk).update(state="succeeded", progress_done=1000)
    fragment = viewer_client.get(
        reverse("selfservice:run-progress", args=[world_a.company.pk, world_a.run.pk])
    ).content.decode()
    assert "Succeeded" in fragment and "data-poll" not in fragment  # polling stops
