"""A company's dashboard: health, the last event, objects, runs, errors and charts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from integrations.models import Company
from selfservice.access import company_page
from selfservice.charts import stacked_bars
from selfservice.forms import ImportForm
from selfservice.selectors.dashboard import (
    COUNT_CAP,
    company_health,
    error_counts,
    events_per_day,
    last_event,
    object_counts,
    outcomes_per_day,
    recent_runs,
)
from selfservice.selectors.runs import run_percent


@company_page()
def dashboard(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    events = events_per_day(company=company)
    outcomes = outcomes_per_day(company=company)
    runs = recent_runs(company=company)
    failed_requests, failed_items = error_counts(company=company)
    finished = [r for r in reversed(runs) if r.started_at and r.finished_at][-14:]
    durations = [max(0, round((r.finished_at - r.started_at).total_seconds())) for r in finished]
    day = "%d %b"
    charts = [
        stacked_bars(
            title="Events received per day",
            labels=[d.strftime(day) for d, _ in events],
            series=[("events", "bar-events", [n for _, n in events])],
            label_every=2,
        ),
        stacked_bars(
            title="Requests completed per day",
            labels=[d.strftime(day) for d, _, _ in outcomes],
            series=[
                ("succeeded", "bar-ok", [ok for _, ok, _ in outcomes]),
                ("failed", "bar-failed", [bad for _, _, bad in outcomes]),
            ],
            label_every=2,
        ),
        stacked_bars(
            title="Import durations (latest runs)",
            labels=[f"#{r.pk}" for r in finished],
            series=[("seconds", "bar-duration", durations)],
            unit="s",
            label_every=max(1, len(finished) // 7),
        ),
    ]
    for run in runs:
        run.percent = run_percent(run)
    return render(
        request,
        "selfservice/dashboard.html",
        {
            "company": company,
            "role": role,
            "health": company_health(company=company),
            "last_event": last_event(company=company),
            "objects": object_counts(company=company),
            "runs": runs[:5],
            "failed_requests": failed_requests,
            "failed_items": failed_items,
            "count_cap": COUNT_CAP,
            "charts": charts,
            "import_form": ImportForm(),
        },
    )
