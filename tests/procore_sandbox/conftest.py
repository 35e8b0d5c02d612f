"""Fixtures for the sandbox's tests: the sandbox mounted in the portal's live server, a client
that talks to it as the portal would (OAuth, Bearer, Procore-Company-Id), and a tiny webhook
receiver whose answers a test scripts."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from procore_sandbox.services.tenants import app_install, company_create

FAST = {
    "webhook_timeout": 0.3,
    "webhook_backoff_initial": 0.05,
    "webhook_backoff_cap": 0.2,
    "webhook_poll_interval": 0.05,
}


@pytest.fixture
def fast_sandbox(settings):
    """Short webhook timeouts and backoff, so no test sleeps long."""
    settings.PROCORE_SANDBOX = dict(FAST)
    return settings


class ProcoreClient:
    """Calls the sandbox like the portal's Procore client: base URL + Procore's paths."""

    def __init__(self, base: str, company_id: int, client_id: str, client_secret: str) -> None:
        self.base = base
        self.company_id = company_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.session = requests.Session()
        self.token: str | None = None

    def authenticate(self) -> str:
        response = self.session.post(
            f"{self.base}/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            timeout=10,
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self.token

    def call(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict | None = None,
        company_header: bool = True,
        token: str | None = None,
    ) -> requests.Response:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        if company_header:
            headers["Procore-Company-Id"] = str(self.company_id)
        return self.session.request(
            method,
            f"{self.base}{path.format(company_id=self.company_id)}",
            json=json_body,
            params=params,
            headers=headers,
            timeout=10,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("POST", path, json_body=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("PATCH", path, json_body=body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> requests.Response:
        return self.call("PUT", path, json_body=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.call("DELETE", path, **kwargs)


@pytest.fixture
def sandbox_url(live_server, transactional_db) -> str:
    """The sandbox as the portal's live server mounts it (``/procore-sandbox``)."""
    return f"{live_server.url}/procore-sandbox"


@pytest.fixture
def company(transactional_db):
    return company_create(name="Acme Builders")


@pytest.fixture
def procore(sandbox_url, company) -> ProcoreClient:
    """A client with the app installed in ``company`` and a fresh token."""
    app_install(company=company, client_id="portal-app", client_secret="portal-secret")
    client = ProcoreClient(sandbox_url, company.id, "portal-app", "portal-secret")
    client.authenticate()
    return client


@pytest.fixture
def connected(procore) -> dict:
    """The ERP connection created through the API, as the portal's provisioning does."""
    response = procore.post(
        "/rest/v1.0/companies/{company_id}/erp_connections",
        {"connection": {"service_url": "http://portal.test", "metadata": {"settings": {}}}},
    )
    assert response.status_code == 201, response.text
    return response.json()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    """A local HTTP endpoint; ``script`` holds the answers to give, in order (an int status, or
    ``"timeout"`` to answer too late); once empty it answers 200."""

    url: str
    received: list[Received] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    slow_seconds: float = 0.8

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received


@pytest.fixture
def receiver():
    state: dict[str, Receiver] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            target = state["receiver"]
            with lock:
                answer = target.script.pop(0) if target.script else 200
            if answer == "timeout":
                time.sleep(target.slow_seconds)
                answer = 200
            else:
                target.received.append(
                    Received(self.path, dict(self.headers.items()), json.loads(raw or b"null"))
                )
            try:
                self.send_response(answer)
                self.end_headers()
                self.wfile.write(b"ok" if answer < 300 else b"no")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/events")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def hook(procore, receiver) -> dict:
    """A company hook to the receiver with the ERP Requests/create trigger."""
    response = procore.post(
        "/rest/v1.0/webhooks/hooks",
        {
            "company_id": procore.company_id,
            "hook": {
                "api_version": "v2",
                "namespace": "acme-erp",
                "destination_url": receiver.url,
                "destination_headers": {"Authorization": "Bearer whsec-test-123"},
            },
        },
    )
    assert response.status_code == 201, response.text
    created = response.json()
    trigger = procore.post(
        f"/rest/v1.0/webhooks/hooks/{created['id']}/triggers",
        {
            "company_id": procore.company_id,
            "api_version": "v2",
            "trigger": {"resource_name": "ERP Requests", "event_type": "create"},
        },
    )
    assert trigger.status_code == 201, trigger.text
    return created
