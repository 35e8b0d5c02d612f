"""The webhook endpoint: authenticate, persist once, acknowledge; every bad input has its answer."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from integrations.models import ERPRequest, NotificationEvent
from integrations.services.webhooks import webhook_authenticate
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec-current-0123456789"
PREVIOUS = "whsec-previous-9876543210"


@pytest.fixture
def connection():
    return ConnectionFactory(webhook_secret=SECRET, webhook_secret_previous=PREVIOUS)


def url_for(connection) -> str:
    return f"/webhooks/procore/{connection.company.procore_company_id}/"


def event(connection, **overrides) -> dict:
    body = {
        "id": 5982324300946918154,
        "ulid": "01EDPD2J6SBY1163N77H95GW09",
        "timestamp": "2025-02-06T23:34:12.246562Z",
        "metadata": {"source_user_id": 987654321, "source_company_id": 1},
        "user_id": 987654321,
        "company_id": connection.company.procore_company_id,
        "project_id": None,
        "api_version": "v2.0",
        "event_type": "create",
        "resource_name": "ERP Requests",
        "resource_id": 54321,
    }
    body.update(overrides)
    return body


def post(client, connection, body, secret=SECRET, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
    return client.post(
        url_for(connection), data=data, content_type="application/json", **headers, **extra
    )


def test_genuine_event_is_stored_with_its_erp_request_and_enqueued(
    client, connection, django_capture_on_commit_callbacks
):
    with (
        mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, connection, event(connection))
    assert response.status_code == 200
    assert response.json()["status"] == "stored"
    stored = NotificationEvent.objects.get()
    assert stored.dedupe_key == "01EDPD2J6SBY1163N77H95GW09"
    assert stored.event_id == 5982324300946918154
    assert stored.payload["resource_id"] == 54321
    request = ERPRequest.objects.get()
    assert (request.company, request.procore_request_id) == (connection.company, 54321)
    assert stored.erp_request == request
    enqueue.assert_called_once_with([request.pk])


def test_previous_secret_is_accepted_during_rotation(client, connection):
    assert post(client, connection, event(connection), secret=PREVIOUS).status_code == 200


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_wrong_or_missing_secret_is_refused(client, connection, secret):
    response = post(client, connection, event(connection), secret=secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing credentials."}
    assert not NotificationEvent.objects.exists()


def test_unknown_company_gets_the_same_401(client, connection):
    response = client.post(
        "/webhooks/procore/999999/",
        data=json.dumps(event(connection, company_id=999999)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing credentials."}


def test_other_company_secret_does_not_open_this_company(client, connection):
    other = ConnectionFactory(webhook_secret="whsec-other-company-000")
    response = post(client, connection, event(connection), secret=other.webhook_secret)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        ({"resource_name": "ERP Requests"}, "Missing fields"),
        ({"api_version": "v4.0"}, "Unsupported api_version"),
        ({"resource_id": "abc"}, "must be integers"),
    ],
)
def test_malformed_body_gets_400_with_the_reason(client, connection, body, message):
    if isinstance(body, dict):
        base = event(connection)
        if set(body) == {"resource_name"}:
            base = body
        else:
            base.update(body)
        body = base
    response = post(client, connection, body)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not NotificationEvent.objects.exists()


def test_payload_for_another_company_is_refused(client, connection):
    response = post(client, connection, event(connection, company_id=123))
    assert response.status_code == 400
    assert "does not match" in response.json()["detail"]


def test_body_over_64_kib_gets_413(client, connection):
    body = event(connection, padding="x" * (64 * 1024))
    response = post(client, connection, body)
    assert response.status_code == 413
    assert not NotificationEvent.objects.exists()


def test_duplicate_delivery_is_acknowledged_and_changes_nothing(
    client, connection, django_capture_on_commit_callbacks
):
    with mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            first = post(client, connection, event(connection))
        with django_capture_on_commit_callbacks(execute=True):
            second = post(client, connection, event(connection))
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert NotificationEvent.objects.count() == 1
    assert ERPRequest.objects.count() == 1
    assert enqueue.call_count == 1


def test_same_erp_request_in_two_events_is_enqueued_once(
    client, connection, django_capture_on_commit_callbacks
):
    with mock.patch("integrations.tasks.enqueue_erp_requests") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            post(client, connection, event(connection))
        with django_capture_on_commit_callbacks(execute=True):
            post(client, connection, event(connection, ulid="01EDPD2J6SBY1163N77H95GW10", id=2))
    assert NotificationEvent.objects.count() == 2
    assert ERPRequest.objects.count() == 1
    assert enqueue.call_count == 1


def test_event_without_ulid_is_deduplicated_on_id(client, connection):
    body = event(connection)
    del body["ulid"]
    post(client, connection, body)
    assert post(client, connection, body).json()["status"] == "duplicate"
    assert NotificationEvent.objects.get().dedupe_key == "id:5982324300946918154"


def test_event_that_is_not_an_erp_request_is_stored_and_ignored(client, connection):
    response = post(client, connection, event(connection, resource_name="Projects"))
    assert response.status_code == 200
    stored = NotificationEvent.objects.get()
    assert stored.state == NotificationEvent.State.IGNORED
    assert not ERPRequest.objects.exists()


def test_database_down_answers_503_so_procore_retries(client, connection):
    with mock.patch(
        "integrations.services.webhooks.insert_rows_if_absent",
        side_effect=DatabaseError("server closed the connection unexpectedly"),
    ):
        response = post(client, connection, event(connection))
    assert response.status_code == 503
    assert response["Retry-After"]


def test_rotated_secret_takes_effect_at_once_in_this_process(client, connection):
    assert post(client, connection, event(connection)).status_code == 200  # cached now
    connection.webhook_secret_previous = ""
    connection.webhook_secret = "whsec-rotated-5555"
    connection.save()
    assert (
        post(client, connection, event(connection, ulid="R1"), secret=PREVIOUS).status_code == 401
    )
    assert (
        post(
            client, connection, event(connection, ulid="R2"), secret="whsec-rotated-5555"
        ).status_code
        == 200
    )


def test_get_is_not_allowed(client, connection):
    assert client.get(url_for(connection)).status_code == 405


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


def test_columns_the_endpoint_leaves_out_take_the_same_defaults_as_the_orm(client, connection):
    post(client, connection, event(connection))
    stored, request = NotificationEvent.objects.get(), ERPRequest.objects.get()
    orm_made = ERPRequest(company=connection.company, procore_request_id=1)
    assert (request.state, request.attempts, request.lease_owner, request.last_error) == (
        orm_made.state,
        orm_made.attempts,
        orm_made.lease_owner,
        orm_made.last_error,
    )
    assert (request.request_name, request.external_links, request.request_data) == ("", [], None)
    now = timezone.now()
    for stamp in (request.created_at, request.updated_at, stored.received_at):
        assert abs(now - stamp) < timedelta(minutes=1)  # the database's now, read back as UTC
    assert stored.attempts == 0 and stored.last_error == ""
    assert stored.payload == event(connection)  # the body as received


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


def test_json_that_postgresql_cannot_store_gets_400_not_endless_503s(client, connection):
    """Python's JSON parser takes a lone surrogate; PostgreSQL's jsonb does not. Answering 503
    would have Procore redeliver it forever."""
    from django.db import connection as db

    if db.vendor != "postgresql":
        pytest.skip("SQLite stores this text as it is; the refusal is PostgreSQL's")
    body = json.dumps(event(connection, note="\ud800"))  # ensure_ascii writes the escape
    assert "\\ud800" in body
    response = post(client, connection, body)
    assert response.status_code == 400
    assert "cannot be stored" in response.json()["detail"]
    assert not NotificationEvent.objects.exists()


def test_numbers_beyond_64_bits_get_400(client, connection):
    response = post(client, connection, event(connection, resource_id=2**63))
    assert response.status_code == 400
    assert "64 bits" in response.json()["detail"]
    assert not NotificationEvent.objects.exists()


def test_nan_is_not_json(client, connection):
    body = json.dumps(event(connection)).replace('"project_id": null', '"project_id": NaN')
    response = post(client, connection, body)
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]


def test_the_endpoint_is_never_inside_a_request_transaction():
    """With ATOMIC_REQUESTS on, a leader's batch would commit only when its own request ended,
    after the other threads of the batch had answered 200."""
    from django.urls import resolve

    assert resolve("/webhooks/procore/1/").func._non_atomic_requests == {"default"}


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
