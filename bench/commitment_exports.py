"""The commitments part of ``bench/export_throughput.py`` (``--kind commitments``): N
subcontracts of L lines exported through the local Procore sandbox and processed by W workers.
Runs inside that script's process, after Django is set up on the benchmark's database."""

from __future__ import annotations

import multiprocessing
import os
import time

from bench.support import erp_request_webhooks_deliver, sandbox_company_connected

COMPANY_ID = 4_300_000_889
CLIENT_ID, CLIENT_SECRET = "bench-commitments-app", "bench-commitments-secret-0123456789"
TENANT = "bench-commitments"
CODES = [(f"03-{n:03d}", f"Concrete {n}") for n in range(100, 110)]


def _work() -> None:
    from django.db import connections

    from integrations.services.sweeper import process_pending

    connections.close_all()  # a forked worker opens its own connection
    process_pending(max_rounds=1000)
    connections.close_all()


def _books_and_procore(company) -> tuple:
    """A project synced with job J-1 (10 cost codes open, Labor and Materials on each) and a
    vendor synced with V-1, in Procore and in the demo ERP."""
    from erp_adapters.base import job_cost_code_origin_id
    from erp_adapters.demo.models import (
        DemoCostCode,
        DemoCostType,
        DemoJob,
        DemoJobCostCode,
        DemoJobCostType,
        DemoVendor,
    )
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.objects import project_create, vendor_create

    division = DemoCostCode.objects.create(tenant=TENANT, code="03", name="Concrete")
    codes = [
        DemoCostCode.objects.create(tenant=TENANT, code=code, name=name, parent=division)
        for code, name in CODES
    ]
    types = {}
    for code, name in (("L", "Labor"), ("M", "Materials")):
        types[code] = DemoCostType.objects.create(tenant=TENANT, code=code, name=name)
        ProcoreObject.objects.filter(
            company=company, item_type="line_item_type", data__code=code
        ).update(origin_id=str(types[code].guid))
    project = project_create(
        company=company, name="Bench Tower", cost_codes=[("03", "Concrete"), *CODES]
    )
    job = DemoJob.objects.create(
        tenant=TENANT, code="J-1", name="Bench Tower", procore_id=project.id
    )
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid))
    for code in codes:
        opened = DemoJobCostCode.objects.create(tenant=TENANT, job=job, cost_code=code)
        for cost_type in types.values():
            DemoJobCostType.objects.create(tenant=TENANT, job_cost_code=opened, cost_type=cost_type)
        ProcoreObject.objects.filter(
            project=project, item_type="cost_code", data__code=code.code
        ).update(origin_id=job_cost_code_origin_id(str(job.guid), str(code.guid)))
    vendor = vendor_create(company=company, name="Bench Framing")
    erp_vendor = DemoVendor.objects.create(
        tenant=TENANT, code="V-1", name="Bench Framing", procore_id=vendor.id
    )
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=str(erp_vendor.guid))
    project.refresh_from_db()
    vendor.refresh_from_db()
    cost_codes = list(
        ProcoreObject.objects.filter(project=project, item_type="cost_code")
        .exclude(data__code="03")
        .values_list("id", flat=True)
    )
    type_ids = list(
        ProcoreObject.objects.filter(
            company=company, item_type="line_item_type", data__code__in=["L", "M"]
        ).values_list("id", flat=True)
    )
    return project, vendor, cost_codes, type_ids


def run_commitments(count: int, lines: int, workers: int, sandbox_url: str) -> None:
    from django.db import connections
    from django.db.models import Count

    from erp_adapters.demo.models import DemoCommitment, DemoCommitmentLine
    from integrations.models import ApiAttempt
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.models.erp import ErpRequestDetail
    from procore_sandbox.services.exports import export_accept, export_send
    from procore_sandbox.services.objects import CommitmentLine, commitment_create

    company, secret = sandbox_company_connected(
        company_id=COMPANY_ID,
        name="Bench Commitments Inc",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        tenant=TENANT,
        sandbox_url=sandbox_url,
    )
    project, vendor, cost_codes, type_ids = _books_and_procore(company)

    started = time.perf_counter()
    requests = []
    for number in range(count):
        commitment = commitment_create(
            company=company,
            project=project,
            vendor=vendor,
            kind="work_order_contract",
            title=f"Bench subcontract {number:05d}",
            number=f"SC-{number:05d}",
            lines=[
                CommitmentLine(
                    cost_code_id=cost_codes[n % len(cost_codes)],
                    line_item_type_id=type_ids[n % 2],
                    amount=f"{(number * lines + n) % 99_999 + 1}.{n % 100:02d}",
                    description=f"Line {n + 1}",
                )
                for n in range(lines)
            ],
        )
        requests.append(export_accept(export=export_send(obj=commitment)))
    staged_s = time.perf_counter() - started

    delivered_s = erp_request_webhooks_deliver(
        requests,
        company_id=COMPANY_ID,
        secret=secret,
        event_id_base=8_000_000,
        ulid_prefix="01BENCHCOMMIT",
    )

    before = ApiAttempt.objects.count()
    connections.close_all()
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(_work)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    processes = [context.Process(target=_work) for _ in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    _work()  # anything a worker left due (a close-out scheduled after it stopped looking)
    worker_s = time.perf_counter() - started
    calls = ApiAttempt.objects.count() - before
    by_path: dict[str, int] = {}
    for path in ApiAttempt.objects.order_by("id")[before:].values_list("path", flat=True):
        key = path.split("/rest/v1.0/")[-1]
        key = "/".join("{id}" if part.isdigit() else part for part in key.split("/"))
        by_path[key] = by_path.get(key, 0) + 1

    statuses = dict(
        ErpRequestDetail.objects.filter(company=company)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    documents = DemoCommitment.objects.filter(tenant=TENANT)
    once = documents.values("procore_id").distinct().count() == documents.count() == count
    erp_lines = DemoCommitmentLine.objects.filter(tenant=TENANT).count()
    unsynced_lines = ProcoreObject.objects.filter(
        company=company, item_type="line_item", origin_id__isnull=True
    ).count()
    total = count * lines
    print(
        f"\n{count} commitments × {lines} lines accepted in the sandbox in {staged_s:.1f} s; "
        f"{count} webhooks stored in {delivered_s:.1f} s"
    )
    print(
        f"{workers} worker(s): {worker_s:.1f} s → {count / worker_s:.2f} exports/s, "
        f"{total / worker_s:.0f} lines/s"
    )
    print(f"Procore calls: {calls} → {calls / count:.3f} per export; by endpoint: {by_path}")
    print(
        f"Request Details in Procore: {statuses}; documents in the demo ERP: "
        f"{documents.count()} (each once: {once}); lines: {erp_lines} of {total}; "
        f"lines in Procore without their ERP id: {unsynced_lines}"
    )
    ok = statuses == {"success": count} and once and erp_lines == total and not unsynced_lines
    print("all closed success, each document once with every line" if ok else "MISMATCH")
