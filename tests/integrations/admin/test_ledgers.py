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


# -- one clear state, readable messages ---------------------------------------------------------


def _refused_export():
    """A refused export as the engine leaves it: the request failed, its detail was closed out
    fine in Procore as failed (status failed, close-out state succeeded)."""
    request = ERPRequestFactory(state=WorkState.FAILED, attempts=1, last_error="exists")
    detail = ERPRequestDetailFactory(
        erp_request=request,
        company=request.company,
        status=ERPRequestDetail.Status.FAILED,
        state=WorkState.SUCCEEDED,
        messages=["Vendor 'Granite Works' already exists in the ERP with code V-900001."],
        history=[
            {
                "at": "2026-11-29T10:00:00+00:00",
                "status": "failed",
                "messages": [
                    "Vendor 'Granite Works' already exists in the ERP with code V-900001."
                ],
            }
        ],
    )
    return request, detail


def _row_of(page: str, marker: str) -> str:
    """The changelist's table row that holds ``marker``."""
    start = page.rindex("<tr", 0, page.index(marker))
    return page[start : page.index("</tr>", start)]


def test_a_refused_export_reads_closed_failed_never_failed_beside_succeeded(
    admin_client_logged_in,
):
    request, detail = _refused_export()
    details = admin_client_logged_in.get(
        reverse("admin:integrations_erprequestdetail_changelist")
    ).content.decode()
    row = _row_of(details, f">{detail.procore_detail_id}<")
    assert "Closed: failed in Procore" in row
    assert "Succeeded" not in row and "Success" not in row

    requests = admin_client_logged_in.get(
        reverse("admin:integrations_erprequest_changelist")
    ).content.decode()
    row = _row_of(requests, f">{request.procore_request_id}<")
    assert "Failed · 1 attempt" in row and "Closed: failed in Procore" in row
    assert "Succeeded" not in row


def test_messages_read_as_a_list_never_as_raw_json(admin_client_logged_in):
    request, detail = _refused_export()
    for url in (
        reverse("admin:integrations_erprequestdetail_change", args=[detail.pk]),
        reverse("admin:integrations_erprequest_change", args=[request.pk]),
    ):
        page = admin_client_logged_in.get(url).content.decode()
        assert (
            "<li>Vendor &#x27;Granite Works&#x27; already exists in the ERP with code "
            "V-900001.</li>" in page
        )
        assert "[&quot;Vendor" not in page and '["Vendor' not in page


# -- retry keeps the history; mark resolved refuses what succeeded ------------------------------


def test_retry_keeps_the_close_out_the_approver_read_and_counts_on(admin_client_logged_in):
    request, _ = _refused_export()
    act(admin_client_logged_in, "erprequest", "retry_now", [request.pk])
    request.refresh_from_db()
    assert (request.state, request.attempts, request.attempts_before_redrive) == (
        WorkState.PENDING,
        1,
        1,
    )
    page = admin_client_logged_in.get(
        reverse("admin:integrations_erprequest_change", args=[request.pk])
    ).content.decode()
    assert "1 in all; 1 before support re-drove it on" in page
    assert "2026-11-29 10:00 UTC · closed out as <b>failed</b>" in page
    assert "already exists in the ERP with code V-900001." in page


def test_mark_resolved_on_a_succeeded_request_is_an_error_not_silence(admin_client_logged_in):
    done = ERPRequestFactory(state=WorkState.SUCCEEDED)
    stuck = ERPRequestFactory(state=WorkState.RETRYING)
    response = act(admin_client_logged_in, "erprequest", "mark_resolved", [done.pk, stuck.pk])
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert (
        "error",
        f"Not marked resolved: ERP request {done.procore_request_id} is Succeeded already; "
        "there is nothing to resolve.",
    ) in shown
    assert ("success", "1 ERP request(s) marked resolved.") in shown
    done.refresh_from_db()
    stuck.refresh_from_db()
    assert (done.state, stuck.state) == (WorkState.SUCCEEDED, WorkState.RESOLVED)
    audited = AuditEntry.objects.filter(object_type="integrations.ERPRequest")
    assert [e.object_id for e in audited] == [str(stuck.pk)]


# -- buttons on the row's page ------------------------------------------------------------------


def test_the_request_page_has_retry_re_close_out_and_mark_resolved_buttons(
    admin_client_logged_in,
):
    request, _ = _refused_export()
    page = admin_client_logged_in.get(
        reverse("admin:integrations_erprequest_change", args=[request.pk])
    ).content.decode()
    for name in ("retry_now", "reclose_requests", "mark_resolved"):
        url = reverse("admin:integrations_erprequest_act", args=[request.pk, name])
        assert f'action="{url}"' in page
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_button_runs_the_list_action_on_its_row_audited_and_comes_back(admin_client_logged_in):
    request, detail = _refused_export()
    ERPRequestFactory(state=WorkState.DEAD)  # another row: untouched
    url = reverse("admin:integrations_erprequest_act", args=[request.pk, "retry_now"])
    response = admin_client_logged_in.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:integrations_erprequest_change", args=[request.pk]
    )
    assert "1 ERP request(s) queued to run again." in response.content.decode()
    assert list(ERPRequest.objects.filter(state=WorkState.PENDING)) == [request]
    entry = AuditEntry.objects.get(object_type="integrations.ERPRequest")
    assert (entry.object_id, entry.changes) == (str(request.pk), {"action": "retry now"})

    url = reverse("admin:integrations_erprequestdetail_act", args=[detail.pk, "reclose_details"])
    admin_client_logged_in.post(url)
    detail.refresh_from_db()
    assert detail.state == WorkState.PENDING and detail.status == "failed"


def test_a_button_needs_post_with_the_csrf_token(django_user_model):
    from django.test import Client

    request, _ = _refused_export()
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("su", "su@example.com", "pw"))
    url = reverse("admin:integrations_erprequest_act", args=[request.pk, "retry_now"])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    request.refresh_from_db()
    assert request.state == WorkState.FAILED


@pytest.fixture
def viewer(django_user_model):
    """Staff who may view the ledgers and change nothing."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    user = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="integrations", codename__startswith="view_"
        )
    )
    client = Client()
    client.force_login(user)
    return client


def test_staff_who_may_only_view_get_no_button_and_no_action(viewer):
    request, _ = _refused_export()
    page = viewer.get(
        reverse("admin:integrations_erprequest_change", args=[request.pk])
    ).content.decode()
    assert "/act/" not in page
    url = reverse("admin:integrations_erprequest_act", args=[request.pk, "retry_now"])
    assert viewer.post(url).status_code == 403
    response = viewer.post(
        reverse("admin:integrations_erprequest_changelist"),
        {"action": "retry_now", "_selected_action": [str(request.pk)]},
    )
    assert response.status_code in (200, 302)
    request.refresh_from_db()
    assert request.state == WorkState.FAILED
    assert not AuditEntry.objects.exists()


# -- links between an event, its request, its runs, its objects and its API calls ----------------


def test_an_event_leads_to_its_request_and_the_request_to_its_work(admin_client_logged_in):
    from tests.factories import (
        ApiAttemptFactory,
        NotificationEventFactory,
        ObjectLinkFactory,
        SyncRunFactory,
    )

    request = ERPRequestFactory(
        request_name="create_vendor",
        request_data={"vendor": {"id": 5, "name": "Acme Concrete"}},
        external_links=[{"item_type": "vendor", "item_id": 5, "origin_id": "G-77"}],
    )
    company = request.company
    event = NotificationEventFactory(
        company=company, erp_request=request, resource_id=request.procore_request_id
    )
    link = ObjectLinkFactory(company=company, origin_id="G-77", name="Acme Concrete")
    run = SyncRunFactory(company=company, erp_request=request)
    mine = ApiAttemptFactory(company=company, erp_request=request, path="/rest/v1.0/mine")
    ApiAttemptFactory(company=company, path="/rest/v1.0/someone-else")
    of_run = ApiAttemptFactory(company=company, sync_run=run, path="/rest/v1.0/of-run")

    page = admin_client_logged_in.get(
        reverse("admin:integrations_notificationevent_change", args=[event.pk])
    ).content.decode()
    assert reverse("admin:integrations_erprequest_change", args=[request.pk]) in page
    attempts_url = reverse("admin:integrations_apiattempt_changelist")
    assert f"{attempts_url}?erp_request__exact={request.pk}" in page
    assert reverse("admin:integrations_objectlink_change", args=[link.pk]) in page

    page = admin_client_logged_in.get(
        reverse("admin:integrations_erprequest_change", args=[request.pk])
    ).content.decode()
    assert f"?erp_request__exact={request.pk}" in page  # events, runs, API attempts
    assert ">Acme Concrete</a>" in page

    listed = admin_client_logged_in.get(
        attempts_url, {"erp_request__exact": request.pk}
    ).content.decode()
    assert "/rest/v1.0/mine" in listed and "someone-else" not in listed

    page = admin_client_logged_in.get(
        reverse("admin:integrations_apiattempt_change", args=[mine.pk])
    ).content.decode()
    assert reverse("admin:integrations_erprequest_change", args=[request.pk]) in page
    page = admin_client_logged_in.get(
        reverse("admin:integrations_apiattempt_change", args=[of_run.pk])
    ).content.decode()
    assert reverse("admin:integrations_syncrun_change", args=[run.pk]) in page
    page = admin_client_logged_in.get(
        reverse("admin:integrations_syncrun_change", args=[run.pk])
    ).content.decode()
    assert f"{attempts_url}?sync_run__exact={run.pk}" in page
    assert reverse("admin:integrations_erprequest_change", args=[request.pk]) in page


# -- search -------------------------------------------------------------------------------------


def test_requests_are_found_by_their_name_in_part_whatever_the_case(admin_client_logged_in):
    export = ERPRequestFactory(request_name="create_vendor")
    other = ERPRequestFactory(request_name="sync_standard_cost_codes")
    url = reverse("admin:integrations_erprequest_changelist")
    for term in ("create_vendor", "CREATE_V", "e_vendor"):
        page = admin_client_logged_in.get(url, {"q": term}).content.decode()
        assert f">{export.procore_request_id}<" in page, term
        assert f">{other.procore_request_id}<" not in page, term
    page = admin_client_logged_in.get(url, {"q": str(other.procore_request_id)}).content.decode()
    assert f">{other.procore_request_id}<" in page
    assert f">{export.procore_request_id}<" not in page
