"""The webhook endpoint: authenticate, persist once, acknowledge; every bad input has its answer,
and every answer is JSON."""

import json
import threading
from hmac import compare_digest as hmac_compare_digest
from unittest import mock

import pytest
from django.db import DatabaseError
from django.db import connection as db

from integrations.models import ERPRequest, NotificationEvent
from integrations.services.connections import webhook_secret_generate
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


def post(client, connection, body, secret=SECRET, url=None, **extra):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret is not None else {}
    return client.post(
        url or url_for(connection), data=data, content_type="application/json", **headers, **extra
    )


def test_genuine_event_is_stored_with_its_erp_request_and_enqueued_after_commit(
    client, connection, django_capture_on_commit_callbacks
):
    with (
        mock.patch("integrations.enqueue.async_task") as async_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, connection, event(connection))
    assert response.status_code == 200
    assert response.json() == {"status": "stored", "event": NotificationEvent.objects.get().pk}
    stored = NotificationEvent.objects.get()
    assert stored.dedupe_key == "01EDPD2J6SBY1163N77H95GW09"
    assert stored.event_id == 5982324300946918154
    assert stored.payload == event(connection)  # the body as received
    assert stored.state == NotificationEvent.State.RECEIVED
    request = ERPRequest.objects.get()
    assert (request.company, request.procore_request_id) == (connection.company, 54321)
    assert stored.erp_request == request
    async_task.assert_called_once()
    assert async_task.call_args.args[:2] == ("integrations.tasks.erp_requests_task", [request.pk])


def test_previous_secret_is_accepted_during_rotation(client, connection):
    assert post(client, connection, event(connection), secret=PREVIOUS).status_code == 200


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
def test_wrong_or_missing_secret_is_refused(client, connection, secret):
    response = post(client, connection, event(connection), secret=secret)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing credentials."}
    assert not NotificationEvent.objects.exists()


def test_a_secret_without_the_bearer_scheme_is_refused(client, connection):
    response = client.post(
        url_for(connection),
        data=json.dumps(event(connection)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {SECRET}",
    )
    assert response.status_code == 401


@pytest.mark.parametrize("company_id", ["999999", "abc", "-5", "1.5", "9" * 30])
def test_unknown_or_malformed_company_gets_the_same_json_401(client, connection, company_id):
    response = post(
        client,
        connection,
        event(connection),
        url=f"/webhooks/procore/{company_id}/",
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or missing credentials."}


def test_other_company_secret_does_not_open_this_company(client, connection):
    other = ConnectionFactory(webhook_secret="whsec-other-company-000")
    response = post(client, connection, event(connection), secret=other.webhook_secret)
    assert response.status_code == 401


def test_an_inactive_company_is_refused(client, connection):
    connection.company.is_active = False
    connection.company.save()
    assert post(client, connection, event(connection)).status_code == 401


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"{not json", "detail", "not valid JSON"),
        (b"[1, 2]", "non_field_errors", "Expected a dictionary"),
        ({"resource_id": None}, "resource_id", "null"),
        ({"api_version": "v4.0"}, "api_version", "v2 payloads"),
        ({"resource_id": "54321"}, "resource_id", "whole number"),
        ({"resource_id": 1.7}, "resource_id", "whole number"),
        ({"resource_id": True}, "resource_id", "whole number"),
        ({"resource_id": -5}, "resource_id", "whole number"),
        ({"resource_id": 0}, "resource_id", "whole number"),
        ({"resource_id": 2**63}, "resource_id", "whole number"),
        ({"id": False, "ulid": ""}, "id", "whole number"),
        ({"company_id": 123}, "company_id", "does not match"),
        ({"ulid": "0" * 27}, "ulid", "no more than 26"),
        ({"ulid": None, "id": None}, "ulid", "a ulid or an id"),
        ({"resource_name": ""}, "resource_name", "blank"),
        ({"event_type": "x" * 40}, "event_type", "no more than 32"),
    ],
)
def test_malformed_body_gets_400_naming_the_field(client, connection, body, field, message):
    if isinstance(body, dict):
        body = {**event(connection), **body}
        body = {k: v for k, v in body.items() if v is not None or k == "resource_id"}
    response = post(client, connection, body)
    assert response.status_code == 400, response.content
    answer = response.json()
    assert field in answer, answer
    assert message in json.dumps(answer[field]), answer
    assert not NotificationEvent.objects.exists()
    assert not ERPRequest.objects.exists()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('"resource_name": "ERP \\ud800 Requests"', "lone surrogate"),
        ('"ulid": "01EDPD2J6SBY1163N77H9\\udfff"', "lone surrogate"),
        ('"note": "nul \\u0000 here"', "NUL"),
        ('"amount": 1e400', "too large"),
        ('"amount": NaN', "NaN is not JSON"),
        ('"amount": Infinity', "Infinity is not JSON"),
        ('"deep": ' + "[" * 5000 + "]" * 5000, "nesting"),
        ('"deep": ' + "[" * 40 + "]" * 40, "nesting"),
    ],
)
def test_bodies_that_would_crash_or_not_store_get_400_with_the_reason(
    client, connection, text, reason
):
    body = json.dumps(event(connection))[:-1] + ", " + text + "}"
    assert len(body) < 64 * 1024
    response = post(client, connection, body)
    assert response.status_code == 400, response.content
    assert reason in response.json()["detail"]
    assert not NotificationEvent.objects.exists()


def test_body_over_64_kib_gets_413(client, connection):
    body = event(connection, padding="x" * (64 * 1024))
    response = post(client, connection, body)
    assert response.status_code == 413
    assert "64" in response.json()["detail"] or "65536" in response.json()["detail"]
    assert not NotificationEvent.objects.exists()


def test_duplicate_delivery_is_acknowledged_and_changes_nothing(
    client, connection, django_capture_on_commit_callbacks
):
    with mock.patch("integrations.enqueue.async_task") as async_task:
        with django_capture_on_commit_callbacks(execute=True):
            first = post(client, connection, event(connection))
        with django_capture_on_commit_callbacks(execute=True):
            second = post(client, connection, event(connection))
    assert first.status_code == second.status_code == 200
    assert second.json() == {"status": "duplicate", "event": first.json()["event"]}
    assert NotificationEvent.objects.count() == 1
    assert ERPRequest.objects.count() == 1
    assert async_task.call_count == 1


def test_same_erp_request_in_two_events_is_enqueued_once_and_the_second_is_a_duplicate(
    client, connection, django_capture_on_commit_callbacks
):
    with mock.patch("integrations.enqueue.async_task") as async_task:
        with django_capture_on_commit_callbacks(execute=True):
            post(client, connection, event(connection))
        with django_capture_on_commit_callbacks(execute=True):
            post(client, connection, event(connection, ulid="01EDPD2J6SBY1163N77H95GW10", id=2))
    first, second = NotificationEvent.objects.order_by("id")
    assert (first.state, second.state) == ("received", "duplicate")
    assert first.erp_request == second.erp_request == ERPRequest.objects.get()
    assert async_task.call_count == 1


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


def test_database_down_answers_503_in_json_so_procore_retries(client, connection):
    post(client, connection, event(connection, ulid="WARM"))  # credentials cached
    with mock.patch(
        "integrations.services.webhooks.NotificationEvent.objects.create",
        side_effect=DatabaseError("server closed the connection unexpectedly"),
    ):
        response = post(client, connection, event(connection))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "Temporarily unable to store the event; please retry."}


def test_a_broker_that_is_down_still_gets_200_once_stored(
    client, connection, django_capture_on_commit_callbacks
):
    with (
        mock.patch("integrations.enqueue.async_task", side_effect=ConnectionError("redis down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client, connection, event(connection))
    assert response.status_code == 200
    assert ERPRequest.objects.get().state == "pending"  # the sweeper enqueues it


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


def test_a_new_company_is_served_at_once_in_this_process(client, connection):
    assert post(client, connection, event(connection)).status_code == 200  # ids cached now
    newcomer = ConnectionFactory(webhook_secret=SECRET)
    assert post(client, newcomer, event(newcomer)).status_code == 200


def test_unknown_companies_cost_no_query_per_attempt(
    client, connection, django_assert_max_num_queries
):
    post(client, connection, event(connection))  # the set of served ids is cached now
    with django_assert_max_num_queries(0):
        for company_id in range(900_001, 900_021):
            response = post(
                client, connection, event(connection), url=f"/webhooks/procore/{company_id}/"
            )
            assert response.status_code == 401


@pytest.mark.parametrize("presented", ["x" * 43, "y" * 43, ""])
def test_a_company_whose_connection_has_no_webhook_secret_accepts_nothing(client, presented):
    """A connection added without a secret (the admin's add form allows it; provisioning
    generates one later) must not accept the decoys compared for unknown companies."""
    bare = ConnectionFactory(webhook_secret="", webhook_secret_previous="")
    response = post(client, bare, event(bare), secret=presented)
    assert response.status_code == 401
    assert not NotificationEvent.objects.exists()


@pytest.mark.parametrize("presented", ["x" * 43, "y" * 43])
def test_a_company_with_one_secret_does_not_accept_the_decoy_that_pads_its_pair(client, presented):
    """With no previous secret the second comparison is against a decoy; matching it must
    never count."""
    single = ConnectionFactory(webhook_secret=webhook_secret_generate(), webhook_secret_previous="")
    response = post(client, single, event(single), secret=presented)
    assert response.status_code == 401
    assert post(client, single, event(single), secret=single.webhook_secret).status_code == 200


@pytest.mark.parametrize("previous", [False, True], ids=["one secret", "two secrets"])
@pytest.mark.parametrize("unknown_id", ["900001", "abc"], ids=["unknown id", "malformed id"])
def test_an_unknown_company_costs_the_same_work_as_a_wrong_secret(
    client, django_assert_num_queries, previous, unknown_id
):
    """Which company ids exist must not show in how long a 401 takes. Measured as work, not
    time: the same constant-time comparisons, of the same lengths, and the same queries (none,
    once the served ids and the company's secrets are cached) for an unknown company as for a
    real one given a wrong secret."""
    real = ConnectionFactory(
        webhook_secret=webhook_secret_generate(),
        webhook_secret_previous=webhook_secret_generate() if previous else "",
    )
    wrong = "w" * len(real.webhook_secret)
    assert post(client, real, event(real), secret=wrong).status_code == 401  # cached now
    compared: list[tuple[int, int]] = []

    def compare_digest(a, b) -> bool:
        compared.append((len(a), len(b)))
        return hmac_compare_digest(a, b)

    answers, work = [], []
    with mock.patch("hmac.compare_digest", compare_digest):
        for url in (url_for(real), f"/webhooks/procore/{unknown_id}/"):
            compared.clear()
            with django_assert_num_queries(0):
                response = post(client, real, event(real), secret=wrong, url=url)
            answers.append((response.status_code, response.json()))
            work.append(list(compared))

    assert answers[0] == answers[1] == (401, {"detail": "Invalid or missing credentials."})
    assert work[0] == work[1]
    assert len(work[0]) == 2  # both accepted secrets, or a secret and a decoy, always two


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_other_methods_are_not_allowed(client, connection, method):
    response = getattr(client, method)(url_for(connection), HTTP_AUTHORIZATION=f"Bearer {SECRET}")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db(transaction=True)
def test_identical_deliveries_racing_are_stored_once_and_one_bad_body_harms_nobody(client):
    """Threads, each with its own database connection as separate gunicorn processes would have,
    deliver the same 20 events at the same moment, with bad bodies of another company mixed in:
    every event and ERP request is stored once, each delivery is answered 200, and the bad ones
    alone get 400."""
    from django.db import connections
    from django.test import Client

    if db.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is proven on PostgreSQL")
    good = ConnectionFactory(webhook_secret=SECRET)
    other = ConnectionFactory(webhook_secret=SECRET)
    bodies = [
        json.dumps(event(good, ulid=f"U{i:03d}", id=i + 1, resource_id=1000 + i // 2))
        for i in range(20)
    ]
    bad = json.dumps(event(other))[:-1] + ', "x": "\\ud800"}'
    barrier = threading.Barrier(4, timeout=30)
    answers: list[tuple[str, int]] = []
    lock = threading.Lock()

    def deliverer(seed: int) -> None:
        import random

        mine = bodies[:]
        random.Random(seed).shuffle(mine)
        web = Client()
        try:
            barrier.wait()
            for index, body in enumerate(mine):
                if index % 5 == seed % 5:
                    response = web.post(
                        url_for(other),
                        data=bad,
                        content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
                    )
                    with lock:
                        answers.append(("bad", response.status_code))
                response = web.post(
                    url_for(good),
                    data=body,
                    content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {SECRET}",
                )
                with lock:
                    answers.append(("good", response.status_code))
        finally:
            connections.close_all()

    with mock.patch("integrations.enqueue.async_task"):
        threads = [threading.Thread(target=deliverer, args=(seed,)) for seed in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not any(thread.is_alive() for thread in threads)
    assert [code for kind, code in answers if kind == "good"] == [200] * 80
    assert {code for kind, code in answers if kind == "bad"} == {400}
    assert NotificationEvent.objects.filter(company=good.company).count() == 20
    assert ERPRequest.objects.filter(company=good.company).count() == 10
    assert not NotificationEvent.objects.filter(company=other.company).exists()
