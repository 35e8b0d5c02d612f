"""Storing a delivery: the event once, its ERP request once, the request enqueued when new."""

import threading
from unittest import mock

import pytest
from django.db import connection as db

from integrations.models import ERPRequest, NotificationEvent
from integrations.services.webhooks import webhook_event_store
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def fields(**overrides) -> dict:
    return {
        "id": 1,
        "ulid": "01HSTOREONCE000000000000AA",
        "resource_name": "ERP Requests",
        "resource_id": 500,
        "event_type": "create",
        "api_version": "v2.0",
        **overrides,
    }


def store(company, **overrides):
    event = fields(**overrides)
    return webhook_event_store(company_pk=company.pk, event=event, payload={"raw": event})


def test_an_event_is_stored_with_its_new_request_and_the_request_enqueued(
    django_capture_on_commit_callbacks,
):
    company = CompanyFactory()
    with (
        mock.patch("integrations.services.webhooks.enqueue_erp_requests") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        receipt = store(company)
    event = NotificationEvent.objects.get()
    assert (receipt.event_pk, receipt.duplicate) == (event.pk, False)
    assert event.payload == {"raw": fields()}
    assert event.state == "received" and event.erp_request.procore_request_id == 500
    enqueue.assert_called_once_with([event.erp_request.pk])


def test_a_redelivery_changes_nothing_and_points_at_the_stored_event():
    company = CompanyFactory()
    with mock.patch("integrations.services.webhooks.enqueue_erp_requests") as enqueue:
        first = store(company)
        again = store(company)
    assert (again.event_pk, again.duplicate) == (first.event_pk, True)
    assert NotificationEvent.objects.count() == ERPRequest.objects.count() == 1
    assert enqueue.call_count == 1


def test_without_a_ulid_the_id_makes_the_event_the_same():
    company = CompanyFactory()
    with mock.patch("integrations.services.webhooks.enqueue_erp_requests"):
        store(company, ulid="", id=9)
        assert store(company, ulid="", id=9).duplicate
    assert NotificationEvent.objects.get().dedupe_key == "id:9"


def test_a_second_event_for_the_same_request_is_kept_as_a_duplicate_and_not_enqueued():
    company = CompanyFactory()
    with mock.patch("integrations.services.webhooks.enqueue_erp_requests") as enqueue:
        store(company)
        second = store(company, ulid="01HSTOREONCE000000000000BB", id=2)
    assert not second.duplicate  # a new event, answered "stored"
    assert NotificationEvent.objects.get(pk=second.event_pk).state == "duplicate"
    assert ERPRequest.objects.count() == 1 and enqueue.call_count == 1


def test_the_same_ids_in_two_companies_are_two_events_and_two_requests():
    one, two = CompanyFactory(), CompanyFactory()
    with mock.patch("integrations.services.webhooks.enqueue_erp_requests"):
        store(one)
        store(two)
    assert NotificationEvent.objects.count() == ERPRequest.objects.count() == 2


def test_an_event_that_is_not_an_erp_request_is_ignored_without_a_request():
    company = CompanyFactory()
    with mock.patch("integrations.services.webhooks.enqueue_erp_requests") as enqueue:
        store(company, resource_name="Projects")
    assert NotificationEvent.objects.get().state == "ignored"
    assert not ERPRequest.objects.exists() and not enqueue.called


@pytest.mark.django_db(transaction=True)
def test_writers_racing_with_the_same_deliveries_store_each_event_and_request_once():
    """Four writers, each with its own database connection as gunicorn processes would have,
    store the same 40 deliveries (two per ERP request) in different orders at once."""
    import random

    from django.db import connections

    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is proven on PostgreSQL")
    company = CompanyFactory()
    events = [fields(ulid=f"U{i:03d}", id=i + 1, resource_id=1000 + i // 2) for i in range(40)]
    barrier = threading.Barrier(4, timeout=30)
    outcomes: list = []
    lock = threading.Lock()

    def writer(seed: int) -> None:
        mine = events[:]
        random.Random(seed).shuffle(mine)
        try:
            barrier.wait()
            for event in mine:
                receipt = webhook_event_store(company_pk=company.pk, event=event, payload=event)
                with lock:
                    outcomes.append((event["ulid"], receipt))
        finally:
            connections.close_all()

    with mock.patch("integrations.services.webhooks.enqueue_erp_requests") as enqueue:
        threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert len(outcomes) == 160
    stored = sorted(ulid for ulid, receipt in outcomes if not receipt.duplicate)
    assert stored == sorted(e["ulid"] for e in events)  # each once, by one writer
    assert NotificationEvent.objects.count() == 40
    assert ERPRequest.objects.count() == 20
    pk_of = dict(NotificationEvent.objects.values_list("ulid", "pk"))
    assert all(receipt.event_pk == pk_of[ulid] for ulid, receipt in outcomes)
    enqueued = sorted(pk for call in enqueue.call_args_list for pk in call.args[0])
    assert enqueued == sorted(ERPRequest.objects.values_list("pk", flat=True))
