#!/usr/bin/env python
"""Listing vendors through the files adapter (a CSV, an XLSX) against the demo adapter, in one run.

    .venv/bin/python bench/files_listing.py [--vendors 10000,100000] [--no-xlsx]

For each count: a fresh SQLite database seeded with that many demo ERP vendors, and a folder
with ``vendors.csv`` (and ``vendors.xlsx``) holding the same vendors in the documented layout.
Then, each in its own process so its peak resident memory is its own, every adapter lists all
vendors the way an import run does: once plain, once with ``content_hash()`` per object, once
under tracemalloc (peak of Python allocations during the listing). The process's peak RSS
(``ru_maxrss``) is printed too: it includes the interpreter and Django (about 60 MiB), so the
growth between counts is what shows whether memory is flat in rows.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TENANT = "bench"
HEADER = [
    "erp_id",
    "code",
    "name",
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "business_phone",
    "email_address",
    "website",
    "is_active",
]


def _django() -> None:
    import django

    django.setup()


def _synthetic(vendors: int):
    """Vendors like the demo seed's, without a database (for counts beyond the demo's)."""
    import uuid

    for n in range(1, vendors + 1):
        yield (
            uuid.uuid5(uuid.NAMESPACE_URL, f"bench-vendor-{n}"),
            f"V-{n:07d}",
            f"Vendor {n} Construction Supply",
            f"{n % 9000 + 100} Main St",
            "Austin",
            "TX",
            f"{78700 + n % 99}",
        )


def seed(vendors: int, folder: Path, xlsx: bool, demo: bool = True) -> dict:
    """Child: migrate, seed the demo ERP, and write the same vendors as the ERP's export files
    (without the demo: synthetic vendors of the same shape)."""
    _django()
    from django.core.management import call_command

    from erp_adapters.demo.models import DemoVendor
    from erp_adapters.demo.seeding import demo_erp_seed

    started = time.perf_counter()
    if demo:
        call_command("migrate", verbosity=0)
        demo_erp_seed(tenant=TENANT, vendors=vendors, jobs=0, commitments_per_job=0)
        rows = (
            DemoVendor.objects.filter(tenant=TENANT)
            .order_by("id")
            .values_list(*["guid", "code", "name", "address", "city", "state_code", "zip"])
            .iterator(chunk_size=2000)
        )
    else:
        rows = _synthetic(vendors)
    seed_seconds = time.perf_counter() - started if demo else 0.0
    started = time.perf_counter()
    csv_path = folder / "vendors.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for guid, code, name, address, city, state, zip_code in rows:
            writer.writerow(
                [guid, code, name, address, city, state, zip_code, "US", "", "", "", "true"]
            )
    csv_seconds = time.perf_counter() - started
    result = {"seed_seconds": seed_seconds, "csv_seconds": csv_seconds}
    result["csv_mib"] = csv_path.stat().st_size / 2**20
    if xlsx:
        from openpyxl import Workbook

        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        with csv_path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
        workbook.save(folder / "xlsx" / "vendors.xlsx")
        result["xlsx_seconds"] = time.perf_counter() - started
        result["xlsx_mib"] = (folder / "xlsx" / "vendors.xlsx").stat().st_size / 2**20
    return result


def measure(kind: str, folder: Path) -> dict:
    """Child: list every vendor through one adapter, three times."""
    _django()
    import resource
    import tracemalloc

    from erp_adapters.registry import get_adapter

    if kind == "demo":
        adapter = get_adapter("demo", {"tenant": TENANT})
    else:
        import_folder = folder / "xlsx" if kind == "xlsx" else folder
        adapter = get_adapter(
            "files",
            {
                "import_folder": str(import_folder),
                "outbox_folder": str(folder),
                "inbox_folder": str(folder),
            },
        )
    baseline_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    listed = sum(1 for _ in adapter.vendors.list())
    list_seconds = time.perf_counter() - started
    started = time.perf_counter()
    hashed = sum(1 for obj in adapter.vendors.list() if obj.content_hash())
    hash_seconds = time.perf_counter() - started
    tracemalloc.start()
    for _ in adapter.vendors.list():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "listed": listed,
        "hashed": hashed,
        "problems": getattr(adapter.vendors, "listing_problems", None)
        and adapter.vendors.listing_problems.count,
        "list_seconds": list_seconds,
        "list_and_hash_seconds": hash_seconds,
        "peak_python_mib": peak / 2**20,
        "rss_before_mib": baseline_rss,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child(args: list[str], database: Path) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "LOG_LEVEL": "WARNING",
    }
    out = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", default="10000,100000")
    parser.add_argument("--no-xlsx", action="store_true")
    parser.add_argument(
        "--kinds", default="demo,csv,xlsx", help="which of demo, csv, xlsx to list (default all)"
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        role, value, folder = args.child
        if role == "seed":
            count, xlsx, demo = value.split(":")
            print(json.dumps(seed(int(count), Path(folder), xlsx=xlsx == "1", demo=demo == "1")))
        else:
            print(json.dumps(measure(value, Path(folder))))
        return

    kinds = [k for k in args.kinds.split(",") if not (args.no_xlsx and k == "xlsx")]
    for count in [int(n) for n in args.vendors.split(",")]:
        with tempfile.TemporaryDirectory(prefix="bench-files-") as tmp:
            folder = Path(tmp)
            (folder / "xlsx").mkdir()
            database = folder / "bench.sqlite3"
            xlsx = "1" if "xlsx" in kinds else "0"
            demo = "1" if "demo" in kinds else "0"
            made = child(["--child", "seed", f"{count}:{xlsx}:{demo}", str(folder)], database)
            print(
                f"\n{count:,} vendors: "
                + (f"demo ERP seeded in {made['seed_seconds']:.1f} s; " if demo == "1" else "")
                + f"vendors.csv {made['csv_mib']:.1f} MiB"
                + (f", vendors.xlsx {made['xlsx_mib']:.1f} MiB" if "xlsx_mib" in made else "")
            )
            print(
                f"{'adapter':<14}{'list':>9}{'list+hash':>11}{'peak (Python)':>15}"
                f"{'RSS before':>12}{'peak RSS':>10}"
            )
            for kind in kinds:
                got = child(["--child", "measure", kind, str(folder)], database)
                assert got["listed"] == count, got
                label = {"demo": "demo (SQLite)", "csv": "files (CSV)", "xlsx": "files (XLSX)"}[
                    kind
                ]
                print(
                    f"{label:<14}{got['list_seconds']:>8.2f}s{got['list_and_hash_seconds']:>10.2f}s"
                    f"{got['peak_python_mib']:>11.1f} MiB{got['rss_before_mib']:>8.0f} MiB"
                    f"{got['peak_rss_mib']:>6.0f} MiB"
                )


if __name__ == "__main__":
    main()
