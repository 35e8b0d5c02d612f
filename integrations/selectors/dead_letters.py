"""Dead letters: ERP requests whose retries ran out, and close-outs Procore never took (their
ERP work is done, but the approver still sees the Request Detail in progress). Support sees
them counted everywhere."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from integrations.models import ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import WorkState


def dead_letters(*, company_id: int | None = None) -> QuerySet[ERPRequest]:
    """Every dead ERP request (of one company), newest first."""
    rows = ERPRequest.objects.filter(state=WorkState.DEAD)
    if company_id is not None:
        rows = rows.filter(company_id=company_id)
    return rows.order_by("-id")


def dead_letters_count(*, company_id: int | None = None) -> int:
    return dead_letters(company_id=company_id).order_by().count()


def dead_letter_counts_by_company() -> dict[int, int]:
    """Company pk → dead letters, for the companies that have any (indexed on state)."""
    return dict(
        ERPRequest.objects.filter(state=WorkState.DEAD)
        .order_by()
        .values("company_id")
        .annotate(n=Count("id"))
        .values_list("company_id", "n")
    )


def dead_close_outs_count(*, company_id: int | None = None) -> int:
    """Request Details whose close-out died (healed by themselves once Procore answers)."""
    rows = ERPRequestDetail.objects.filter(state=WorkState.DEAD)
    if company_id is not None:
        rows = rows.filter(company_id=company_id)
    return rows.order_by().count()
