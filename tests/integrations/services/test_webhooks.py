"""The webhook store: a batch of deliveries in one transaction, a refused delivery alone, and
writers in several processes at once."""

import json
from unittest import mock

import pytest

from integrations.models import ERPRequest, NotificationEvent
from integrations.services.webhooks import webhook_authenticate
from tests.factories import ConnectionFactory
from tests.integrations.conftest import WEBHOOK_SECRET as SECRET
from tests.integrations.conftest import webhook_event as event

pytestmark = pytest.mark.django_db


@pytest.fixture
def connection():
    return ConnectionFactory(webhook_secret=SECRET)


def parsed(connection, **overrides):
    from integrations.services.webhooks import webhook_parse

    credentials = webhook_authenticate(
        procore_company_id=connection.company.procore_company_id,
        authorization=f"Bearer {SECRET}",
    )
    return webhook_parse(
        body=json.dumps(event(connection, **overrides)).encode(), credentials=credentials
    )


def test_a_batch_is_stored_in_one_transaction_with_one_receipt_per_delivery(
    connection, django_capture_on_commit_callbacks, django_assert_num_queries
):
    """What the threads of one process received at the same moment: new, repeated within the
    batch, repeated from before, a second event for the same request, and a non-ERP event."""
    from integrations.services.webhooks import webhook_store

    with (
        mock.patch("integrations.tasks.enqueue_erp_requests"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        earlier = webhook_store([parsed(connection, ulid="C", id=3, resource_id=2)])[0]
    batch = [
        parsed(connection, ulid="A", id=1, resource_id=1),
        parsed(connection, ulid="A", id=1, resource_id=1),
        parsed(connection, ulid="B", id=2, resource_id=1),
        parsed(connection, ulid="C", id=3, resource_id=2),
        parsed(connection, ulid="D", id=4, resource_id=9, resource_name="Projects"),
        parsed(connection, ulid="E", id=5, resource_id=3),
    ]
    # Six statements for six deliveries, as for one: the savepoint and its release (the test's
    # transaction stands in for the commit), one INSERT per table, and one look-up per table
    # of the keys stored before (request 2 and event C).
    with (
        mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
        django_assert_num_queries(6),
    ):
        receipts = webhook_store(batch)

    events = {e.dedupe_key: e for e in NotificationEvent.objects.all()}
    requests = {r.procore_request_id: r for r in ERPRequest.objects.all()}
    assert [r.duplicate for r in receipts] == [False, True, False, True, False, False]
    assert [r.event_pk for r in receipts] == [
        events["A"].pk,
        events["A"].pk,
        events["B"].pk,
        earlier.event_pk,
        events["D"].pk,
        events["E"].pk,
    ]
    assert sorted(events) == ["A", "B", "C", "D", "E"]
    assert events["A"].erp_request == events["B"].erp_request == requests[1]
    assert events["D"].erp_request is None
    assert events["D"].state == NotificationEvent.State.IGNORED
    assert sorted(requests) == [1, 2, 3]
    enqueue.assert_called_once_with(sorted([requests[1].pk, requests[3].pk]))


def test_a_payload_the_database_refuses_is_refused_alone_and_the_rest_of_its_batch_stored(
    connection,
):
    """The batch is retried one delivery at a time, so one bad body costs nobody else."""
    from dataclasses import replace

    from integrations.services.webhooks import WebhookReceipt, WebhookRejected, webhook_store

    good = parsed(connection, ulid="GOOD", id=1)
    bad = replace(parsed(connection, ulid="BAD", id=2, resource_id=2), body="{not json")
    with mock.patch("integrations.tasks.enqueue_erp_requests"):
        outcomes = webhook_store([good, bad])
    assert isinstance(outcomes[0], WebhookReceipt) and not outcomes[0].duplicate
    assert isinstance(outcomes[1], WebhookRejected) and outcomes[1].status == 400
    assert "cannot be stored" in outcomes[1].message
    assert list(NotificationEvent.objects.values_list("dedupe_key", flat=True)) == ["GOOD"]
    assert list(ERPRequest.objects.values_list("procore_request_id", flat=True)) == [54321]


@pytest.mark.django_db(transaction=True)
def test_processes_storing_overlapping_batches_at_once_store_each_event_once():
    """Four writers, each with its own database connection as separate gunicorn processes would
    have, store the same 40 deliveries in different orders at the same moment: no deadlock
    (rows go in key order), every event and ERP request once, and each delivery is "stored" for
    exactly one writer and "duplicate" for the others."""
    import random
    import threading

    from django.db import connection as db
    from django.db import connections

    from integrations.services.webhooks import webhook_store

    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is proven on PostgreSQL")
    connection = ConnectionFactory(webhook_secret=SECRET)
    deliveries = [
        parsed(connection, ulid=f"U{i:03d}", id=i + 1, resource_id=1000 + i // 2) for i in range(40)
    ]
    barrier = threading.Barrier(4)
    outcomes: list = []
    lock = threading.Lock()

    def writer(seed: int) -> None:
        mine = deliveries[:]
        random.Random(seed).shuffle(mine)
        try:
            barrier.wait()
            for start in range(0, 40, 8):
                batch = mine[start : start + 8]
                receipts = webhook_store(batch)
                with lock:
                    outcomes.extend(zip(batch, receipts, strict=True))
        finally:
            connections.close_all()

    with mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue:
        threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(outcomes) == 160
    stored = [d.dedupe_key for d, receipt in outcomes if not receipt.duplicate]
    assert sorted(stored) == sorted(d.dedupe_key for d in deliveries)  # each once, by one writer
    assert NotificationEvent.objects.count() == 40
    assert ERPRequest.objects.count() == 20
    pk_of = dict(NotificationEvent.objects.values_list("dedupe_key", "pk"))
    assert all(receipt.event_pk == pk_of[d.dedupe_key] for d, receipt in outcomes)
    assert not NotificationEvent.objects.filter(erp_request__isnull=True).exists()
    enqueued = [pk for call in enqueue.call_args_list for pk in call.args[0]]
    assert sorted(enqueued) == sorted(ERPRequest.objects.values_list("pk", flat=True))
