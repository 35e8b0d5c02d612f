#!/usr/bin/env python
"""Import runs at scale: N vendors from the demo ERP into the local Procore sandbox.

    .venv/bin/python bench/import_run.py [--vendors 100000] [--db sqlite|postgres]

On a fresh database (a temporary SQLite file, or BENCH_IMPORT_DATABASE_URL on PostgreSQL, which
is dropped and created again) it seeds N vendors, starts the sandbox as a subprocess on a free
loopback port (rate limits lifted), and then runs, each step in its own process so that its
peak RSS is its own:

1. the first import: every vendor staged; goal ceil(N / 1000) staging calls;
2. the same list again: goal no Procore call at all;
3. 1 % of the vendors changed while still staged: goal ceil(N / 100 / 1000) staging calls;
4. every vendor approved (links marked synced, as ``create_vendor_in_procore`` does), then another
   1 % changed: goal ceil(N / 100 / 1000) ``vendors/sync`` update calls;
5. planning alone (read the list, hash every object, diff against N links): goal under 5 s and
   a peak under 300 MB, measured as Python allocations (tracemalloc, in a separate pass so the
   tracing does not slow the timed one) and as the process's peak RSS.

Calls are counted from the ApiAttempt rows the Procore client writes (one per HTTP attempt).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import free_port, recreate_postgres  # noqa: E402

PG_URL = os.environ.get(
    "BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_bench_import"
)
TENANT = "bench-import"
CLIENT_ID, CLIENT_SECRET = "bench-app", "bench-app-secret-0123456789"
SANDBOX_COMPANY_ID = 4_300_000_777


# -- child phases (run with DATABASE_URL set by the parent) -------------------------------------


def _setup_django() -> None:
    import django

    django.setup()


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_setup(vendors: int, sandbox_url: str) -> dict:
    from django.core.management import call_command

    from erp_adapters.demo.seeding import DEFAULT_SEED, seed_vendors
    from integrations.models import Company, Connection, ProcoreEnvironment
    from procore_sandbox.services.erp import erp_connection_create
    from procore_sandbox.services.tenants import app_install, company_create

    sandbox_company = company_create(name="Bench Builders", company_id=SANDBOX_COMPANY_ID)
    app = app_install(company=sandbox_company, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    erp = erp_connection_create(
        company=sandbox_company, app=app, service_url="http://bench.test", metadata={}
    )
    call_command(
        "sandbox",
        "configure",
        "--set",
        "rate_limit_hourly=1000000000",
        "--set",
        "rate_limit_spike=1000000000",
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    company = Company.objects.create(procore_company_id=sandbox_company.id, name="Bench Builders")
    Connection.objects.create(
        company=company,
        environment=ProcoreEnvironment.CUSTOM,
        login_base_url=sandbox_url,
        api_base_url=sandbox_url,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        adapter_key="demo",
        adapter_settings={"tenant": TENANT, "page_size": 1000},
        standard_cost_code_list_id=erp.standard_cost_code_list_id,
    )
    started = time.perf_counter()
    seed_vendors(TENANT, vendors, DEFAULT_SEED)
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def _company():
    from integrations.models import Company

    return Company.objects.get(procore_company_id=SANDBOX_COMPANY_ID)


def phase_run(label: str) -> dict:
    from collections import Counter

    from integrations.models import ApiAttempt, SyncRun
    from integrations.services.sync_runs import sync_run_start

    before = ApiAttempt.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.perf_counter()
    run = sync_run_start(company=_company(), entity="vendors", trigger=SyncRun.Trigger.COMMAND)
    seconds = time.perf_counter() - started
    attempts = list(ApiAttempt.objects.filter(id__gt=before).values_list("path", "duration_ms"))
    calls = Counter(
        path.rsplit("/rest/v1.0/", 1)[-1].replace(f"companies/{SANDBOX_COMPANY_ID}/", "")
        for path, _ in attempts
    )
    return {
        "label": label,
        "state": run.state,
        "listed": run.listed,
        "created": run.created,
        "updated": run.updated,
        "archived": run.archived,
        "unchanged": run.unchanged,
        "failed": run.failed,
        "api_calls": run.api_calls,
        "calls_by_path": dict(calls),
        "seconds": round(seconds, 1),
        "waiting_on_procore_seconds": round(sum(ms for _, ms in attempts) / 1000, 1),
        "maxrss_mb": round(_maxrss_mb(), 1),
    }


def phase_change(share: float) -> dict:
    """Change the city of every 1/share-th vendor (spread over the whole list)."""
    from erp_adapters.demo import limits
    from erp_adapters.demo.models import DemoVendor

    step = round(1 / share)
    ids = list(DemoVendor.objects.filter(tenant=TENANT).order_by("id").values_list("id", flat=True))
    chosen = ids[::step]
    suffix = f" {time.time_ns() % 1_000_000:06d}"
    for start in range(0, len(chosen), 500):
        for vendor in DemoVendor.objects.filter(id__in=chosen[start : start + 500]):
            vendor.city = vendor.city[: limits.CITY - len(suffix)] + suffix
            vendor.save(update_fields=["city"])
    return {"changed": len(chosen)}


def phase_approve() -> dict:
    """Every staged vendor imported by the approver, as ``create_vendor_in_procore`` records it
    (the approval screens are not what this bench measures)."""
    from django.db.models import F

    from integrations.models import ObjectLink

    updated = ObjectLink.objects.filter(company=_company(), item_type="vendor").update(
        state=ObjectLink.State.SYNCED, procore_id=F("staged_record_id")
    )
    return {"approved": updated}


def phase_plan() -> dict:
    import tracemalloc

    from erp_adapters.registry import get_adapter
    from integrations.models import Connection, ObjectLink
    from integrations.services.sync_entities import entity_spec
    from integrations.services.sync_run_execution import import_plan

    company = _company()
    connection = Connection.objects.get(company=company)
    source = get_adapter(connection.adapter_key, connection.adapter_settings).vendors
    spec = entity_spec("vendors")
    links = ObjectLink.objects.filter(company=company, item_type="vendor").count()

    timed = import_plan(company=company, spec=spec, source=source)
    seconds, work = timed.seconds, timed.plan.work
    del timed
    maxrss = _maxrss_mb()  # before tracemalloc, whose own bookkeeping is large
    tracemalloc.start()
    import_plan(company=company, spec=spec, source=source)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "links": links,
        "to_send": work,
        "plan_seconds": round(seconds, 2),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "maxrss_mb": round(maxrss, 1),
    }


PHASES = {
    "setup": lambda a: phase_setup(a.vendors, a.sandbox_url),
    "run": lambda a: phase_run(a.label),
    "change": lambda a: phase_change(a.share),
    "approve": lambda a: phase_approve(),
    "plan": lambda a: phase_plan(),
}


# -- the parent ---------------------------------------------------------------------------------


class Analyzer(threading.Thread):
    """ANALYZE the growing tables every few seconds, as autovacuum does on a normal server.

    This machine's PostgreSQL runs with ``autovacuum = off``: without fresh statistics the
    planner keeps treating the sandbox's staged records as an empty table and scans all of them
    for each item's origin_id lookup, so each batch gets slower than the last (2 s to 27 s at
    50,000 records, then client timeouts and retries). That measures the server's settings,
    not the import.
    """

    TABLES = (
        "procore_sandbox_stagedrecord",
        "procore_sandbox_procoreobject",
        "integrations_objectlink",
        "integrations_apiattempt",
    )

    def __init__(self, url: str, every: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.url, self.every = url, every
        self.stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            if conn.execute("SHOW autovacuum").fetchone()[0] == "on":
                return
            while not self.stopped.wait(self.every):
                conn.execute(f"ANALYZE {', '.join(self.TABLES)}")

    def stop(self) -> None:
        self.stopped.set()


class Bench:
    def __init__(self, args: argparse.Namespace, env: dict[str, str]) -> None:
        self.args = args
        self.env = env

    def child(self, phase: str, *extra: str) -> dict:
        command = [sys.executable, __file__, "--phase", phase, *extra]
        done = subprocess.run(
            command, cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"phase {phase} failed")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - loopback URL we built
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the sandbox did not answer on {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--share", type=float, default=0.01, help=argparse.SUPPRESS)
    parser.add_argument("--sandbox-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        sys.path.insert(0, str(ROOT))
        _setup_django()
        print(json.dumps(PHASES[args.phase](args)))
        return

    tmp = tempfile.mkdtemp(prefix="bench-import-")
    if args.db == "postgres":
        recreate_postgres(PG_URL)
        database_url = PG_URL
    else:
        database_url = f"sqlite:///{tmp}/bench.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "PROCORE_SANDBOX_ENABLED": "1",
        "PYTHONPATH": str(ROOT),
    }
    bench = Bench(args, env)
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    n = args.vendors
    print(f"bench/import_run.py: {n:,} vendors, {args.db}, sandbox on {sandbox_url}")

    bench.manage("migrate", "--no-input")
    setup = bench.child("setup", "--vendors", str(n), "--sandbox-url", sandbox_url)
    print(f"seeded {n:,} vendors in {setup['seed_seconds']} s")
    sandbox_log = open(Path(tmp) / "sandbox.log", "w")  # noqa: SIM115
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
        stdout=sandbox_log,
        stderr=subprocess.STDOUT,
    )
    analyzer = Analyzer(database_url) if args.db == "postgres" else None
    try:
        wait_for(f"{sandbox_url}/rest/v1.0/companies")
        if analyzer is not None:
            analyzer.start()
        results = run_steps(bench, n)
    finally:
        if analyzer is not None:
            analyzer.stop()
        sandbox.terminate()
        sandbox.wait(timeout=10)
        sandbox_log.close()
    print(json.dumps(results, indent=2))


def run_steps(bench: Bench, n: int) -> dict:
    cold_plan = bench.child("plan")
    first = bench.child("run", "--label", "first run")
    again = bench.child("run", "--label", "unchanged re-run")
    changed = bench.child("change", "--share", "0.01")["changed"]
    restage = bench.child("run", "--label", "1 % changed, still staged")
    bench.child("approve")
    bench.child("change", "--share", "0.01")
    update = bench.child("run", "--label", "1 % changed, approved (synced)")
    warm_plan = bench.child("plan")

    per_call = 1000
    rows = [
        (first, "staged_records/sync", math.ceil(n / per_call)),
        (again, None, 0),
        (restage, "staged_records/sync", math.ceil(changed / per_call)),
        (update, "vendors/sync", math.ceil(changed / per_call)),
    ]
    print()
    print(
        f"{'run':34} {'calls':>6} {'goal':>6} {'endpoint':22} {'seconds':>8} "
        f"{'in Procore':>10} {'peak RSS':>9}"
    )
    for result, endpoint, goal in rows:
        calls = sum(count for path, count in result["calls_by_path"].items() if "oauth" not in path)
        shown = endpoint or "(none)"
        ok = "ok" if calls == goal and result["failed"] == 0 else "MISSED"
        print(
            f"{result['label']:34} {calls:>6} {goal:>6} {shown:22} {result['seconds']:>8} "
            f"{result['waiting_on_procore_seconds']:>10} {result['maxrss_mb']:>7} MB  {ok}"
        )
    for name, plan in (("plan, no links yet", cold_plan), (f"plan, {n:,} links", warm_plan)):
        ok = "ok" if plan["plan_seconds"] < 5 and plan["maxrss_mb"] < 300 else "MISSED"
        print(
            f"{name:34} {plan['plan_seconds']:>6} s (goal < 5 s), tracemalloc peak "
            f"{plan['tracemalloc_peak_mb']} MB, peak RSS {plan['maxrss_mb']} MB (goal < 300)  {ok}"
        )
    return {
        "first": first,
        "unchanged": again,
        "restage": restage,
        "update": update,
        "plan_cold": cold_plan,
        "plan_warm": warm_plan,
    }


if __name__ == "__main__":
    main()
