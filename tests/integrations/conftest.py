"""Fixtures and helpers shared by the integrations app's tests.

Import runs (services, handlers, tasks, the sync command, the schedules' admin): ``company`` and
its ``connection`` on the demo ERP's ``books``, and ``procore``, a Procore faked at the HTTP layer.
``FakeProcore`` answers the sync endpoints the way procore-erp-api.md §b.2 and §i describe
(always 200 with ``entities`` and ``errors``, upsert by ``origin_id``) and keeps what it was sent,
so tests can check what reached Procore, and how often. Modules that need another kind of
connection define their own ``connection`` (procore/conftest.py, the webhook tests) or use the
suite's ``sandbox_connection``.

``rsps``: Procore mocked call by call, with the helpers of procore/conftest.py.
``webhook_event``: the body of a webhook event as Procore sends it.
``raw_row``: a connection's secret columns as the database stores them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
import responses
from django.db import connection as db

from erp_adapters.demo import seeding
from integrations.procore import ProcoreClient, RetryPolicy
from integrations.procore.ratelimit import RateLimitRegistry
from integrations.services import sync_run_execution
from tests.factories import ConnectionFactory

# -- Import runs against a fake Procore ------------------------------------------------------------

BASE = "http://127.0.0.1:8001"
API = f"{BASE}/rest/v1.0"


class FakeProcore:
    def __init__(self, mock: responses.RequestsMock) -> None:
        self.mock = mock
        self.ids = itertools.count(1000)
        # (path suffix, origin_id) → record; enough state to answer like Procore.
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.sent: list[tuple[str, list[dict[str, Any]]]] = []
        self.refuse: dict[str, dict[str, list[str]]] = {}
        self.fail_call: dict[int, Callable[[], Any]] = {}
        mock.add(
            responses.POST,
            f"{BASE}/oauth/token",
            json={"access_token": "tok", "token_type": "bearer", "expires_in": 5400},
        )
        pattern = re.compile(
            rf"{re.escape(API)}/(companies/\d+/staged_records|vendors|standard_cost_codes"
            r"|line_item_types)/sync"
        )
        mock.add_callback(responses.PATCH, pattern, callback=self._answer)
        # What Procore holds before the first import (the link review reads it): nothing,
        # unless a test puts records here, by listing path ("vendors", "line_item_types", …).
        self.existing: dict[str, list[dict[str, Any]]] = {}
        listing = re.compile(rf"{re.escape(API)}/(vendors|line_item_types|standard_cost_codes)\?")
        mock.add_callback(responses.GET, listing, callback=self._list)

    def _list(self, request):
        what = re.search(r"/rest/v1\.0/(\w+)\?", request.url).group(1)
        page = int(re.search(r"[?&]page=(\d+)", request.url).group(1))
        rows = self.existing.get(what, []) if page == 1 else []
        return (200, {"Content-Type": "application/json"}, json.dumps(rows))

    def _answer(self, request):
        endpoint = re.search(r"/rest/v1\.0/(?:companies/\d+/)?(\w+)/sync", request.url).group(1)
        body = json.loads(request.body)
        updates = body["updates"]
        number = len(self.sent) + 1
        self.sent.append((endpoint, updates))
        if number in self.fail_call:
            return self.fail_call[number]()
        entities, errors = [], []
        for item in updates:
            reasons = self.refuse.get(item.get("origin_id"))
            if reasons:
                errors.append({**item, "errors": reasons})
                continue
            key = (endpoint, item["origin_id"])
            record = self.records.setdefault(key, {"id": next(self.ids)})
            record.update(item)
            entities.append(record)
        return (
            200,
            {"Content-Type": "application/json"},
            json.dumps({"entities": entities, "errors": errors}),
        )

    def calls(self, endpoint: str | None = None) -> list[list[dict[str, Any]]]:
        return [updates for name, updates in self.sent if endpoint in (None, name)]

    def origin_ids(self, endpoint: str) -> list[str]:
        return [item["origin_id"] for updates in self.calls(endpoint) for item in updates]

    def status_of(self, origin_id: str) -> str | None:
        record = self.records.get(("staged_records", origin_id))
        return record and record.get("status")


@pytest.fixture
def procore():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FakeProcore(mock)


@pytest.fixture
def small_batches(monkeypatch):
    """Batches of 3 instead of 1000, so a handful of vendors spans several calls."""
    monkeypatch.setattr(sync_run_execution, "SYNC_BATCH_SIZE", 3)


@pytest.fixture
def connection(db):
    return ConnectionFactory(
        login_base_url=BASE,
        api_base_url=BASE,
        adapter_key="demo",
        adapter_settings={"tenant": "books", "page_size": 4},
        standard_cost_code_list_id=77,
    )


@pytest.fixture
def company(connection):
    return connection.company


@pytest.fixture
def make_client(connection):
    def make(**kwargs: Any) -> ProcoreClient:
        kwargs.setdefault("sleep", lambda seconds: None)
        kwargs.setdefault("retry", RetryPolicy(max_retries=1, max_wait=0.0))
        kwargs.setdefault("rate_limits", RateLimitRegistry())
        return ProcoreClient(connection, **kwargs)

    return make


def seed_vendors(count: int, tenant: str = "books") -> None:
    seeding.seed_vendors(tenant, count, seeding.DEFAULT_SEED)


# -- Procore mocked call by call (the client, its admin action, the connection commands) -----------


@pytest.fixture
def rsps():
    """Procore mocked at the HTTP layer (``responses``), for the client, its admin action and
    the connection commands."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


# -- Webhook deliveries as Procore sends them (api/ and services/ test_webhooks.py) ----------------

WEBHOOK_SECRET = "whsec-current-0123456789"


def webhook_event(connection, **overrides) -> dict:
    """The body of an ``ERP Requests``/``create`` event for ``connection``'s company."""
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


# -- Encrypted columns -----------------------------------------------------------------------------


def raw_row(pk: int) -> dict:
    """The stored secret columns of a connection, as the database holds them."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, client_secret, webhook_secret, adapter_settings "
            "FROM integrations_connection WHERE id = %s",
            [pk],
        )
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))
