"""Finding work that is due, whatever happened to the task that should have done it."""

from __future__ import annotations

from django_q.models import Schedule

from integrations.enqueue import SWEEP_TASK, enqueue_close_out, enqueue_erp_requests
from integrations.models import ERPRequest
from integrations.selectors.work import close_out_companies_due, work_due_ids
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
    tests). A round processes due ERP requests, then sends due close-outs per company."""
    totals = {"erp_requests": 0, "close_outs": 0, "rounds": 0}
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


SWEEP_SCHEDULE_NAME = "sweep-due-work"


def sweeper_schedule_ensure() -> None:
    """The worker re-drives due and expired work every minute (created after each migrate)."""
    Schedule.objects.update_or_create(
        name=SWEEP_SCHEDULE_NAME,
        defaults={
            "func": SWEEP_TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
