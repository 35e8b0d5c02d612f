#!/usr/bin/env python
"""Admin changelist speed on big ledgers.

Fills a PostgreSQL database with 1,000,000 notification events and 1,000,000 named object links
(set-based INSERT … SELECT generate_series, a minute or two), then times the support-staff
changelist pages, exact and partial searches included, through Django's test client and counts
their SQL queries.

    .venv/bin/python bench/admin_changelist.py [--rows 1000000] [--repeat 15]

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/erp_portal_bench); the
database is created if missing and reused on later runs. Goal: every page < 300 ms median and
≤ 10 queries.
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
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/erp_portal_bench"
COMPANIES = 20


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

    from integrations.models import Company, NotificationEvent, ObjectLink

    have_events = NotificationEvent.objects.count()
    have_links = ObjectLink.objects.count()
    named = not ObjectLink.objects.filter(name="").exists()
    if have_events == rows and have_links == rows and named:
        print(f"reusing {rows:,} events and {rows:,} object links")
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE integrations_notificationevent, integrations_objectlink, "
            "integrations_company RESTART IDENTITY CASCADE"
        )
    Company.objects.bulk_create(
        Company(procore_company_id=5_000_000_000 + i, name=f"Bench Company {i}")
        for i in range(COMPANIES)
    )
    first = Company.objects.order_by("id").first().id
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO integrations_notificationevent
              (company_id, dedupe_key, event_id, ulid, resource_name, resource_id, event_type,
               api_version, payload, state, last_error, received_at)
            SELECT %(first)s + (i %% %(companies)s),
                   '01J' || lpad(i::text, 23, '0'),
                   1000000000000 + i,
                   '01J' || lpad(i::text, 23, '0'),
                   'ERP Requests', 50000 + i, 'create', 'v2.0',
                   jsonb_build_object('id', 1000000000000 + i, 'resource_id', 50000 + i,
                                      'resource_name', 'ERP Requests', 'event_type', 'create'),
                   (ARRAY['processed','processed','processed','ignored','failed','received'])[1 + i %% 6],
                   '', now() - (i || ' seconds')::interval
            FROM generate_series(1, %(rows)s) AS i
            """,
            {"first": first, "companies": COMPANIES, "rows": rows},
        )
        cursor.execute(
            """
            INSERT INTO integrations_objectlink
              (company_id, item_type, origin_id, origin_code, name, procore_id,
               staged_record_id, state, content_hash, last_error, created_at, updated_at)
            SELECT %(first)s + (i %% %(companies)s),
                   (ARRAY['vendor','project','standard_cost_code','line_item_type'])[1 + i %% 4],
                   'ERP-' || lpad(i::text, 8, '0'),
                   'C' || i,
                   (ARRAY['Acme','Granite','Summit','Pioneer','Harbor','Northwind','Redwood',
                          'Keystone','Lakeside','Ironwood','Bluebird','Cornerstone','Evergreen',
                          'Frontier','Highland','Meridian','Oakridge','Silverline','Timberline',
                          'Westgate'])[1 + i %% 20]
                     || ' ' || (ARRAY['Concrete','Steel','Electric','Plumbing','Roofing',
                          'Masonry','Drywall','Glass','Paving','Mechanical','Landscaping',
                          'Painting','Flooring','Excavation','Framing','Insulation',
                          'Surveying'])[1 + i %% 17]
                     || ' ' || (ARRAY['Inc.','LLC','Co.','Group','Partners'])[1 + i %% 5]
                     || ' #' || i,
                   CASE WHEN i %% 3 = 0 THEN 900000000000 + i END,
                   CASE WHEN i %% 3 = 1 THEN 800000000000 + i END,
                   (ARRAY['synced','synced','staged','pending','failed','archived'])[1 + i %% 6],
                   md5(i::text) || md5((i + 1)::text), '', now() - (i || ' seconds')::interval,
                   now() - (i || ' seconds')::interval
            FROM generate_series(1, %(rows)s) AS i
            """,
            {"first": first, "companies": COMPANIES, "rows": rows},
        )
        cursor.execute("ANALYZE integrations_notificationevent")
        cursor.execute("ANALYZE integrations_objectlink")
    print(
        f"filled {rows:,} events and {rows:,} object links in {time.perf_counter() - started:.1f} s"
    )


def measure(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Median page time, median time spent in SQL (the part the indexes decide; the rest is
    Django rendering, slow on a loaded machine), and the page's query count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    timings = []
    sql_timings = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(ctx.captured_queries)
        sql_timings.append(sum(float(q["time"]) for q in ctx.captured_queries) * 1000)
    return statistics.median(timings), statistics.median(sql_timings), queries


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

    call_command("migrate", verbosity=0)
    fill(args.rows)
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)

    middle = args.rows // 2
    pages = [
        ("events: first page", "/admin/integrations/notificationevent/"),
        (
            "events: filtered (state=failed)",
            "/admin/integrations/notificationevent/?state__exact=failed",
        ),
        ("events: search by ULID", f"/admin/integrations/notificationevent/?q=01J{middle:023d}"),
        (
            "events: search by resource id",
            f"/admin/integrations/notificationevent/?q={50000 + middle}",
        ),
        ("object links: first page", "/admin/integrations/objectlink/"),
        (
            "object links: filtered (vendor, staged)",
            "/admin/integrations/objectlink/?item_type__exact=vendor&state__exact=staged",
        ),
        (
            "object links: search by origin id",
            f"/admin/integrations/objectlink/?q=ERP-{middle:08d}",
        ),
        # Partial, case-insensitive search (trigram indexes): one object, then many.
        (
            "object links: name in part, one match",
            f"/admin/integrations/objectlink/?q=%23{middle}",
        ),
        (
            "object links: name in part, ~3,000 matches",
            "/admin/integrations/objectlink/?q=granite+steel",
        ),
        (
            "object links: name in part, ~50,000 matches",
            "/admin/integrations/objectlink/?q=summit",
        ),
        (
            "object links: ERP code in part, lower case",
            f"/admin/integrations/objectlink/?q=c{middle // 10}",
        ),
        ("companies: name in part", "/admin/integrations/company/?q=bench+company+1"),
    ]
    print(f"\n{'page':45} {'median ms':>10} {'SQL ms':>8} {'queries':>8}  goal")
    worst_ms, worst_q = 0.0, 0
    for label, page in pages:
        median_ms, sql_ms, queries = measure(client, page, args.repeat)
        worst_ms, worst_q = max(worst_ms, median_ms), max(worst_q, queries)
        ok = "ok" if median_ms < 300 and queries <= 10 else "MISSED"
        print(f"{label:45} {median_ms:10.1f} {sql_ms:8.1f} {queries:8d}  {ok}")
    print(f"\nworst: {worst_ms:.1f} ms median, {worst_q} queries (goal < 300 ms, ≤ 10 queries)")


if __name__ == "__main__":
    main()
