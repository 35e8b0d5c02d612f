"""A company's dashboard: health, the last event, objects, runs, errors and charts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from integrations.models import Company
from integrations.selectors.health import company_health
from selfservice.access import company_page
from selfservice.charts import dashboard_charts
from selfservice.forms import ImportForm
from selfservice.selectors.dashboard import (
    COUNT_CAP,
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
    runs = recent_runs(company=company)
    failed_requests, failed_items = error_counts(company=company)
    charts = dashboard_charts(
        events=events_per_day(company=company),
        outcomes=outcomes_per_day(company=company),
        runs=runs,
    )
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
