"""What the benchmark scripts share: a free loopback port, a fresh PostgreSQL database, a
sandbox company connected to the portal, and the ERP Requests webhooks Procore would send."""

from __future__ import annotations

import json
import socket
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_postgres(url: str) -> None:
    """Drop (closing other sessions) and create the database that ``url`` names."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def sandbox_company_connected(
    *, company_id: int, name: str, client_id: str, client_secret: str, tenant: str, sandbox_url: str
) -> tuple:
    """A sandbox company (rate limits lifted) with the app installed, connected to the portal on
    the demo ERP ``tenant`` and provisioned once the sandbox answers: the company and the
    connection's webhook secret. Runs after Django is set up on the benchmark's database."""
    from integrations.models import Connection
    from integrations.services.connections import connection_upsert
    from integrations.services.provisioning import connection_provision
    from procore_sandbox.services.knobs import knob_set
    from procore_sandbox.services.tenants import app_install, company_create

    knob_set(name="rate_limit_spike", value=1_000_000)
    knob_set(name="rate_limit_hourly", value=1_000_000)
    company = company_create(name=name, company_id=company_id)
    app_install(company=company, client_id=client_id, client_secret=client_secret)
    result = connection_upsert(
        procore_company_id=company_id,
        name=name,
        environment="custom",
        login_url=sandbox_url,
        api_url=sandbox_url,
        client_id=client_id,
        client_secret=client_secret,
        adapter_key="demo",
        adapter_settings={"tenant": tenant},
        actor_label="bench",
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{sandbox_url}/sandbox/", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.2)
    connection_provision(company=result.company, actor_label="bench")
    return company, Connection.objects.get(company=result.company).webhook_secret


def erp_request_webhooks_deliver(
    requests: list, *, company_id: int, secret: str, event_id_base: int, ulid_prefix: str
) -> float:
    """Posts one ``ERP Requests`` create webhook per request to the portal's endpoint, as
    Procore would; returns the seconds it took."""
    from django.test import Client

    client = Client()
    started = time.perf_counter()
    for request in requests:
        response = client.post(
            f"/webhooks/procore/{company_id}/",
            data=json.dumps(
                {
                    "id": event_id_base + request.id,
                    "ulid": f"{ulid_prefix}{request.id:013d}",
                    "company_id": company_id,
                    "api_version": "v2.0",
                    "event_type": "create",
                    "resource_name": "ERP Requests",
                    "resource_id": request.id,
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 200, response.content
    return time.perf_counter() - started
