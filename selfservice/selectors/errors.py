"""The errors queue: requests from Procore that failed or died, and objects Procore refused,
each with a reason an accountant can act on."""

from __future__ import annotations

from django.db.models import Prefetch

from integrations.models import Company, ERPRequest, ERPRequestDetail, ObjectLink
from integrations.models.erp_requests import GaveUpBecause, WorkState
from selfservice.selectors.dashboard import ERROR_STATES
from selfservice.selectors.listing import ListPage, ListSpec, list_page

REQUESTS_LIST = ListSpec(
    sorts={
        "newest": ("-id",),
        "oldest": ("id",),
        "request": ("request_name", "-id"),
        "-request": ("-request_name", "-id"),
        "state": ("state", "-id"),
        "attempts": ("-attempts", "-id"),
    },
    text_fields=("request_name", "last_error"),
    number_fields=("procore_request_id",),
)

ITEMS_LIST = ListSpec(
    sorts={
        "newest": ("-updated_at", "-id"),
        "code": ("origin_code", "id"),
        "-code": ("-origin_code", "-id"),
        "type": ("item_type", "origin_code", "id"),
        "oldest": ("updated_at", "id"),
    },
    text_fields=("origin_code", "origin_id", "last_error"),
    number_fields=("procore_id",),
)


def failed_requests_page(
    *, company: Company, q: str = "", sort: str = "", page: int | str = 1
) -> ListPage:
    """One page of the company's failed, dead and stale requests, each with its failed Request
    Details (one query for the page, one for their details)."""
    details = Prefetch(
        "details",
        queryset=ERPRequestDetail.objects.filter(
            status__in=(ERPRequestDetail.Status.FAILED, ERPRequestDetail.Status.STALE)
        )
        .only("id", "erp_request_id", "procore_detail_id", "item_type", "messages", "status")
        .order_by("id"),
        to_attr="failed_details",
    )
    queryset = (
        ERPRequest.objects.filter(company=company, state__in=ERROR_STATES)
        .defer("request_data", "external_links", "lease_owner")
        .prefetch_related(details)
    )
    return list_page(queryset, REQUESTS_LIST, q=q, sort=sort, page=page)


def failed_request(*, company: Company, pk: int | str) -> ERPRequest | None:
    """The company's request ``pk`` (any state), or None: another company's is not found."""
    try:
        return ERPRequest.objects.filter(company=company, pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def failed_items_page(
    *, company: Company, q: str = "", sort: str = "", page: int | str = 1
) -> ListPage:
    """One page of the objects Procore refused in the company's imports."""
    queryset = ObjectLink.objects.filter(company=company, state=ObjectLink.State.FAILED).only(
        "id",
        "item_type",
        "origin_id",
        "origin_code",
        "procore_id",
        "state",
        "last_error",
        "updated_at",
    )
    return list_page(queryset, ITEMS_LIST, q=q, sort=sort, page=page)


def request_reason(erp_request: ERPRequest) -> str:
    """Why the request is in the queue, in words for an accountant, and what to do next."""
    messages = [
        message
        for detail in getattr(erp_request, "failed_details", ())
        for message in (detail.messages or ())
        if message
    ]
    if erp_request.state == WorkState.DEAD:
        cause = {
            GaveUpBecause.PROCORE: "Procore did not answer",
            GaveUpBecause.ERP: "your ERP did not answer",
        }.get(erp_request.gave_up_because, "it kept failing")
        first = (
            f"We stopped trying after {erp_request.attempts} attempts because {cause}. "
            "It is retried by itself once that side answers again; a company admin can also "
            "press Retry."
        )
        detail = messages[0] if messages else _plain(erp_request.last_error)
        return f"{first} Last error: {detail}" if detail else first
    if erp_request.state == WorkState.STALE:
        lead = "This request can no longer complete in the ERP."
    else:
        lead = "The ERP or Procore refused this request."
    if messages:
        return f"{lead} {' '.join(messages[:3])}"
    detail = _plain(erp_request.last_error)
    return f"{lead} {detail}" if detail else lead


def _plain(error: str) -> str:
    """The stored error without the retry bookkeeping in front of it."""
    text = (error or "").strip()
    if text.startswith("Gave up (") and "): " in text:
        text = text.split("): ", 1)[1]
    return text[:500]
