"""The webhook endpoint: authenticate, persist once, acknowledge; every bad input has its answer."""

import json
from unittest import mock

import pytest
from django.db import DatabaseError

from integrations.models import ERPRequest, NotificationEvent
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
        mock.patch("integrations.tasks.enqueue_erp_request") as enqueue,
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
    enqueue.assert_called_once_with(request.pk)


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
    with mock.patch("integrations.tasks.enqueue_erp_request") as enqueue:
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
    with mock.patch("integrations.tasks.enqueue_erp_request") as enqueue:
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
        "integrations.services.webhooks.insert_if_absent",
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
