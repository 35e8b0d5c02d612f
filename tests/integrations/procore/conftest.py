"""Fixtures for the Procore client: a fake clock, answers as Procore gives them (for the ``rsps``
mock of tests/integrations/conftest.py), a connection to call, and a client of the local Procore
sandbox over real HTTP."""

from __future__ import annotations

import random
from typing import Any

import pytest
import responses

from integrations.procore import ProcoreClient
from integrations.procore.ratelimit import RateLimitRegistry
from tests.factories import ConnectionFactory

BASE = "http://127.0.0.1:8001"
TOKEN_URL = f"{BASE}/oauth/token"
API = f"{BASE}/rest/v1.0"
# Unix time near the doc's own X-Rate-Limit-Reset examples (rate_limiting.md).
T0 = 1_466_182_240.0


class FakeClock:
    """Wall clock for the client; ``sleep`` advances it instead of waiting."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def connection(db):
    return ConnectionFactory(
        company__procore_company_id=5_982_324_300,
        client_id="client-id-abc123",
        client_secret="s3cr3t-client-value-XYZ",
        webhook_secret="whsec-bearer-0123456789abcdef",
    )


def token_body(token: str, *, created_at: float, expires_in: int = 5400) -> dict[str, Any]:
    """The body of Procore's client-credentials answer (procore-erp-api.md §d)."""
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
        "created_at": int(created_at),
    }


def add_tokens(rsps, clock: FakeClock, *tokens: str, expires_in: int = 5400) -> None:
    """Each token request gets the next token, issued at the fake clock's current time."""
    remaining = list(tokens)

    def answer(request):
        import json

        token = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        body = token_body(token, created_at=clock.now, expires_in=expires_in)
        return (200, {"Content-Type": "application/json"}, json.dumps(body))

    rsps.add_callback(responses.POST, TOKEN_URL, callback=answer)


def rate_headers(remaining: int = 24, *, limit: int = 25, reset: float | None = None) -> dict:
    return {
        "X-Rate-Limit-Limit": str(limit),
        "X-Rate-Limit-Remaining": str(remaining),
        "X-Rate-Limit-Reset": str(int(reset if reset is not None else T0 + 7)),
    }


@pytest.fixture
def make_client(connection, clock):
    """A client with the fake clock, its own rate-limit state and a seeded jitter."""

    def make(conn=None, **kwargs: Any) -> ProcoreClient:
        kwargs.setdefault("sleep", clock.sleep)
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("rng", random.Random(7))
        kwargs.setdefault("rate_limits", RateLimitRegistry())
        return ProcoreClient(conn or connection, **kwargs)

    return make


def token_requests(rsps) -> list:
    return [c for c in rsps.calls if c.request.url == TOKEN_URL]


def api_requests(rsps) -> list:
    return [c for c in rsps.calls if c.request.url != TOKEN_URL]


@pytest.fixture
def sandbox_client(sandbox_connection):
    """The client for the suite's ``sandbox_connection``: real HTTP to the local Procore."""
    with ProcoreClient(sandbox_connection) as procore:
        yield procore
