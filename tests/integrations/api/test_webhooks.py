"""The webhook endpoint: authenticate, persist once, acknowledge; every bad input has its answer."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from integrations.models import ERPRequest, NotificationEvent
from tests.factories import ConnectionFactory
from tests.integrations.conftest import WEBHOOK_SECRET as SECRET
from tests.integrations.conftest import webhook_event as event

pytestmark = pytest.mark.django_db

PREVIOUS = "whsec-previous-9876543210"


@pytest.fixture
def connection():
    return ConnectionFactory(webhook_secret=SECRET, webhook_secret_previous=PREVIOUS)


def url_for(connection) -> str:
    return f"/webhooks/procore/{connection.company.procore_company_id}/"


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
