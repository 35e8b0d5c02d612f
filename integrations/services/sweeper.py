"""Finding work that is due, whatever happened to the task that should have done it."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from integrations.models import ERPRequest, ERPRequestDetail
from integrations.services.work import due_filter, work_due_ids


def sweep(
    *, enqueue_request: Callable[[int], None], enqueue_close_out: Callable[[int], None]
) -> dict[str, int]:
    """Enqueue each due ERP request, and one close-out per company with due close-outs."""
    request_ids = work_due_ids(ERPRequest)
    for pk in request_ids:
        enqueue_request(pk)
    companies = list(
        ERPRequestDetail.objects.filter(due_filter(timezone.now()))
        .exclude(status=ERPRequestDetail.Status.OPEN)
        .values_list("company_id", flat=True)
        .distinct()
    )
    for company_pk in companies:
        enqueue_close_out(company_pk)
    return {"erp_requests": len(request_ids), "close_out_companies": len(companies)}
