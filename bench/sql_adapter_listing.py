#!/usr/bin/env python
"""Listing vendors through the ``sql`` adapter (a SQLite file and a PostgreSQL table, both with
the sample layout of docs/adapters.md) against the demo adapter, in the same run, at several
row counts: time, and peak memory, which must stay flat in the number of rows (goal < 100 MB).

    .venv/bin/python bench/sql_adapter_listing.py [--rows 10000,100000] [--db sqlite,postgres,demo]
                                                  [--baseline]

Each listing runs in a fresh child process that only lists (the books are written beforehand
by another process), so its figures are the listing's own: wall time for
``adapter.vendors.list()`` with a ``content_hash()`` per object (what an import run does), the
peak of Python allocations (tracemalloc, in a second pass) and the child's peak resident size
(``ru_maxrss``, interpreter and libraries included).

BENCH_SQL_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/erp_sql_bench)
names the PostgreSQL ERP database; it is dropped and created again. The demo adapter's books
live in a temporary SQLite portal database (migrate + ``demo_erp_seed``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get(
    "BENCH_SQL_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/erp_sql_bench"
)
BATCH = 5000


def write_sql_books(url: str, rows: int) -> float:
    """The sample layout with ``rows`` vendors; seconds taken."""
    from sqlalchemy import create_engine, text

    from erp_adapters.sql.sample import lay_out

    started = time.perf_counter()
    engine = create_engine(url)
    insert = text(
        "INSERT INTO vendors (vendor_id, vendor_code, name, address, city, state, zip, "
        "country, phone, email, active) VALUES (:i, :c, :n, :a, :t, :s, :z, 'US', :p, :e, TRUE)"
    )
    with engine.begin() as conn:
        lay_out(conn, data=False)
        for start in range(1, rows + 1, BATCH):
            conn.execute(
                insert,
                [
                    {
                        "i": f"00000000-0000-4000-8000-{n:012d}",
                        "c": f"V-{n:06d}",
                        "n": f"Bench Vendor {n}",
                        "a": f"{n % 9000 + 100} Main St",
                        "t": "Springfield",
                        "s": "IL",
                        "z": f"{62700 + n % 99}",
                        "p": "(217) 555-0100",
                        "e": f"ap{n}@vendor.example.com",
                    }
                    for n in range(start, min(start + BATCH, rows + 1))
                ],
            )
    engine.dispose()
    return time.perf_counter() - started


def recreate_pg(url: str) -> None:
    from sqlalchemy import create_engine

    name = url.rsplit("/", 1)[1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()


def measure(adapter_factory) -> dict:
    """Runs in the child: list + hash every vendor, then again under tracemalloc."""
    import tracemalloc

    adapter = adapter_factory()
    started = time.perf_counter()
    listed = 0
    for obj in adapter.vendors.list():
        obj.content_hash()
        listed += 1
    seconds = time.perf_counter() - started
    tracemalloc.start()
    for obj in adapter.vendors.list():
        obj.content_hash()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "listed": listed,
        "seconds": seconds,
        "python_peak_mib": peak / 2**20,
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(kind: str, url: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from erp_adapters.registry import get_adapter

    if kind == "demo":
        return measure(lambda: get_adapter("demo", {"tenant": "bench"}))
    from erp_adapters.sql.sample import sample_settings

    if kind == "baseline":
        # The same process up to the first listing: settings, engine, a connection, the
        # health check (which reflects every mapped table). What a listing adds comes on top.
        status = get_adapter("sql", sample_settings(url)).health_check()
        return {
            "health": str(status.state),
            "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    return measure(lambda: get_adapter("sql", sample_settings(url)))


def seed_demo(rows: int) -> float:
    """Runs in a child with DATABASE_URL set: migrate and seed the demo books."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from erp_adapters.demo.seeding import demo_erp_seed

    call_command("migrate", verbosity=0)
    return demo_erp_seed(tenant="bench", vendors=rows, jobs=1).seconds


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=1800,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,100000")
    parser.add_argument("--db", default="sqlite,postgres,demo")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also the peak resident size of a child that connects and checks health, no listing",
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "URL"), help=argparse.SUPPRESS)
    parser.add_argument("--seed-demo", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(*options.child)))
        return
    if options.seed_demo:
        print(json.dumps({"seconds": seed_demo(options.seed_demo)}))
        return

    kinds = options.db.split(",")
    print(
        f"{'adapter':<22}{'rows':>9}{'write':>9}{'list+hash':>11}{'rows/s':>10}"
        f"{'py peak':>10}{'max RSS':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(r) for r in options.rows.split(",")):
            for kind in kinds:
                if kind == "sqlite":
                    url = f"sqlite:///{folder}/erp-{rows}.sqlite3"
                    written = write_sql_books(url, rows)
                    figures = run_child(["--child", "sql", url])
                    label = "sql (SQLite file)"
                elif kind == "postgres":
                    recreate_pg(PG_URL)
                    written = write_sql_books(PG_URL, rows)
                    figures = run_child(["--child", "sql", PG_URL])
                    label = "sql (PostgreSQL)"
                else:
                    env = {"DATABASE_URL": f"sqlite:///{folder}/portal-{rows}.sqlite3"}
                    written = run_child(["--seed-demo", str(rows)], env)["seconds"]
                    figures = run_child(["--child", "demo", "-"], env)
                    label = "demo (SQLite portal)"
                assert figures["listed"] == rows, figures
                print(
                    f"{label:<22}{rows:>9,}{written:>8.1f}s{figures['seconds']:>10.2f}s"
                    f"{rows / figures['seconds']:>10,.0f}{figures['python_peak_mib']:>8.1f}MiB"
                    f"{figures['max_rss_mib']:>8.0f}MiB",
                    flush=True,
                )
                if kind in ("sqlite", "postgres") and options.baseline:
                    base = run_child(["--child", "baseline", url if kind == "sqlite" else PG_URL])
                    print(
                        f"{label + ', no listing':<31}{'':>21}{'':>20}"
                        f"{base['max_rss_mib']:>8.0f}MiB"
                    )


if __name__ == "__main__":
    main()
