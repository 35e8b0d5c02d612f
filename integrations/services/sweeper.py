"""Finding work that is due, whatever happened to the task that should have done it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from integrations.enqueue import (
    ERP_ANSWERS_TASK,
    HEAL_TASK,
    RECONCILE_TASK,
    RETENTION_TASK,
    SWEEP_TASK,
    enqueue_close_out,
    enqueue_erp_requests,
)
from integrations.models import ERPRequest
from integrations.selectors.work import close_out_companies_due, work_due_ids
from integrations.services.erp_answers import erp_answers_collect
from integrations.services.erp_requests import erp_request_process, request_details_close_out


def sweep() -> dict[str, int]:
    """Enqueue every due ERP request, and one close-out per company with due close-outs."""
    request_ids = work_due_ids(ERPRequest)
    if request_ids:
        enqueue_erp_requests(request_ids)
    companies = close_out_companies_due()
    for company_pk in companies:
        enqueue_close_out(company_pk)
    return {"erp_requests": len(request_ids), "close_out_companies": len(companies)}


def process_pending(*, max_rounds: int = 100) -> dict[str, int]:
    """Do every due piece of work now, in this process, until nothing is due (operators, scripts,
    tests). It first collects the answers file-exchange ERPs left in their inboxes; a round
    processes due ERP requests, then sends due close-outs per company."""
    totals = {"erp_requests": 0, "close_outs": 0, "rounds": 0}
    totals["erp_answers"] = erp_answers_collect()["answers"]
    for _ in range(max_rounds):
        request_ids = work_due_ids(ERPRequest)
        for pk in request_ids:
            if erp_request_process(erp_request_id=pk) is not None:
                totals["erp_requests"] += 1
        closed = 0
        for company_pk in close_out_companies_due():
            closed += request_details_close_out(company_pk=company_pk)
        totals["close_outs"] += closed
        totals["rounds"] += 1
        if not request_ids and not closed:
            break
    return totals


# The worker's own schedules (created after each migrate). django-q2 looks at its schedules
# every 30 seconds and a schedule repeats at most once a minute, so the sweep has two schedules
# half a minute apart: with leases of 20 s, a killed worker's work is taken up again within
# about 50 s.
SCHEDULES: tuple[tuple[str, str, int, int], ...] = (
    # name, task, every (minutes), first run delayed by (seconds)
    ("sweep-due-work", SWEEP_TASK, 1, 0),
    ("sweep-due-work-half-minute", SWEEP_TASK, 1, 30),
    ("heal-dead-letters", HEAL_TASK, 5, 0),
    # File-exchange ERPs answer exports with acknowledgement files; a minute after one lands
    # its request closes.
    ("collect-erp-answers", ERP_ANSWERS_TASK, 1, 15),
    ("reconcile-webhook-deliveries", RECONCILE_TASK, 15, 0),
    ("purge-old-records", RETENTION_TASK, 24 * 60, 0),
)


def schedules_ensure() -> None:
    """Create or correct the worker's own schedules; leaves their next run alone when they
    exist, so a migrate does not re-time them."""
    now = timezone.now()
    for name, task, minutes, delay in SCHEDULES:
        row, created = Schedule.objects.get_or_create(
            name=name,
            defaults={
                "func": task,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
                "next_run": now + timedelta(seconds=delay),
            },
        )
        if not created and (row.func, row.minutes, row.schedule_type) != (
            task,
            minutes,
            Schedule.MINUTES,
        ):
            row.func, row.minutes, row.schedule_type, row.repeats = (
                task,
                minutes,
                Schedule.MINUTES,
                -1,
            )
            row.save()
