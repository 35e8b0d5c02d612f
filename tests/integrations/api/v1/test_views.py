"""What the API shows and does for a company's own users, and what it refuses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, SyncRun
from integrations.models.erp_requests import WorkState
from tests import factories
from tests.integrations.api.v1.conftest import api


def url(name: str, **kwargs) -> str:
    return reverse(f"api-v1:{name}", kwargs=kwargs)


def test_requests_are_listed_newest_first_and_filtered_by_state(tenant_a):
    company = tenant_a.company
    done = factories.ERPRequestFactory(company=company, state=WorkState.SUCCEEDED)
    client = api(tenant_a.viewer_token)

    listed = client.get(url("requests", company_id=company.pk)).json()["results"]
    failed = client.get(url("requests", company_id=company.pk), {"state": "failed"}).json()

    assert [r["id"] for r in listed] == [done.pk, tenant_a.request.pk]
    assert [r["id"] for r in failed["results"]] == [tenant_a.request.pk]
    assert failed["results"][0]["state_label"] == "Failed (permanent)"
    detail = client.get(url("request", company_id=company.pk, request_id=done.pk)).json()
    assert detail["procore_request_id"] == done.procore_request_id and detail["details"] == []


def test_objects_are_searched_by_part_of_their_code_in_any_case(tenant_a):
    factories.ObjectLinkFactory(company=tenant_a.company, origin_code="OTHER-9")
    found = api(tenant_a.viewer_token).get(
        url("objects", company_id=tenant_a.company.pk), {"search": "acme"}
    )
    assert [o["origin_code"] for o in found.json()["results"]] == ["ACME-01"]


def test_health_says_both_sides_and_the_last_event(tenant_a):
    factories.NotificationEventFactory(company=tenant_a.company)
    health = api(tenant_a.viewer_token).get(url("health", company_id=tenant_a.company.pk)).json()
    assert health["connected"] is True
    assert health["procore"]["state"] == "unknown"
    assert health["erp"]["state"] == "unknown"
    assert health["last_event_at"] is not None


def test_a_company_admin_retries_a_failed_request_audited_with_who(tenant_a):
    response = api(tenant_a.admin_token).post(
        url("request-retry", company_id=tenant_a.company.pk, request_id=tenant_a.request.pk)
    )
    assert response.status_code == 202
    tenant_a.request.refresh_from_db()
    assert tenant_a.request.state == WorkState.PENDING
    entry = AuditEntry.objects.get(object_id=str(tenant_a.request.pk), action="action")
    assert entry.actor == tenant_a.admin and entry.changes == {"action": "retry now"}


def test_a_request_that_succeeded_is_not_retried_and_the_answer_says_why(tenant_a):
    done = factories.ERPRequestFactory(company=tenant_a.company, state=WorkState.SUCCEEDED)
    response = api(tenant_a.admin_token).post(
        url("request-retry", company_id=tenant_a.company.pk, request_id=done.pk)
    )
    assert response.status_code == 409
    assert "only failed, stale, dead or waiting requests" in response.json()["detail"]


def test_a_company_admin_runs_an_import_and_follows_it(tenant_a):
    client = api(tenant_a.admin_token)
    SyncRun.objects.filter(company=tenant_a.company).update(state=SyncRun.State.SUCCEEDED)
    response = client.post(
        url("runs", company_id=tenant_a.company.pk), {"entity": "vendors"}, format="json"
    )

    assert response.status_code == 202
    run = SyncRun.objects.get(pk=response.json()["id"])
    assert (run.entity, run.state, run.trigger) == ("vendors", "pending", "self_service")
    followed = client.get(url("run", company_id=tenant_a.company.pk, run_id=run.pk)).json()
    assert followed["state"] == "pending"
    refused = client.post(
        url("runs", company_id=tenant_a.company.pk), {"entity": "requisitions"}, format="json"
    )
    assert refused.status_code == 409 and "cannot be imported" in refused.json()["detail"]


@pytest.mark.parametrize(
    "name, method, extra",
    [
        ("request-retry", "post", {"request_id": None}),
        ("runs", "post", {}),
        ("metadata-publish", "post", {"version": 1}),
    ],
)
def test_a_viewer_may_read_but_not_act(name, method, extra, tenant_a):
    kwargs = {"company_id": tenant_a.company.pk, **extra}
    if "request_id" in kwargs:
        kwargs["request_id"] = tenant_a.request.pk
    response = getattr(api(tenant_a.viewer_token), method)(
        url(name, **kwargs), {"entity": "vendors"}, format="json"
    )
    assert response.status_code == 403
    assert "company admin" in response.json()["detail"]
    assert not AuditEntry.objects.filter(action="action").exists()


def test_publishing_without_a_provisioned_connection_says_what_to_do(tenant_a):
    response = api(tenant_a.admin_token).post(
        url("metadata-publish", company_id=tenant_a.company.pk, version=1)
    )
    assert response.status_code == 409
    assert "not provisioned in Procore yet" in response.json()["detail"]


def test_metadata_versions_say_which_one_procore_holds(tenant_a):
    client = api(tenant_a.viewer_token)
    versions = client.get(url("metadata", company_id=tenant_a.company.pk)).json()
    assert [(v["version"], v["live_in_procore"]) for v in versions] == [(1, False)]
    one = client.get(url("metadata-version", company_id=tenant_a.company.pk, version=1)).json()
    assert "document" in one


def test_a_revoked_token_is_refused_from_then_on(tenant_a):
    client = api(tenant_a.admin_token)
    assert client.get(url("companies")).status_code == 200

    revoked = client.delete(url("token", token_id=tenant_a.token_row.pk))

    assert revoked.status_code == 204
    refused = client.get(url("companies"))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    tenant_a.token_row.refresh_from_db()
    assert tenant_a.token_row.revoked_at is not None
    assert api(tenant_a.viewer_token).get(url("companies")).status_code == 200  # others still work


def test_a_token_of_a_deactivated_user_is_refused(tenant_a):
    tenant_a.viewer.is_active = False
    tenant_a.viewer.save()
    assert api(tenant_a.viewer_token).get(url("companies")).status_code == 401
