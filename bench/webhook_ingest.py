#!/usr/bin/env python
"""Webhook ingest under load: the portal's endpoint against reference views, in one run.

    .venv/bin/python bench/webhook_ingest.py [--deliveries 20000] [--concurrency 32]

Starts gunicorn on PostgreSQL with the Redis broker, sends the deliveries (5 % of them
duplicates of earlier ones) from an asyncio load generator on the same machine, and checks that
every unique event was stored exactly once. The same bodies go to two reference views through
the same stack: one that only answers 200 (the bare view), and one that stores the body as one
row in autocommit (insert-only: the least any persist-then-acknowledge endpoint must do).

Goal (what Procore needs, with wide headroom: it waits 5 s, and real traffic is a few events
per company per minute): p99 under 250 ms at concurrency 32, at least 0.4 of the insert-only
view's throughput in the same run, and every unique event stored exactly once.

BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/erp_portal_bench_webhook) and
BENCH_REDIS_URL (default redis://127.0.0.1:6379/14) choose the servers; both are emptied first.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import run_load  # noqa: E402
from bench.support import free_port, recreate_postgres  # noqa: E402

DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/erp_portal_bench_webhook"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
COMPANY_ID = 7_000_000_001
SECRET = "bench-" + secrets.token_urlsafe(24)


def server_env() -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings_webhook",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        FIELD_ENCRYPTION_KEYS=os.environ.get(
            "BENCH_FIELD_ENCRYPTION_KEYS", Fernet.generate_key().decode()
        ),
        LOG_LEVEL="WARNING",
    )
    return env


def prepare(env: dict[str, str]) -> None:
    import psycopg
    import redis

    recreate_postgres(DB_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with psycopg.connect(DB_URL, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_insert_only (id bigserial PRIMARY KEY, body jsonb)")
    script = (
        "from integrations.models import Company, Connection;"
        f"c = Company.objects.create(procore_company_id={COMPANY_ID}, name='Bench');"
        "Connection.objects.create(company=c, environment='custom',"
        " login_base_url='http://127.0.0.1:9', api_base_url='http://127.0.0.1:9',"
        f" webhook_secret='{SECRET}', adapter_key='demo')"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
    )


def deliveries(count: int, duplicate_share: float, seed: int = 7) -> tuple[list[bytes], int]:
    rng = random.Random(seed)
    unique = int(count * (1 - duplicate_share))
    events = []
    for i in range(unique):
        events.append(
            json.dumps(
                {
                    "id": 9_000_000_000_000 + i,
                    "ulid": f"01JBENCH{i:018d}",
                    "timestamp": "2026-11-23T12:00:00.000000Z",
                    "metadata": {"source_user_id": 42, "source_company_id": COMPANY_ID},
                    "user_id": 42,
                    "company_id": COMPANY_ID,
                    "project_id": None,
                    "api_version": "v2.0",
                    "event_type": "create",
                    "resource_name": "ERP Requests",
                    "resource_id": 100_000 + i,
                }
            ).encode()
        )
    bodies = list(events)
    for _ in range(count - unique):
        position = rng.randrange(len(bodies))
        bodies.insert(position + rng.randrange(1, 200), events[rng.randrange(unique)])
    return bodies, unique


def count_rows(env: dict[str, str]) -> tuple[int, int]:
    script = (
        "from integrations.models import NotificationEvent, ERPRequest;"
        "print(NotificationEvent.objects.count(), ERPRequest.objects.count())"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def queued_tasks() -> int:
    """Tasks waiting in django-q2's Redis queue (no worker runs here)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    return sum(client.llen(key) for key in client.keys("django_q:*:q"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    args = parser.parse_args()

    env = server_env()
    prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            args.worker_class,
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        bodies, unique = deliveries(args.deliveries, 0.05)
        url = f"/webhooks/procore/{COMPANY_ID}/"
        auth = {"Authorization": f"Bearer {SECRET}"}
        warm = [json.dumps({"warm": i}).encode() for i in range(500)]
        run_load(host="127.0.0.1", port=port, path="/bench/bare", bodies=warm, concurrency=8)

        bare = run_load(
            host="127.0.0.1",
            port=port,
            path="/bench/bare",
            bodies=bodies,
            concurrency=args.concurrency,
        )
        insert_only = run_load(
            host="127.0.0.1",
            port=port,
            path="/bench/insert-only",
            bodies=bodies,
            concurrency=args.concurrency,
        )
        portal = run_load(
            host="127.0.0.1",
            port=port,
            path=url,
            bodies=bodies,
            concurrency=args.concurrency,
            headers=auth,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    events, requests = count_rows(env)
    tasks = queued_tasks()
    p99 = portal.percentile(99)
    vs_insert = portal.throughput / insert_only.throughput if insert_only.throughput else 0.0
    once = events == unique and requests == unique
    print(
        f"\ngunicorn {args.worker_class} {args.workers}×{args.threads}, PostgreSQL, Redis broker; "
        f"{args.deliveries} deliveries ({args.deliveries - unique} duplicates), "
        f"concurrency {args.concurrency}"
    )
    print(f"bare view  : {bare.summary()}")
    print(f"insert-only: {insert_only.summary()}")
    print(f"webhook    : {portal.summary()}")
    print(
        f"throughput ratio webhook/insert-only: {vs_insert:.2f} (goal ≥ 0.40) "
        f"{'met' if vs_insert >= 0.4 else 'NOT MET'}"
    )
    print(
        f"throughput ratio webhook/bare: {portal.throughput / bare.throughput:.2f} (for reference)"
    )
    print(f"p99 webhook: {p99:.1f} ms (goal < 250 ms) {'met' if p99 < 250 else 'NOT MET'}")
    print(
        f"stored events: {events} (unique deliveries {unique}); ERP requests: {requests} "
        f"→ {'exactly once' if once else 'MISMATCH'}"
    )
    print(f"tasks enqueued: {tasks} (one per new ERP request)")


if __name__ == "__main__":
    main()
