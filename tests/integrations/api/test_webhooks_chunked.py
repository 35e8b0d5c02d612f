"""A valid event sent with ``Transfer-Encoding: chunked`` is read (under gunicorn, which
de-chunks it), or refused with 411 by a server that cannot say where the body ends."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection as db
from django.test import RequestFactory

from integrations.api.webhooks import ProcoreWebhookView
from integrations.models import ERPRequest, NotificationEvent
from tests.factories import ConnectionFactory

SECRET = "whsec-chunked-0123456789"
ROOT = Path(__file__).resolve().parents[3]


def event_body(connection, **overrides) -> bytes:
    body = {
        "id": 77,
        "ulid": "01CHUNKED0000000000000000A",
        "company_id": connection.company.procore_company_id,
        "api_version": "v2.0",
        "event_type": "create",
        "resource_name": "ERP Requests",
        "resource_id": 4242,
        **overrides,
    }
    return json.dumps(body).encode()


def chunked_request(connection, body: bytes, *, terminated: bool):
    """What a WSGI server hands Django for a chunked POST: no Content-Length, and (gunicorn)
    the de-chunked body on wsgi.input with wsgi.input_terminated set."""
    request = RequestFactory().generic(
        "POST",
        f"/webhooks/procore/{connection.company.procore_company_id}/",
        data=b"",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SECRET}",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    request.META.pop("CONTENT_LENGTH", None)
    request.META["wsgi.input"] = io.BytesIO(body)
    if terminated:
        request.META["wsgi.input_terminated"] = True
    view = ProcoreWebhookView.as_view()
    return view(request, procore_company_id=str(connection.company.procore_company_id))


@pytest.mark.django_db
def test_a_chunked_body_is_read_when_the_server_delimits_it():
    connection = ConnectionFactory(webhook_secret=SECRET)
    response = chunked_request(connection, event_body(connection), terminated=True)
    response.render()
    assert response.status_code == 200, response.content
    assert NotificationEvent.objects.get().payload["resource_id"] == 4242


@pytest.mark.django_db
def test_a_chunked_body_gets_the_same_checks():
    connection = ConnectionFactory(webhook_secret=SECRET)
    too_big = event_body(connection, padding="x" * (64 * 1024))
    assert chunked_request(connection, too_big, terminated=True).status_code == 413
    bad = event_body(connection)[:-1] + b', "x": 1e400}'
    response = chunked_request(connection, bad, terminated=True)
    response.render()
    assert response.status_code == 400 and b"too large" in response.content
    assert not NotificationEvent.objects.exists()


@pytest.mark.django_db
def test_a_chunked_body_the_server_cannot_delimit_gets_411():
    connection = ConnectionFactory(webhook_secret=SECRET)
    response = chunked_request(connection, event_body(connection), terminated=False)
    response.render()
    assert response.status_code == 411
    assert b"Content-Length" in response.content


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_under_gunicorn_a_chunked_delivery_is_stored():
    """The real thing: gunicorn, a chunked POST over a socket, the event in the database."""
    if db.vendor != "postgresql":
        pytest.skip("gunicorn runs in another process: it needs a database server to share")
    connection = ConnectionFactory(webhook_secret=SECRET)
    name = db.settings_dict["NAME"]
    user = db.settings_dict.get("USER") or "postgres"
    host = db.settings_dict.get("HOST") or "127.0.0.1"
    port_db = db.settings_dict.get("PORT") or 5432
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://{user}@{host}:{port_db}/{name}",
        "PYTHONPATH": str(ROOT),
        "REDIS_URL": "",
    }
    env.pop("CI", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                probe = socket.create_connection(("127.0.0.1", port), timeout=1)
                probe.close()
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                assert server.poll() is None, "gunicorn exited"
                time.sleep(0.2)
        body = event_body(connection)
        chunks = b"".join(
            b"%x\r\n%s\r\n" % (len(body[i : i + 50]), body[i : i + 50])
            for i in range(0, len(body), 50)
        )
        request = (
            (
                f"POST /webhooks/procore/{connection.company.procore_company_id}/ HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                f"Authorization: Bearer {SECRET}\r\nTransfer-Encoding: chunked\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            + chunks
            + b"0\r\n\r\n"
        )
        with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
        assert b'"stored"' in answer
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert NotificationEvent.objects.get().resource_id == 4242
    assert ERPRequest.objects.get().procore_request_id == 4242
