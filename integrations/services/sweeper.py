"""Finding work that is due, whatever happened to the task that should have done it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils import timezone

from integrations.models import ERPRequest, ERPRequestDetail
from integrations.services.work import due_filter, work_due_ids


def sweep(
    *,
    enqueue_requests: Callable[[Sequence[int]], None],
    enqueue_close_out: Callable[[int], None],
) -> dict[str, int]:
    """Enqueue every due ERP request, and one close-out per company with due close-outs."""
    request_ids = work_due_ids(ERPRequest)
    if request_ids:
        enqueue_requests(request_ids)
    companies = list(
        ERPRequestDetail.objects.filter(due_filter(timezone.now()))
        .exclude(status=ERPRequestDetail.Status.OPEN)
        .values_list("company_id", flat=True)
        .distinct()
    )
    for company_pk in companies:
        enqueue_close_out(company_pk)
    return {"erp_requests": len(request_ids), "close_out_companies": len(companies)}


def process_pending(*, max_rounds: int = 100) -> dict[str, int]:
    """Do every due piece of work now, in this process, until nothing is due (operators, scripts,
    tests). A round processes due ERP requests, then sends due close-outs per company."""
    from integrations.services.erp_requests import erp_request_process, request_details_close_out

    totals = {"erp_requests": 0, "close_outs": 0, "rounds": 0}
    for _ in range(max_rounds):
        request_ids = work_due_ids(ERPRequest)
        for pk in request_ids:
            if erp_request_process(erp_request_id=pk) is not None:
                totals["erp_requests"] += 1
        closed = 0
        companies = (
            ERPRequestDetail.objects.filter(due_filter(timezone.now()))
            .exclude(status=ERPRequestDetail.Status.OPEN)
            .values_list("company_id", flat=True)
            .distinct()
        )
        for company_pk in list(companies):
            closed += request_details_close_out(company_pk=company_pk)
        totals["close_outs"] += closed
        totals["rounds"] += 1
        if not request_ids and not closed:
            break
    return totals


SWEEP_SCHEDULE_NAME = "sweep-due-work"


def sweeper_schedule_ensure() -> None:
    """The worker re-drives due and expired work every minute (created after each migrate)."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=SWEEP_SCHEDULE_NAME,
        defaults={
            "func": "integrations.tasks.sweep_due_work",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
