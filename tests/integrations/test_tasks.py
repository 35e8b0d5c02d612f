"""The task entry points and the enqueue module: new ERP requests are handed over ten to a task
after commit, and one request that fails unexpectedly does not hold up the others of its task."""

from unittest import mock

import pytest

from integrations import enqueue, tasks
from integrations.models import ERPRequest, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.tasks import scheduled_import
from tests.factories import ERPRequestFactory
from tests.integrations.conftest import seed_vendors

pytestmark = pytest.mark.django_db


def test_new_requests_are_enqueued_ten_to_a_task_once_committed(
    django_capture_on_commit_callbacks,
):
    with mock.patch("integrations.enqueue.async_task") as async_task:
        with django_capture_on_commit_callbacks() as callbacks:
            enqueue.enqueue_erp_requests(list(range(1, 24)))
            assert async_task.call_count == 0  # nothing leaves before the commit
        for callback in callbacks:
            callback()
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

    with mock.patch("integrations.tasks.erp_request_process", side_effect=process):
        states = tasks.erp_requests_task([1, 2, 3])
    assert processed == [1, 3]
    assert states == [WorkState.SUCCEEDED, None, WorkState.SUCCEEDED]


def test_the_sweeper_hands_out_every_due_request_in_one_call():
    due = [ERPRequestFactory(state=WorkState.PENDING) for _ in range(3)]
    ERPRequestFactory(state=WorkState.SUCCEEDED)
    with mock.patch("integrations.services.sweeper.enqueue_erp_requests") as enqueue_requests:
        counts = tasks.sweep_due_work()
    enqueue_requests.assert_called_once()
    assert sorted(enqueue_requests.call_args.args[0]) == sorted(r.pk for r in due)
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
        mock.patch("integrations.tasks.erp_request_process", side_effect=slow_import) as process,
        mock.patch("integrations.tasks.enqueue_erp_requests") as handed_on,
    ):
        states = tasks.erp_requests_task([1, 2, 3, 4, 5])
    assert [call.kwargs["erp_request_id"] for call in process.call_args_list] == [1, 2]
    assert states == [WorkState.SUCCEEDED, WorkState.SUCCEEDED]
    handed_on.assert_called_once_with([3, 4, 5])


def test_a_broker_that_is_down_loses_nothing(django_capture_on_commit_callbacks):
    """The row is stored; the enqueue fails quietly after commit and the sweeper finds it."""
    row = ERPRequestFactory(state=WorkState.PENDING)
    with (
        mock.patch("integrations.enqueue.async_task", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        enqueue.enqueue_erp_requests([row.pk])
    with mock.patch("integrations.services.sweeper.enqueue_erp_requests") as enqueue_requests:
        tasks.sweep_due_work()
    assert enqueue_requests.call_args.args[0] == [row.pk]


def test_a_paused_scheduled_import_is_resumed_by_the_next_tick(company, connection, procore):
    seed_vendors(2)
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()

    assert scheduled_import(company.pk, "vendors").startswith("Paused, resumes on the next run")

    connection.adapter_settings = {"tenant": "books"}
    connection.save()
    assert scheduled_import(company.pk, "vendors") == "Staged 2 new vendors; 0 unchanged."
    assert SyncRun.objects.count() == 1


def test_a_scheduled_import_of_an_entity_the_erp_does_not_keep_is_skipped_not_failed(
    company, connection, tmp_path
):
    """Every company has a job costs schedule; a SQL ERP whose settings map no job costs sends
    none, so its hourly tick says why and records no failed run."""
    from erp_adapters.sql.sample import create_sample_database, sample_settings

    url = f"sqlite:///{tmp_path / 'erp.sqlite3'}"
    create_sample_database(url, data=False)
    settings = sample_settings(url)
    settings["entities"] = {"vendors": settings["entities"]["vendors"]}
    connection.adapter_key = "sql"
    connection.adapter_settings = settings
    connection.save()

    answer = scheduled_import(company.pk, "job_costs")

    assert answer == "Skipped: The SQL database ERP keeps no job costs."
    assert not SyncRun.objects.exists()
