"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os

import pytest

# Playwright's sync API keeps an event loop running in the test thread for the whole session once
# a browser test has started; Django's ORM refuses to run beside one unless told that this thread
# serves no async code (the portal has none). Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from integrations.models import ProcoreEnvironment


@pytest.fixture
def admin_client_logged_in(client, django_user_model):
    user = django_user_model.objects.create_superuser("support", "support@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def secret_adapter(settings) -> str:
    """The key of an adapter whose schema marks secret settings ``writeOnly`` (``api_key``, and
    ``login`` holding a password), registered as a deployment registers its own."""
    from tests.erp_adapters.secret_adapter import KEY

    settings.ERP_ADAPTERS = {KEY: "tests.erp_adapters.secret_adapter.VaultLedger"}
    return KEY


@pytest.fixture(autouse=True)
def isolated_rate_limits(monkeypatch):
    """Procore clients built by services and commands share a process-wide pacing budget;
    every test starts with an empty one, so a 429 in one test does not slow the next."""
    from integrations.procore import ratelimit

    monkeypatch.setattr(ratelimit, "DEFAULT_REGISTRY", ratelimit.RateLimitRegistry())


@pytest.fixture
def sandbox_base_url(live_server, settings) -> str:
    """The local Procore, mounted in the live server; the portal's own URLs are beside it."""
    settings.PORTAL_BASE_URL = live_server.url
    return f"{live_server.url}/procore-sandbox"


SANDBOX_CLIENT_ID = "e2e-app"
SANDBOX_CLIENT_SECRET = "e2e-app-secret-0123456789"
SANDBOX_WEBHOOK_SECRET = "whsec-e2e-0123456789abcdef"


@pytest.fixture
def sandbox_company(transactional_db):
    """A company in the sandbox with our app installed (the credentials above)."""
    from procore_sandbox.services.tenants import app_install, company_create

    company = company_create(name="Sandbox Builders")
    app_install(company=company, client_id=SANDBOX_CLIENT_ID, client_secret=SANDBOX_CLIENT_SECRET)
    return company


@pytest.fixture
def sandbox_connection(sandbox_base_url, sandbox_company, isolated_rate_limits):
    """The portal's company for ``sandbox_company``: connected to the sandbox, demo ERP adapter."""
    import gc

    from tests.factories import CompanyFactory, ConnectionFactory

    company = CompanyFactory(procore_company_id=sandbox_company.id, name=sandbox_company.name)
    yield ConnectionFactory(
        company=company,
        environment=ProcoreEnvironment.CUSTOM,
        login_base_url=sandbox_base_url,
        api_base_url=sandbox_base_url,
        client_id=SANDBOX_CLIENT_ID,
        client_secret=SANDBOX_CLIENT_SECRET,
        webhook_secret=SANDBOX_WEBHOOK_SECRET,
        adapter_key="demo",
        adapter_settings={"tenant": f"e2e-{sandbox_company.id}"},
    )
    # A failed call's traceback keeps the client's last response, and so its keep-alive socket,
    # in a reference cycle; collect it so the live server's request thread ends with the test
    # instead of holding a database session open at teardown (PostgreSQL then warns).
    gc.collect()


@pytest.fixture(scope="session", autouse=True)
def _live_server_without_nagle():
    """Django's test server writes headers and body separately; with Nagle's algorithm a
    keep-alive client then waits ~40 ms for a delayed ACK on every call. Turn it off, as the
    standalone sandbox server does (procore_sandbox/server.py)."""
    import socket

    from django.test import testcases

    original = testcases.QuietWSGIRequestHandler.setup

    def setup(self) -> None:
        original(self)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    testcases.QuietWSGIRequestHandler.setup = setup
    yield
    testcases.QuietWSGIRequestHandler.setup = original


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium: browsers are never downloaded here, and the portal runs offline."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "headless": True}
