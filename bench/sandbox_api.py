#!/usr/bin/env python
"""How fast the local Procore sandbox answers, over real HTTP on loopback.

Starts the sandbox's WSGI app on the same server as ``manage.py procore_sandbox`` in a thread on a free port
against a fresh database, then times what the portal does most: list calls, 1,000-item sync
calls (create and update), staged-record and External Data syncs, and webhook deliveries to a
local receiver.

    .venv/bin/python bench/sandbox_api.py [--database-url sqlite:////tmp/x.sqlite3] [--repeat 200]

Default database: a new SQLite file in a temporary directory. Prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_sandbox() -> str:
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import clear_url_caches, set_urlconf

    settings.ROOT_URLCONF = "procore_sandbox.standalone_urls"
    clear_url_caches()
    set_urlconf(None)

    from procore_sandbox.server import make_server

    server = make_server("127.0.0.1", 0, get_wsgi_application(), quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def start_receiver() -> tuple[str, list[int]]:
    received: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(1)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/events", received


def timed(label: str, call) -> float:
    started = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - started
    print(f"{label:<52} {elapsed * 1000:9.1f} ms")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="sandbox-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{workdir}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["PROCORE_SANDBOX_ENABLED"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import requests
    from django.conf import settings
    from django.core.management import call_command

    from procore_sandbox.models import Company
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.objects import vendor_create
    from procore_sandbox.services.tenants import app_install, company_create

    call_command("migrate", interactive=False, verbosity=0)
    settings.PROCORE_SANDBOX = {"rate_limit_hourly": 10**9, "rate_limit_spike": 10**9}
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    base = start_sandbox()
    company = company_create(name=f"Bench {time.time_ns()}")
    app_install(company=company, client_id=f"bench-{company.id}", client_secret="bench-secret")
    session = requests.Session()
    token = session.post(
        f"{base}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": f"bench-{company.id}",
            "client_secret": "bench-secret",
        },
    ).json()["access_token"]
    session.headers.update(
        {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company.id)}
    )
    api = f"{base}/rest/v1.0"
    company_path = f"{api}/companies/{company.id}"

    latencies = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        session.get(f"{api}/vendors", params={"company_id": company.id, "per_page": 100})
        latencies.append((time.perf_counter() - started) * 1000)
    print(
        f"{'GET vendors (rate limit + token + list), median':<52} "
        f"{statistics.median(latencies):9.1f} ms  (p95 {sorted(latencies)[int(len(latencies) * 0.95)]:.1f})"
    )

    creates = [{"origin_id": f"V-{i}", "name": f"Vendor {i}"} for i in range(1000)]
    body = timed(
        "PATCH vendors/sync, 1,000 creates",
        lambda: session.patch(
            f"{api}/vendors/sync", json={"company_id": company.id, "updates": creates}
        ).json(),
    )
    assert len(body["entities"]) == 1000, body["errors"][:3]
    updates = [{"origin_id": f"V-{i}", "name": f"Vendor {i} Ltd"} for i in range(1000)]
    timed(
        "PATCH vendors/sync, 1,000 updates by origin_id",
        lambda: session.patch(
            f"{api}/vendors/sync", json={"company_id": company.id, "updates": updates}
        ),
    )
    staged = [
        {"item_type": "vendor", "origin_id": f"S-{i}", "data": {"name": f"Staged {i}"}}
        for i in range(1000)
    ]
    timed(
        "PATCH staged_records/sync, 1,000 vendors",
        lambda: session.patch(f"{company_path}/staged_records/sync", json={"updates": staged}),
    )
    ids = [vendor_create(company=company, name=f"Exported {i}").id for i in range(1000)]
    marks = [
        {"item_type": "vendor", "item_id": item_id, "origin_id": f"E-{item_id}"} for item_id in ids
    ]
    timed(
        "PATCH external_data/sync, 1,000 items",
        lambda: session.patch(f"{company_path}/external_data/sync", json={"updates": marks}),
    )

    url, received = start_receiver()
    hook = session.post(
        f"{api}/webhooks/hooks",
        json={
            "company_id": company.id,
            "hook": {"namespace": "bench", "destination_url": url, "api_version": "v2"},
        },
    ).json()
    session.post(
        f"{api}/webhooks/hooks/{hook['id']}/triggers",
        json={
            "company_id": company.id,
            "trigger": {"resource_name": "ERP Requests", "event_type": "create"},
        },
    )
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    erp_connection_create(
        company=Company.objects.get(id=company.id),
        app=App.objects.get(client_id=f"bench-{company.id}"),
        service_url="",
        metadata={},
    )
    timed(
        f"emit {args.events} ERP Request events (Refresh Vendors)",
        lambda: [
            button_press(company=company, button="refresh_vendors") for _ in range(args.events)
        ],
    )
    started = time.perf_counter()
    attempts = deliveries_run_due()
    elapsed = time.perf_counter() - started
    print(
        f"{'deliver them to a local receiver':<52} {elapsed * 1000:9.1f} ms  "
        f"({attempts} attempts, {len(received)} received, {attempts / elapsed:.0f}/s)"
    )


if __name__ == "__main__":
    main()
