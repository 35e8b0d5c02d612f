#!/usr/bin/env python
"""Demo ERP seeding and listing at scale, on a fresh SQLite file and a fresh PostgreSQL database.

    .venv/bin/python bench/seed_demo_erp.py [--vendors 100000] [--db sqlite,postgres]

For each database: migrate, seed N vendors (plus the cost code tree, cost types, 3 jobs),
seed again (must add nothing), then list every vendor through the demo adapter the way an
import run does (``adapter.vendors.list()`` plus a content hash per object), timing it and
measuring the peak of Python allocations during the listing (tracemalloc, in a third pass),
and time the demo ERP's vendor changelist (median of 7 after one warm-up).

BENCH_SEED_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/erp_portal_bench_seed)
names the PostgreSQL database; it is dropped and created again. Each database runs in its own
process, because Django's settings are fixed per process.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import recreate_postgres  # noqa: E402

PG_URL = os.environ.get(
    "BENCH_SEED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_bench_seed"
)
TENANT = "bench"


def worker(vendors: int) -> dict:
    """Runs inside the child process, with DATABASE_URL already pointing at an empty database."""
    import django

    django.setup()
    import tracemalloc

    from django.core.management import call_command

    from erp_adapters.demo.seeding import demo_erp_seed
    from erp_adapters.registry import get_adapter

    call_command("migrate", verbosity=0)
    first = demo_erp_seed(tenant=TENANT, vendors=vendors, jobs=3)
    second = demo_erp_seed(tenant=TENANT, vendors=vendors, jobs=3)
    adapter = get_adapter("demo", {"tenant": TENANT})

    started = time.perf_counter()
    listed = sum(1 for _ in adapter.vendors.list())
    list_seconds = time.perf_counter() - started

    started = time.perf_counter()
    hashes = {obj.origin_id: obj.content_hash() for obj in adapter.vendors.list()}
    hash_seconds = time.perf_counter() - started

    tracemalloc.start()
    for _ in adapter.vendors.list():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        **admin_timings(),
        "seed_seconds": first.seconds,
        "seeded_vendors": first.created["vendors"],
        "reseed_seconds": second.seconds,
        "reseed_new_rows": sum(second.created.values()),
        "listed": listed,
        "hashed": len(hashes),
        "list_seconds": list_seconds,
        "list_and_hash_seconds": hash_seconds,
        "list_peak_mib": peak / 2**20,
    }


ADMIN_PAGES = {
    "admin_vendors_ms": {},
    "admin_vendors_tenant_ms": {"tenant": TENANT},
    "admin_vendors_search_ms": {"q": "Hartley"},
    "admin_vendors_from_procore_ms": {"origin": "procore"},
}


def admin_timings(repeat: int = 7) -> dict:
    """Median time of the demo vendor changelist, through the test client as a superuser."""
    import statistics

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "pw")
    client = Client()
    client.force_login(user)
    url = reverse("admin:demo_erp_demovendor_changelist")
    timings = {}
    for name, params in ADMIN_PAGES.items():
        samples = []
        for _ in range(repeat + 1):
            started = time.perf_counter()
            assert client.get(url, params).status_code == 200
            samples.append((time.perf_counter() - started) * 1000)
        timings[name] = statistics.median(samples[1:])
    return timings


def run(database: str, vendors: int) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.base", DEBUG="0")
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            recreate_postgres(PG_URL)
            env["DATABASE_URL"] = PG_URL
        output = subprocess.run(
            [sys.executable, __file__, "--worker", "--vendors", str(vendors)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.vendors)))
        return
    print(f"Demo ERP: {args.vendors:,} vendors")
    print(
        f"{'database':<10} {'seed s':>8} {'re-seed s':>10} {'new on re-seed':>15} "
        f"{'list s':>7} {'list+hash s':>12} {'list peak MiB':>14}"
    )
    for database in args.db.split(","):
        r = run(database, args.vendors)
        assert r["seeded_vendors"] == r["listed"] == r["hashed"] == args.vendors, r
        print(
            f"{database:<10} {r['seed_seconds']:>8.1f} {r['reseed_seconds']:>10.1f} "
            f"{r['reseed_new_rows']:>15} {r['list_seconds']:>7.2f} "
            f"{r['list_and_hash_seconds']:>12.2f} {r['list_peak_mib']:>14.1f}"
        )
        pages = ", ".join(f"{name[6:-3]} {r[name]:.0f} ms" for name in ADMIN_PAGES)
        print(f"{'':<10} admin changelist medians: {pages}")


if __name__ == "__main__":
    main()
