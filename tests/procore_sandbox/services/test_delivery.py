"""Webhook delivery as Procore does it (webhooks.md, §c.3-c.4), to a real local receiver."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from procore_sandbox.models import Delivery, Hook
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.delivery import deliveries_run_due, runner_start, runner_stop
from tests.procore_sandbox.conftest import FAST


def _deliveries(procore, hook, status=None):
    params = {"company_id": procore.company_id}
    if status:
        params["filter[status]"] = status
    response = procore.get(f"/rest/v1.0/webhooks/hooks/{hook['id']}/deliveries", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _press(company):
    (request,) = button_press(company=company, button="refresh_vendors")
    return request


def test_event_is_posted_with_the_hooks_headers_and_the_v2_payload(
    procore, connected, hook, receiver, company, fast_sandbox
):
    request = _press(company)
    assert deliveries_run_due() == 1
    (got,) = receiver.received
    assert got.headers["Authorization"] == "Bearer whsec-test-123"
    assert got.headers["Content-Type"] == "application/json"
    assert got.body["resource_name"] == "ERP Requests"
    assert got.body["event_type"] == "create"
    assert got.body["resource_id"] == request.id
    assert got.body["company_id"] == company.id
    assert got.body["api_version"] == "v2.0"
    assert len(got.body["ulid"]) == 26
    assert got.body["id"] > 2**32
    assert set(got.body["metadata"]) == {
        "source_user_id",
        "source_project_id",
        "source_operation_id",
        "source_company_id",
        "source_application_id",
    }
    (listed,) = _deliveries(procore, hook)
    assert listed["outcome"] == "ok"
    assert listed["response_status"] == "200 OK"
    assert listed["event"]["ulid"] == got.body["ulid"]


def test_a_500_is_retried_after_backoff(procore, connected, hook, receiver, company, settings):
    settings.PROCORE_SANDBOX = {**FAST, "webhook_backoff_initial": 30, "webhook_backoff_cap": 3600}
    receiver.script = [500]
    _press(company)
    assert deliveries_run_due() == 1
    assert deliveries_run_due() == 0, "the hook is paused until its backoff has passed"
    assert deliveries_run_due(now=timezone.now() + timedelta(seconds=31)) == 1
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    attempts = _deliveries(procore, hook)
    assert [a["outcome"] for a in attempts] == ["ok", "retried"]
    assert attempts[1]["response_status"] == "500 Internal Server Error"
    assert [a["outcome"] for a in _deliveries(procore, hook, "failing")] == ["retried"]
    assert [a["outcome"] for a in _deliveries(procore, hook, "successful")] == ["ok"]


def test_a_timeout_is_a_failure_and_retried(procore, connected, hook, receiver, company, settings):
    settings.PROCORE_SANDBOX = {**FAST, "webhook_timeout": 0.2}
    receiver.slow_seconds = 0.6
    receiver.script = ["timeout"]
    _press(company)
    deliveries_run_due()
    deliveries_run_due(now=timezone.now() + timedelta(seconds=5))
    attempts = _deliveries(procore, hook)
    assert [a["outcome"] for a in attempts] == ["ok", "retried"]
    assert "Timed out" in attempts[1]["response_error"]
    assert len(receiver.received) == 1


def test_failure_pauses_the_hook_and_one_success_resumes_in_order(
    procore, connected, hook, receiver, company, settings
):
    settings.PROCORE_SANDBOX = {**FAST, "webhook_backoff_initial": 10, "webhook_backoff_cap": 3600}
    receiver.script = [503, 503]
    first, second = _press(company), _press(company)
    assert deliveries_run_due() == 1, "after a failure nothing else goes to that endpoint"
    later = timezone.now() + timedelta(seconds=11)
    assert deliveries_run_due(now=later) == 1, "still failing: paused again, doubled"
    paused = Hook.objects.get(id=hook["id"])
    assert paused.consecutive_failures == 2
    assert paused.next_attempt_at >= later + timedelta(seconds=20)
    assert deliveries_run_due(now=later + timedelta(seconds=21)) == 2
    resource_ids = [r.body["resource_id"] for r in receiver.received]
    assert resource_ids == [first.id, first.id, first.id, second.id]
    resumed = Hook.objects.get(id=hook["id"])
    assert (resumed.consecutive_failures, resumed.next_attempt_at) == (0, None)


def test_backoff_doubles_up_to_the_cap(procore, connected, hook, receiver, company, settings):
    settings.PROCORE_SANDBOX = {
        **FAST,
        "webhook_backoff_initial": 1,
        "webhook_backoff_cap": 4,
        "webhook_discard_after": 10_000,
    }
    receiver.script = [500] * 5
    _press(company)
    clock = timezone.now()
    gaps = []
    for _ in range(5):
        deliveries_run_due(now=clock)
        hook_row = Hook.objects.get(id=hook["id"])
        gaps.append((hook_row.next_attempt_at - clock).total_seconds())
        clock = hook_row.next_attempt_at
    assert gaps == [1, 2, 4, 4, 4]


def test_queue_is_discarded_after_the_window(procore, connected, hook, receiver, company, settings):
    settings.PROCORE_SANDBOX = {**FAST, "webhook_discard_after": 60, "webhook_backoff_initial": 1}
    receiver.script = [500, 500]
    _press(company)
    _press(company)
    deliveries_run_due()
    deliveries_run_due(now=timezone.now() + timedelta(seconds=61))
    outcomes = [a["outcome"] for a in _deliveries(procore, hook)]
    assert outcomes == ["discarded", "discarded", "failed", "retried"]
    assert len(_deliveries(procore, hook, "discarded")) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"discarded"}
    _press(company)
    assert deliveries_run_due() == 1, "a new event starts a fresh cycle"
    assert receiver.received[-1].body["resource_id"]


def test_a_share_of_events_is_delivered_twice(
    procore, connected, hook, receiver, company, settings
):
    settings.PROCORE_SANDBOX = {**FAST, "webhook_duplicate_share": 1.0}
    _press(company)
    deliveries_run_due()
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body


def test_only_hooks_with_a_matching_trigger_get_the_event(
    procore, connected, hook, receiver, company, fast_sandbox
):
    procore.post(
        "/rest/v1.0/webhooks/hooks",
        {
            "company_id": procore.company_id,
            "hook": {"namespace": "no-triggers", "destination_url": receiver.url},
        },
    )
    _press(company)
    assert Delivery.objects.count() == 1


def test_the_runner_thread_delivers_without_being_asked(
    procore, connected, hook, receiver, company, fast_sandbox
):
    runner_start(poll_interval=0.05)
    try:
        _press(company)
        assert len(receiver.wait_for(1)) == 1
    finally:
        runner_stop()
