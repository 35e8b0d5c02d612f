#!/usr/bin/env python
"""Self-service pages on big ledgers: a company's dashboard and its errors queue.

Fills a PostgreSQL database with 1,000,000 notification events, 1,000,000 ERP requests (a few
percent failed, dead or stale, each of those with a failed Request Detail), 1,000,000 object
links and 10,000 import runs across 100 companies (set-based INSERT … SELECT generate_series),
then times the pages of one company through Django's test client, signed in as that company's
admin past two-factor, and counts their SQL queries.

    .venv/bin/python bench/selfservice_pages.py [--rows 1000000] [--repeat 15]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/erp_portal_selfservice_bench);
the database is created if missing and reused on later runs. Goal: every page < 300 ms median
and ≤ 15 queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/erp_portal_selfservice_bench"
COMPANIES = 100
RUNS_PER_COMPANY = 100


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def fill(rows: int) -> None:
    from django.db import connection

    from integrations.models import Company, ERPRequest, NotificationEvent

    if (
        NotificationEvent.objects.count() == rows
        and ERPRequest.objects.count() == rows
        and Company.objects.count() == COMPANIES
    ):
        print(f"reusing {rows:,} events, {rows:,} ERP requests, {COMPANIES} companies")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE integrations_notificationevent, integrations_erprequestdetail, "
            "integrations_erprequest, integrations_objectlink, integrations_syncrun, "
            "integrations_companymembership, integrations_company RESTART IDENTITY CASCADE"
        )
    Company.objects.bulk_create(
        Company(procore_company_id=6_000_000_000 + i, name=f"Bench Company {i}")
        for i in range(COMPANIES)
    )
    first = Company.objects.order_by("id").first().id
    params = {"first": first, "companies": COMPANIES, "rows": rows}
    with connection.cursor() as cursor:
        # Spread over about 29 days, newest first: i * 2.5 seconds ago.
        cursor.execute(
            """
            INSERT INTO integrations_notificationevent
              (company_id, dedupe_key, event_id, ulid, resource_name, resource_id, event_type,
               api_version, payload, state, last_error, received_at)
            SELECT %(first)s + (i %% %(companies)s),
                   '01J' || lpad(i::text, 23, '0'), 1000000000000 + i,
                   '01J' || lpad(i::text, 23, '0'), 'ERP Requests', 50000 + i, 'create', 'v2.0',
                   jsonb_build_object('id', 1000000000000 + i, 'resource_id', 50000 + i),
                   (ARRAY['processed','processed','processed','ignored','failed','received'])
                     [1 + (i / %(companies)s) %% 6],
                   '', now() - (i * 2.5 || ' seconds')::interval
            FROM generate_series(1, %(rows)s) AS i
            """,
            params,
        )
        # About 2 % failed, 1 % dead, 0.5 % stale, the rest succeeded.
        cursor.execute(
            """
            INSERT INTO integrations_erprequest
              (company_id, procore_request_id, request_name, request_data, integration_app_name,
               external_links, state, attempts, next_attempt_at, last_error, created_at,
               updated_at, completed_at, gave_up_because, redriven_at, attempts_before_redrive,
               lease_owner, lease_expires_at)
            SELECT %(first)s + (i %% %(companies)s), 50000 + i,
                   (ARRAY['create_vendor','update_vendor','create_commitment','sync_vendors',
                          'create_job','update_cost_code'])[1 + (i / %(companies)s) %% 6],
                   jsonb_build_object('id', 50000 + i), '', '[]'::jsonb,
                   CASE WHEN (i / %(companies)s) %% 200 < 4 THEN 'failed' WHEN (i / %(companies)s) %% 200 < 6 THEN 'dead'
                        WHEN (i / %(companies)s) %% 200 = 6 THEN 'stale' ELSE 'succeeded' END,
                   CASE WHEN (i / %(companies)s) %% 200 BETWEEN 4 AND 5 THEN 8 ELSE 1 END, NULL,
                   CASE WHEN (i / %(companies)s) %% 200 < 4 THEN 'Vendor V-' || lpad((i %% 9999)::text, 6, '0')
                            || ' has no tax id; add it in the ERP, then retry.'
                        WHEN (i / %(companies)s) %% 200 < 6 THEN 'Gave up (too many attempts, 8 attempts): '
                            || 'Procore answered 503'
                        WHEN (i / %(companies)s) %% 200 = 6 THEN 'The commitment was closed in the ERP.'
                        ELSE '' END,
                   now() - (i * 2.5 || ' seconds')::interval,
                   now() - (i * 2.5 || ' seconds')::interval,
                   now() - (i * 2.5 - 3 || ' seconds')::interval,
                   CASE WHEN (i / %(companies)s) %% 200 BETWEEN 4 AND 5 THEN 'procore' ELSE '' END,
                   NULL, 0, '', NULL
            FROM generate_series(1, %(rows)s) AS i
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO integrations_erprequestdetail
              (company_id, erp_request_id, procore_detail_id, item_type, item_id, status,
               messages, closed_out_at, history, state, attempts, next_attempt_at, last_error,
               created_at, updated_at, completed_at, gave_up_because, redriven_at,
               attempts_before_redrive, lease_owner, lease_expires_at)
            SELECT r.company_id, r.id, 90000 + r.id, 'vendor', r.id, 'failed',
                   jsonb_build_array(r.last_error), now(), '[]'::jsonb, 'succeeded', 1, NULL,
                   '', now(), now(), now(), '', NULL, 0, '', NULL
            FROM integrations_erprequest r WHERE r.state IN ('failed', 'dead', 'stale')
            """
        )
        cursor.execute(
            """
            INSERT INTO integrations_objectlink
              (company_id, item_type, origin_id, origin_code, procore_id, staged_record_id,
               state, content_hash, last_error, created_at, updated_at)
            SELECT %(first)s + (i %% %(companies)s),
                   (ARRAY['vendor','project','standard_cost_code','line_item_type'])
                     [1 + (i / %(companies)s) %% 4],
                   'ERP-' || lpad(i::text, 8, '0'), 'C' || i,
                   CASE WHEN i %% 3 = 0 THEN 900000000000 + i END,
                   CASE WHEN i %% 3 = 1 THEN 800000000000 + i END,
                   (ARRAY['synced','synced','staged','pending','failed','archived'])
                     [1 + (i / %(companies)s) %% 6],
                   md5(i::text), CASE WHEN (i / %(companies)s) %% 6 = 4 THEN 'name: has already been taken' ELSE '' END,
                   now(), now() - (i || ' seconds')::interval
            FROM generate_series(1, %(rows)s) AS i
            """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO integrations_syncrun
              (company_id, item_type, entity, trigger, state, listed, created, updated, archived,
               unchanged, failed, api_calls, progress_done, progress_total, error, pause_note,
               refusals, created_at, started_at, finished_at, lease_owner, lease_expires_at)
            SELECT %(first)s + (i %% %(companies)s), 'vendor', 'vendors', 'schedule',
                   CASE WHEN i %% 50 = 0 THEN 'partial' ELSE 'succeeded' END,
                   1000, 3, 5, 0, 992, 0, 2, 1000, 1000, '', '', '[]'::jsonb,
                   now() - (i * 600 || ' seconds')::interval,
                   now() - (i * 600 || ' seconds')::interval,
                   now() - (i * 600 - 20 - i %% 40 || ' seconds')::interval, '', NULL
            FROM generate_series(1, %(runs)s) AS i
            """,
            {**params, "runs": COMPANIES * RUNS_PER_COMPANY},
        )
        for table in (
            "notificationevent",
            "erprequest",
            "erprequestdetail",
            "objectlink",
            "syncrun",
        ):
            cursor.execute(f"ANALYZE integrations_{table}")
    print(
        f"filled {rows:,} events, {rows:,} ERP requests, {rows:,} object links and "
        f"{COMPANIES * RUNS_PER_COMPANY:,} runs across {COMPANIES} companies in "
        f"{time.perf_counter() - started:.1f} s"
    )


def vacuum() -> None:
    """VACUUM ANALYZE the ledgers, as autovacuum does after a bulk load: fresh statistics, and
    the visibility map that lets the dashboard's counts read their indexes only."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "notificationevent",
            "erprequest",
            "erprequestdetail",
            "objectlink",
            "syncrun",
        ):
            cursor.execute(f"VACUUM ANALYZE integrations_{table}")
    print(f"vacuumed and analysed in {time.perf_counter() - started:.1f} s")


def ensure_connections() -> None:
    """Every company connected, with a recent check and both circuit breakers, as in life."""
    from django.utils import timezone

    from integrations.models import CircuitBreaker, Company, Connection

    now = timezone.now()
    missing = Company.objects.filter(connection__isnull=True)
    Connection.objects.bulk_create(
        Connection(
            company=company,
            environment="production",
            adapter_key="demo",
            adapter_settings={"tenant": f"bench-{company.pk}"},
            health="ok",
            health_message="Connected.",
            health_checked_at=now,
        )
        for company in missing
    )
    CircuitBreaker.objects.bulk_create(
        (
            CircuitBreaker(
                key=f"{target}:{company.pk}",
                company=company,
                target=target,
                last_success_at=now,
            )
            for company in Company.objects.all()
            for target in ("procore", "erp")
        ),
        ignore_conflicts=True,
    )


def measure(client, url: str, repeat: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(ctx.captured_queries)
    return statistics.median(timings), queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["LOG_LEVEL"] = "WARNING"

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from integrations.models import Company, CompanyMembership

    call_command("migrate", verbosity=0)
    fill(args.rows)
    vacuum()
    ensure_connections()
    company = Company.objects.order_by("id")[COMPANIES // 2]
    user, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"email": "bench-admin@example.com"}
    )
    CompanyMembership.objects.get_or_create(user=user, company=company, defaults={"role": "admin"})
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    base = f"/c/{company.pk}"
    # A failed request of this company: i = index + companies * 200 * k has state 'failed'.
    some_request = 50000 + (COMPANIES // 2) + COMPANIES * 200 * 3
    pages = [
        ("dashboard", f"{base}/"),
        ("errors: requests, first page", f"{base}/errors/"),
        ("errors: requests, page 3", f"{base}/errors/?page=3"),
        ("errors: requests sorted by name", f"{base}/errors/?sort=request"),
        ("errors: requests, search 'TAX ID'", f"{base}/errors/?q=TAX+ID"),
        ("errors: requests, search a request id", f"{base}/errors/?q={some_request}"),
        ("errors: refused objects, first page", f"{base}/errors/?kind=items"),
        ("errors: refused objects, search by code", f"{base}/errors/?kind=items&q=c1234"),
        ("imports", f"{base}/imports/"),
        ("objects: search by code", f"{base}/objects/?q=c5000"),
    ]
    print(f"\ncompany {company} (pk {company.pk}); signed in as its admin, past two-factor")
    print(f"\n{'page':42} {'median ms':>10} {'queries':>8}  goal")
    worst_ms, worst_q = 0.0, 0
    for label, page in pages:
        median_ms, queries = measure(client, page, args.repeat)
        worst_ms, worst_q = max(worst_ms, median_ms), max(worst_q, queries)
        ok = "ok" if median_ms < 300 and queries <= 15 else "MISSED"
        print(f"{label:42} {median_ms:10.1f} {queries:8d}  {ok}")
    print(f"\nworst: {worst_ms:.1f} ms median, {worst_q} queries (goal < 300 ms, ≤ 15 queries)")


if __name__ == "__main__":
    main()
