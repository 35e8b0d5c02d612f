#!/usr/bin/env python
"""A big job exported from Procore into the demo ERP: queries and time of the ERP's part.

    .venv/bin/python bench/job_export.py [--codes 200] [--types 5] [--db sqlite,postgres]

For each database (a fresh SQLite file; a fresh PostgreSQL database, BENCH_JOB_DATABASE_URL,
dropped and created again) a child process migrates, fills the ERP's lists with ``--codes``
standard cost codes and ``--types`` cost types, and runs ``adapter.jobs.check_create`` and
``adapter.jobs.create`` on a ``create_or_update_job`` payload carrying every cost code with every
cost type (``codes × types`` assignments): first as a new job, then again (the re-export of an
update). Prints the SQL statements and seconds of each, and one JSON line per database.

Goal (no spec number; what keeps a job export from holding a worker): the statement count does
not grow with the number of cost codes, and the ERP's part of a 200 × 5 job stays under 2 s.
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
    "BENCH_JOB_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_bench_job"
)
TENANT = "bench"


def worker(codes: int, types: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoJobCostType
    from erp_adapters.registry import get_adapter

    call_command("migrate", verbosity=0)
    rows = DemoCostCode.objects.bulk_create(
        DemoCostCode(tenant=TENANT, code=f"{n // 100:02d}-{n % 100:03d}", name=f"Code {n}")
        for n in range(codes)
    )
    kinds = [
        DemoCostType.objects.create(tenant=TENANT, code=f"{n:02d}", name=f"Type {n}")
        for n in range(types)
    ]
    payload = {
        "job": {"id": 1, "name": "Bench Tower", "origin_code": "J-1"},
        "all_cost_codes": [
            {
                "id": 1000 + i,
                "full_code": row.code,
                "name": row.name,
                "line_item_types": [
                    {"id": 10 + j, "code": kind.code, "name": kind.name}
                    for j, kind in enumerate(kinds)
                ],
            }
            for i, row in enumerate(rows)
        ],
    }
    adapter = get_adapter("demo", {"tenant": TENANT})
    out: dict = {"codes": codes, "types": types}
    for label in ("first", "again"):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            assert adapter.jobs.check_create(payload) == []
            result = adapter.jobs.create(payload)
            out[f"{label}_seconds"] = round(time.perf_counter() - started, 3)
        out[f"{label}_queries"] = len(queries.captured_queries)
        assert len(result.assignments) == codes * types
    assert DemoJobCostType.objects.count() == codes * types
    return out


def run(database: str, codes: int, types: int) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="portal.settings.base", DEBUG="1")
    env["PYTHONPATH"] = str(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        if database == "sqlite":
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            recreate_postgres(PG_URL)
            env["DATABASE_URL"] = PG_URL
        output = subprocess.run(
            [sys.executable, __file__, "--worker", "--codes", str(codes), "--types", str(types)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    return {"database": database, **json.loads(output.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--types", type=int, default=5)
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.codes, args.types)))
        return
    for database in args.db.split(","):
        result = run(database, args.codes, args.types)
        print(
            f"{database}: {args.codes} cost codes x {args.types} cost types — first export "
            f"{result['first_seconds']} s / {result['first_queries']} statements, again "
            f"{result['again_seconds']} s / {result['again_queries']} statements"
        )
        print(json.dumps(result))


if __name__ == "__main__":
    main()
