#!/usr/bin/env python
"""Import runs at scale: vendors, jobs or job costs from the demo ERP into Procore.

    .venv/bin/python bench/import_run.py [--vendors 100000] [--db sqlite|postgres]
    .venv/bin/python bench/import_run.py --entity jobs [--jobs 10000]
    .venv/bin/python bench/import_run.py --entity job_costs [--jobs 1000] [--cost-codes 200]

Vendors and jobs (staged entities) go to the local Procore sandbox; the steps below are the
same for both. Job costs (``--entity job_costs``: 1,000 synced jobs x 200 cost codes x 5 cost
types = 1,000,000 rows by default) go to ``bench/procore_stub.py``, a stand-in that answers
instantly, because what is measured is the portal's side and the sandbox would spend hours on
its own per-item bookkeeping for 3,000 calls of 1,000 items. Job cost steps: planning with no
links; the first run (goal: per job one ``cost_codes/sync``, one
``cost_code_line_item_types/sync`` and one ``erp_job_costs/sync``, the fewest the 1,000-item
cap allows); the same books again (goal: no call); 1 % of the posted costs changed, spread over
the books (goal: one ``erp_job_costs/sync`` per job touched); planning with every link.

Vendors and jobs:

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
ENTITIES = ("vendors", "jobs", "job_costs")
CLIENT_ID, CLIENT_SECRET = "bench-app", "bench-app-secret-0123456789"
SANDBOX_COMPANY_ID = 4_300_000_777


# -- child phases (run with DATABASE_URL set by the parent) -------------------------------------


def _setup_django() -> None:
    import django

    django.setup()


def _maxrss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_setup(vendors: int, sandbox_url: str, entity: str = "vendors", args=None) -> dict:
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
    if entity == "vendors":
        seed_vendors(TENANT, vendors, DEFAULT_SEED)
    elif entity == "jobs":
        _seed_jobs(args.jobs)
    else:
        _seed_job_costs(company, args.jobs, args.cost_codes, args.cost_types)
    return {"seed_seconds": round(time.perf_counter() - started, 1)}


def _seed_jobs(count: int) -> None:
    from erp_adapters.demo.seeding import DEFAULT_SEED, seed_jobs

    seed_jobs(TENANT, count, DEFAULT_SEED)


def _seed_job_costs(company, jobs: int, cost_codes: int, cost_types: int) -> None:
    """``jobs`` jobs, each with ``cost_codes`` cost codes of its own and ``cost_types`` cost
    types on each, a cost posted on every pair; every job already imported into Procore (a
    synced project link) and the cost types linked, as after the job and cost type imports."""
    from erp_adapters.demo import sample_data
    from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoJob
    from erp_adapters.demo.seeding import DEFAULT_SEED, seed_cost_structure, seed_jobs
    from integrations.models import ObjectLink

    if cost_types > len(sample_data.COST_TYPES):
        raise SystemExit(f"the demo ERP has {len(sample_data.COST_TYPES)} cost types")
    division = DemoCostCode.objects.create(tenant=TENANT, code="90", name="Bench Division")
    DemoCostCode.objects.bulk_create(
        DemoCostCode(tenant=TENANT, code=f"90-{n:03d}", name=f"Bench Section {n}", parent=division)
        for n in range(1, cost_codes + 1)
    )
    DemoCostType.objects.bulk_create(
        DemoCostType(tenant=TENANT, code=code, name=name)
        for code, name in sample_data.COST_TYPES[:cost_types]
    )
    rows = seed_jobs(TENANT, jobs, DEFAULT_SEED)
    for start in range(0, len(rows), 50):
        seed_cost_structure(
            TENANT,
            rows[start : start + 50],
            DEFAULT_SEED,
            cost_codes_per_job=cost_codes,
            sub_jobs_per_job=0,
            cost_types_per_code=cost_types,
            budgets=False,
        )
    links = [
        ObjectLink(
            company=company,
            item_type="project",
            origin_id=str(guid),
            procore_id=n,
            state="synced",
            content_hash="imported",
        )
        for n, guid in enumerate(
            DemoJob.objects.filter(tenant=TENANT).values_list("guid", flat=True), 1
        )
    ]
    links += [
        ObjectLink(
            company=company,
            item_type="line_item_type",
            origin_id=str(guid),
            procore_id=100 + n,
            state="synced",
            content_hash="linked",
        )
        for n, guid in enumerate(
            DemoCostType.objects.filter(tenant=TENANT).values_list("guid", flat=True)
        )
    ]
    ObjectLink.objects.bulk_create(links, batch_size=2000)


def _company():
    from integrations.models import Company

    return Company.objects.get(procore_company_id=SANDBOX_COMPANY_ID)


def phase_run(label: str, entity: str = "vendors") -> dict:
    from collections import Counter

    from integrations.models import ApiAttempt, SyncRun
    from integrations.procore import RetryableError
    from integrations.services.sync_runs import sync_run_start

    before = ApiAttempt.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = time.perf_counter()
    resumed = 0
    while True:
        # A call that outlives the client's timeout (a loaded machine) pauses the run; it is
        # resumed here as the next trigger would resume it, and the retried call is counted.
        try:
            run = sync_run_start(company=_company(), entity=entity, trigger=SyncRun.Trigger.COMMAND)
            break
        except RetryableError:
            resumed += 1
            if resumed > 5:
                raise
    seconds = time.perf_counter() - started
    attempts = list(ApiAttempt.objects.filter(id__gt=before).values_list("path", "duration_ms"))
    calls = Counter(
        path.rsplit("/rest/v1.0/", 1)[-1]
        .replace(f"companies/{SANDBOX_COMPANY_ID}/", "")
        .split("?")[0]
        for path, _ in attempts
    )
    return {
        "label": label,
        "state": run.state,
        "error": run.error,
        "resumed_after_timeouts": resumed,
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


def phase_change(share: float, entity: str = "vendors") -> dict:
    """Change the city of every 1/share-th vendor or job (spread over the whole list), or the
    job-to-date cost of every 1/share-th posted cost."""
    from django.db.models import F

    from erp_adapters.demo import limits
    from erp_adapters.demo.models import DemoJob, DemoJobCost, DemoVendor

    step = round(1 / share)
    if entity == "job_costs":
        costs = DemoJobCost.objects.filter(tenant=TENANT)
        chosen = list(costs.order_by("id").values_list("id", flat=True))[::step]
        jobs = set()
        for start in range(0, len(chosen), 500):
            batch = DemoJobCost.objects.filter(id__in=chosen[start : start + 500])
            batch.update(job_to_date_cost=F("job_to_date_cost") + 1)
            jobs.update(batch.values_list("assignment__job_cost_code__job_id", flat=True))
        return {"changed": len(chosen), "jobs_touched": len(jobs)}
    model = DemoVendor if entity == "vendors" else DemoJob
    ids = list(model.objects.filter(tenant=TENANT).order_by("id").values_list("id", flat=True))
    chosen = ids[::step]
    suffix = f" {time.time_ns() % 1_000_000:06d}"
    for start in range(0, len(chosen), 500):
        for row in model.objects.filter(id__in=chosen[start : start + 500]):
            row.city = row.city[: limits.CITY - len(suffix)] + suffix
            row.save(update_fields=["city"])
    return {"changed": len(chosen)}


def phase_approve(entity: str = "vendors") -> dict:
    """Every staged vendor imported by the approver, as ``create_vendor_in_procore`` records it
    (the approval screens are not what this bench measures)."""
    from django.db.models import F

    from integrations.models import ObjectLink

    item_type = "vendor" if entity == "vendors" else "project"
    updated = ObjectLink.objects.filter(company=_company(), item_type=item_type).update(
        state=ObjectLink.State.SYNCED, procore_id=F("staged_record_id")
    )
    return {"approved": updated}


def phase_plan(entity: str = "vendors") -> dict:
    import tracemalloc

    from erp_adapters.registry import get_adapter
    from integrations.models import Connection, ObjectLink
    from integrations.services.sync_entities import entity_spec
    from integrations.services.sync_run_execution import import_plan

    company = _company()
    connection = Connection.objects.get(company=company)
    source = get_adapter(connection.adapter_key, connection.adapter_settings).entity(entity)
    spec = entity_spec(entity)
    links = ObjectLink.objects.filter(company=company, item_type=spec.item_type).count()

    cpu = time.process_time()
    timed = import_plan(company=company, spec=spec, source=source)
    cpu = time.process_time() - cpu  # SQLite runs in this process: its work is counted too
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
        "plan_cpu_seconds": round(cpu, 2),
        "tracemalloc_peak_mb": round(peak / 2**20, 1),
        "maxrss_mb": round(maxrss, 1),
    }


PHASES = {
    "setup": lambda a: phase_setup(a.vendors, a.sandbox_url, a.entity, a),
    "run": lambda a: phase_run(a.label, a.entity),
    "change": lambda a: phase_change(a.share, a.entity),
    "approve": lambda a: phase_approve(a.entity),
    "plan": lambda a: phase_plan(a.entity),
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
        command = [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--entity",
            self.args.entity,
            "--jobs",
            str(self.args.jobs),
            "--cost-codes",
            str(self.args.cost_codes),
            "--cost-types",
            str(self.args.cost_types),
            *extra,
        ]
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
    parser.add_argument("--entity", choices=ENTITIES, default="vendors")
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=None, help="10,000 (jobs) or 1,000 (job_costs)")
    parser.add_argument("--cost-codes", type=int, default=200, help="per job (job_costs)")
    parser.add_argument("--cost-types", type=int, default=5, help="per cost code (job_costs)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--share", type=float, default=0.01, help=argparse.SUPPRESS)
    parser.add_argument("--sandbox-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.jobs is None:
        args.jobs = 1_000 if args.entity == "job_costs" else 10_000

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
        "PROCORE_ALLOW_LOOPBACK": "1",  # the sandbox or stub on 127.0.0.1
        "PYTHONPATH": str(ROOT),
    }
    bench = Bench(args, env)
    port = free_port()
    sandbox_url = f"http://127.0.0.1:{port}"
    entity = args.entity
    n = args.vendors if entity == "vendors" else args.jobs
    what = {
        "vendors": f"{n:,} vendors",
        "jobs": f"{n:,} jobs",
        "job_costs": f"{n:,} jobs x {args.cost_codes} cost codes x {args.cost_types} cost types "
        f"= {n * args.cost_codes * args.cost_types:,} job costs",
    }[entity]
    target = "the Procore stub" if entity == "job_costs" else "the sandbox"
    print(f"bench/import_run.py: {what}, {args.db}, {target} on {sandbox_url}")

    bench.manage("migrate", "--no-input")
    setup = bench.child("setup", "--vendors", str(n), "--sandbox-url", sandbox_url)
    print(f"seeded {what} in {setup['seed_seconds']} s")
    sandbox_log = open(Path(tmp) / "sandbox.log", "w")  # noqa: SIM115
    server = (
        [sys.executable, "bench/procore_stub.py", "--port", str(port)]
        if entity == "job_costs"
        else [
            sys.executable,
            "manage.py",
            "procore_sandbox",
            "--port",
            str(port),
            "--no-deliveries",
            "--no-migrate",
        ]
    )
    sandbox = subprocess.Popen(
        server,
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
        results = job_cost_steps(bench, n) if entity == "job_costs" else run_steps(bench, n)
    finally:
        if analyzer is not None:
            analyzer.stop()
        sandbox.terminate()
        sandbox.wait(timeout=10)
        sandbox_log.close()
    print(json.dumps(results, indent=2))


def _calls(result: dict) -> int:
    return sum(count for path, count in result["calls_by_path"].items() if "oauth" not in path)


def _plan_lines(n: int, cold: dict, warm: dict, noun: str) -> None:
    for name, plan in (("plan, no links yet", cold), (f"plan, {n:,} {noun} linked", warm)):
        ok = "ok" if plan["plan_seconds"] < 5 and plan["maxrss_mb"] < 300 else "MISSED"
        print(
            f"{name:34} {plan['plan_seconds']:>6} s (goal < 5 s; CPU {plan['plan_cpu_seconds']} s), "
            f"tracemalloc peak "
            f"{plan['tracemalloc_peak_mb']} MB, peak RSS {plan['maxrss_mb']} MB (goal < 300)  {ok}"
        )


def job_cost_steps(bench: Bench, jobs: int) -> dict:
    cold_plan = bench.child("plan")
    first = bench.child("run", "--label", "first run")
    again = bench.child("run", "--label", "unchanged re-run")
    change = bench.child("change", "--share", "0.01")
    changed = bench.child("run", "--label", "1 % of the costs changed")
    warm_plan = bench.child("plan")
    touched = change["jobs_touched"]
    rows = [
        (
            first,
            {
                e: jobs
                for e in ("cost_codes/sync", "cost_code_line_item_types/sync", "erp_job_costs/sync")
            },
        ),
        (again, {}),
        (changed, {"erp_job_costs/sync": touched}),
    ]
    print()
    print(f"{'run':34} {'calls':>6} {'goal':>6} {'seconds':>8} {'in Procore':>10} {'peak RSS':>9}")
    for result, goal in rows:
        by_path = {p: c for p, c in result["calls_by_path"].items() if "oauth" not in p}
        ok = "ok" if by_path == goal and result["failed"] == 0 else "MISSED"
        print(
            f"{result['label']:34} {_calls(result):>6} {sum(goal.values()):>6} "
            f"{result['seconds']:>8} {result['waiting_on_procore_seconds']:>10} "
            f"{result['maxrss_mb']:>7} MB  {ok}  {by_path}"
        )
    print(f"({change['changed']:,} posted costs changed, on {touched:,} jobs)")
    _plan_lines(jobs, cold_plan, warm_plan, "job cost sheets")
    return {
        "first": first,
        "unchanged": again,
        "changed": changed,
        "change": change,
        "plan_cold": cold_plan,
        "plan_warm": warm_plan,
    }


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
    core = "vendors/sync" if bench.args.entity == "vendors" else "projects/sync"
    rows = [
        (first, "staged_records/sync", math.ceil(n / per_call)),
        (again, None, 0),
        (restage, "staged_records/sync", math.ceil(changed / per_call)),
        (update, core, math.ceil(changed / per_call)),
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
            + (
                f"  ({result['resumed_after_timeouts']} timed-out call(s) resumed)"
                if result.get("resumed_after_timeouts")
                else ""
            )
        )
    for name, plan in (("plan, no links yet", cold_plan), (f"plan, {n:,} links", warm_plan)):
        ok = "ok" if plan["plan_seconds"] < 5 and plan["maxrss_mb"] < 300 else "MISSED"
        print(
            f"{name:34} {plan['plan_seconds']:>6} s (goal < 5 s; CPU {plan['plan_cpu_seconds']} s), "
            f"tracemalloc peak "
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
