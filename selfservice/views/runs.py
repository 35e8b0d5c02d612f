"""Import runs: the list, one run, its live progress, and Run import."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from integrations.models import Company
from integrations.services.sync_run_summaries import sync_run_refusals, sync_run_summary
from selfservice.access import company_page
from selfservice.forms import ImportForm
from selfservice.selectors.runs import company_run, run_percent, runs_page
from selfservice.services.imports import ImportRefused, import_start_by_member


@company_page()
def runs(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    listing = runs_page(
        company=company,
        q=request.GET.get("q", ""),
        sort=request.GET.get("sort", ""),
        page=request.GET.get("page", 1),
    )
    for run in listing.rows:
        run.percent = run_percent(run)
    return render(
        request,
        "selfservice/runs.html",
        {"company": company, "role": role, "listing": listing, "import_form": ImportForm()},
    )


def _run_or_404(company: Company, pk: str):
    run = company_run(company=company, pk=pk)
    if run is None:
        raise Http404("No such import run.")
    run.percent = run_percent(run)
    return run


@company_page()
def run_detail(request: HttpRequest, pk: str, *, company: Company, role: str) -> HttpResponse:
    run = _run_or_404(company, pk)
    return render(
        request,
        "selfservice/run_detail.html",
        {
            "company": company,
            "role": role,
            "run": run,
            "summary": sync_run_summary(run),
            "refusals": sync_run_refusals(run),
        },
    )


@company_page()
def run_progress(request: HttpRequest, pk: str, *, company: Company, role: str) -> HttpResponse:
    """The progress fragment a running import's row polls (static/selfservice/progress.js)."""
    run = _run_or_404(company, pk)
    response = render(request, "selfservice/includes/run_progress.html", {"run": run})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@company_page(admin=True)
def run_start(request: HttpRequest, *, company: Company, role: str) -> HttpResponse:
    form = ImportForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to import.")
        return redirect("selfservice:runs", company_id=company.pk)
    try:
        import_start_by_member(
            user=request.user, company=company, entity=form.cleaned_data["entity"]
        )
    except ImportRefused as exc:
        messages.error(request, str(exc))
    else:
        label = dict(form.fields["entity"].choices)[form.cleaned_data["entity"]]
        messages.success(
            request, f"{label} import queued: it appears below within seconds, with its progress."
        )
    return redirect("selfservice:runs", company_id=company.pk)
