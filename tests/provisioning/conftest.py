"""A portal company connected to the local Procore sandbox, served over real HTTP."""

from __future__ import annotations

import gc

import pytest

from integrations.models import ProcoreEnvironment
from integrations.procore.ratelimit import RateLimitRegistry
from tests.factories import CompanyFactory, ConnectionFactory

CLIENT_ID = "provisioning-test-app"
CLIENT_SECRET = "provisioning-test-secret-0123456789"
WEBHOOK_SECRET = "whsec-provisioning-0123456789abcdef"


@pytest.fixture(autouse=True)
def fresh_rate_limits(monkeypatch):
    """Clients share a process-wide pacing budget; start every test with an empty one."""
    from integrations.procore import ratelimit

    monkeypatch.setattr(ratelimit, "DEFAULT_REGISTRY", RateLimitRegistry())


@pytest.fixture
def sandbox_url(live_server, settings) -> str:
    settings.PORTAL_BASE_URL = live_server.url
    return f"{live_server.url}/procore-sandbox"


@pytest.fixture
def sandbox_company(transactional_db):
    """A Procore company in the sandbox with our app (DMSA) installed."""
    from procore_sandbox.services.tenants import app_install, company_create

    company = company_create(name="Provisioned Builders")
    app_install(company=company, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    return company


@pytest.fixture
def connection(sandbox_url, sandbox_company):
    """The portal's side: the same company, its connection pointing at the sandbox."""
    company = CompanyFactory(procore_company_id=sandbox_company.id, name=sandbox_company.name)
    yield ConnectionFactory(
        company=company,
        environment=ProcoreEnvironment.CUSTOM,
        login_base_url=sandbox_url,
        api_base_url=sandbox_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        webhook_secret=WEBHOOK_SECRET,
    )
    # A failed call's traceback keeps the client's last response, and so its keep-alive socket,
    # in a reference cycle; collect it so the live server's request thread ends with the test
    # instead of holding a database session open at teardown.
    gc.collect()
