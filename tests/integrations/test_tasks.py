"""The task entry points: new ERP requests are handed over ten to a task, and one request that
fails unexpectedly does not hold up the others of its task."""

from unittest import mock

import pytest

from integrations import tasks
from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_new_requests_are_enqueued_ten_to_a_task():
    with mock.patch("integrations.tasks.async_task") as async_task:
        tasks.enqueue_erp_requests(list(range(1, 24)))
    sent = [call.args[1] for call in async_task.call_args_list]
    assert sent == [list(range(1, 11)), list(range(11, 21)), [21, 22, 23]]
    assert {call.args[0] for call in async_task.call_args_list} == {
        "integrations.tasks.erp_requests_task"
    }


def test_one_request_raising_does_not_stop_the_rest_of_its_task():
    processed = []

    def process(*, erp_request_id):
        if erp_request_id == 2:
            raise RuntimeError("adapter bug")
        processed.append(erp_request_id)
        return WorkState.SUCCEEDED

    with mock.patch("integrations.services.erp_requests.erp_request_process", side_effect=process):
        states = tasks.erp_requests_task([1, 2, 3])
    assert processed == [1, 3]
    assert states == [WorkState.SUCCEEDED, None, WorkState.SUCCEEDED]


def test_the_sweeper_hands_out_every_due_request_in_one_call():
    due = [ERPRequestFactory(state=WorkState.PENDING) for _ in range(3)]
    ERPRequestFactory(state=WorkState.SUCCEEDED)
    with mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue:
        counts = tasks.sweep_due_work()
    enqueue.assert_called_once()
    assert sorted(enqueue.call_args.args[0]) == sorted(r.pk for r in due)
    assert counts["erp_requests"] == 3
    assert ERPRequest.objects.filter(state=WorkState.PENDING).count() == 3


def test_requests_not_started_by_half_the_time_limit_go_to_a_new_task(settings, monkeypatch):
    """Imports can be long: rather than have django-q2 kill the task at its limit with requests
    still waiting in it, the task hands them on."""
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "timeout": 600}
    clock = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: clock[0])

    def slow_import(*, erp_request_id):
        clock[0] += 200  # each request takes 200 s
        return WorkState.SUCCEEDED

    with (
        mock.patch(
            "integrations.services.erp_requests.erp_request_process", side_effect=slow_import
        ) as process,
        mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue,
    ):
        states = tasks.erp_requests_task([1, 2, 3, 4, 5])
    assert [call.kwargs["erp_request_id"] for call in process.call_args_list] == [1, 2]
    assert states == [WorkState.SUCCEEDED, WorkState.SUCCEEDED]
    enqueue.assert_called_once_with([3, 4, 5])
