"""The ledgers' admin: support staff re-drive work (retry now, re-close-out, mark resolved), and
read a webhook's payload pretty-printed."""

import pytest
from django.urls import reverse

from integrations.models import AuditEntry, ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import WorkState
from integrations.selectors.work import work_due_ids
from tests.factories import ERPRequestDetailFactory, ERPRequestFactory

pytestmark = pytest.mark.django_db


def act(client, model: str, action: str, pks: list[int]):
    return client.post(
        reverse(f"admin:integrations_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
        follow=True,
    )


def test_retry_now_makes_a_dead_letter_due_and_audits_who(admin_client_logged_in):
    dead = ERPRequestFactory(state=WorkState.DEAD, attempts=8, last_error="Gave up")
    response = act(admin_client_logged_in, "erprequest", "retry_now", [dead.pk])
    assert "1 ERP request(s) queued to run again." in response.content.decode()
    dead.refresh_from_db()
    assert (dead.state, dead.attempts, dead.attempts_before_redrive) == (WorkState.PENDING, 8, 8)
    assert dead.pk in work_due_ids(ERPRequest)
    entry = AuditEntry.objects.get(object_type="integrations.ERPRequest")
    assert (entry.actor_label, entry.changes) == ("support", {"action": "retry now"})


def test_re_close_out_sends_the_recorded_status_again(admin_client_logged_in):
    detail = ERPRequestDetailFactory(
        status=ERPRequestDetail.Status.SUCCESS, state=WorkState.FAILED, messages=["ok"]
    )
    never_decided = ERPRequestDetailFactory(erp_request=detail.erp_request)
    response = act(
        admin_client_logged_in, "erprequestdetail", "reclose_details", [detail.pk, never_decided.pk]
    )
    assert "1 request detail(s) queued for close-out." in response.content.decode()
    detail.refresh_from_db()
    never_decided.refresh_from_db()
    assert detail.state == WorkState.PENDING and detail.status == "success"
    assert never_decided.state == WorkState.PENDING and never_decided.status == "open"


def test_mark_resolved_stops_the_sweeper(admin_client_logged_in):
    retrying = ERPRequestFactory(state=WorkState.RETRYING)
    act(admin_client_logged_in, "erprequest", "mark_resolved", [retrying.pk])
    retrying.refresh_from_db()
    assert retrying.state == WorkState.RESOLVED
    assert "marked resolved by support" in retrying.last_error
    assert retrying.pk not in work_due_ids(ERPRequest)


def test_raw_payload_is_pretty_printed(admin_client_logged_in, populated):
    event = populated["event"]
    page = admin_client_logged_in.get(
        reverse("admin:integrations_notificationevent_change", args=[event.pk])
    ).content.decode()
    assert '<pre class="json-payload">' in page
    assert "portal/admin.css" in page  # keeps long payloads legible and bounded
    assert "&quot;resource_name&quot;: &quot;ERP Requests&quot;" in page
