#!/usr/bin/env python
"""Vendor (or commitment) exports through the local Procore sandbox, processed by one worker
(or several).

    .venv/bin/python bench/export_throughput.py [--exports 1000]
    .venv/bin/python bench/export_throughput.py --kind commitments --exports 1000 --lines 50 \
        [--workers 2]

On a fresh PostgreSQL database (BENCH_EXPORT_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/erp_portal_bench_export, dropped and created again) it starts
the sandbox as a subprocess on a loopback port (rate limits lifted), connects and provisions a
company, creates N vendors in Procore, sends each to the ERP and accepts it, delivers the N
webhooks to the portal's endpoint, and then times one worker (``process_pending``, in this
process) doing everything that is due. It checks that every Request Detail is closed
``success`` and every vendor exists once in the demo ERP, and prints exports per second and
Procore calls per export, counted from the ApiAttempt rows (one per HTTP attempt). The floor is
one call per export: fetching the ERP request.

Commitments (``--kind commitments``): a job and a vendor synced in both systems (cost codes open
with their cost types in the ERP), N subcontracts of ``--lines`` lines each created in Procore,
sent and accepted; ``--workers`` processes (forked, each running ``process_pending``) share the
work through the leases. It checks that every detail closed ``success``, that each document is
once in the ERP with all its lines, and that every line in Procore carries its ERP id.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import (  # noqa: E402
    erp_request_webhooks_deliver,
    free_port,
    recreate_postgres,
    sandbox_company_connected,
)

DB_URL = os.environ.get(
    "BENCH_EXPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_bench_export"
)
COMPANY_ID = 4_300_000_888
CLIENT_ID, CLIENT_SECRET = "bench-export-app", "bench-export-secret-0123456789"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exports", type=int, default=1000)
    parser.add_argument("--kind", choices=("vendors", "commitments"), default="vendors")
    parser.add_argument("--lines", type=int, default=50, help="lines per commitment")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (commitments)")
    args = parser.parse_args()

    recreate_postgres(DB_URL)
    env = dict(os.environ, DATABASE_URL=DB_URL, DJANGO_SETTINGS_MODULE="portal.settings.dev")
    env["LOG_LEVEL"] = "ERROR"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "procore_sandbox",
            "--port",
            str(port),
            "--no-deliveries",
            "--no-migrate",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        if args.kind == "commitments":
            from bench.commitment_exports import run_commitments

            run_commitments(args.exports, args.lines, args.workers, f"http://127.0.0.1:{port}")
        else:
            run(args.exports, f"http://127.0.0.1:{port}")
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=30)


def run(count: int, sandbox_url: str) -> None:

    from erp_adapters.demo.models import DemoVendor
    from integrations.models import ApiAttempt
    from integrations.services.sweeper import process_pending
    from procore_sandbox.models.erp import ErpRequestDetail
    from procore_sandbox.services.exports import export_accept, export_send
    from procore_sandbox.services.objects import vendor_create

    company, secret = sandbox_company_connected(
        company_id=COMPANY_ID,
        name="Bench Exports Inc",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        tenant="bench-export",
        sandbox_url=sandbox_url,
    )

    started = time.perf_counter()
    requests = []
    for number in range(count):
        vendor = vendor_create(company=company, name=f"Bench Vendor {number:05d}")
        requests.append(export_accept(export=export_send(obj=vendor)))
    staged_s = time.perf_counter() - started

    delivered_s = erp_request_webhooks_deliver(
        requests,
        company_id=COMPANY_ID,
        secret=secret,
        event_id_base=7_000_000,
        ulid_prefix="01BENCHEXPORT",
    )

    before = ApiAttempt.objects.count()
    before_token = ApiAttempt.objects.filter(path__contains="oauth").count()
    started = time.perf_counter()
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        totals = profiler.runcall(process_pending)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    else:
        totals = process_pending()
    worker_s = time.perf_counter() - started
    calls = ApiAttempt.objects.count() - before
    token_calls = ApiAttempt.objects.filter(path__contains="oauth").count() - before_token
    by_path: dict[str, int] = {}
    for path in ApiAttempt.objects.order_by("id")[before:].values_list("path", flat=True):
        key = path.split("/rest/v1.0/")[-1]
        key = "/".join("{id}" if part.isdigit() else part for part in key.split("/"))
        by_path[key] = by_path.get(key, 0) + 1

    statuses = dict(
        ErpRequestDetail.objects.filter(company=company)
        .values_list("status")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
    )
    in_erp = DemoVendor.objects.filter(tenant="bench-export", procore_id__isnull=False).count()
    print(
        f"\n{count} vendor exports accepted in the sandbox in {staged_s:.1f} s; "
        f"{count} webhooks stored in {delivered_s:.1f} s"
    )
    print(
        f"one worker: {worker_s:.1f} s → {count / worker_s:.1f} exports/s "
        f"({totals['rounds']} rounds, {totals['close_outs']} close-outs)"
    )
    print(
        f"Procore calls: {calls} → {calls / count:.3f} per export "
        f"(token requests {token_calls}); by endpoint: {by_path}"
    )
    print(f"Request Details in Procore: {statuses}; vendors in the demo ERP: {in_erp}")
    ok = statuses == {"success": count} and in_erp == count
    print("all closed success, each vendor once" if ok else "MISMATCH")


if __name__ == "__main__":
    main()
