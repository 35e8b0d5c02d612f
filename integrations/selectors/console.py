"""What the support console says of a unit of work, in one phrase a newcomer reads right, and
which rows belong to one ERP request.

A Request Detail has two state fields that mean different things: ``status`` is what Procore
is told (success, failed…), ``state`` is how far the close-out got. Shown side by side they
read "Failed" next to "Succeeded" for a refused export that was closed out fine; the console
shows one phrase instead ("Closed: failed in Procore").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Q, QuerySet

from integrations.models import ERPRequest, ERPRequestDetail, ObjectLink
from integrations.models.erp_requests import WorkState

Status = ERPRequestDetail.Status

_SHOWN_AS = {
    Status.SUCCESS: "success",
    Status.FAILED: "failed",
    Status.IN_PROGRESS: "in progress",
    Status.STALE: "stale",
    Status.OPEN: "open",
}


def when(moment: datetime | None) -> str:
    """A short UTC time, the same on every page of the console."""
    if moment is None:
        return "—"
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def request_detail_state(detail: ERPRequestDetail) -> str:
    """One phrase for a Request Detail: what Procore shows (or will show), and whether it got
    there."""
    shown = _SHOWN_AS.get(detail.status, detail.status)
    state = detail.state
    if state == WorkState.RESOLVED:
        return "Resolved by support (no close-out sent)"
    if detail.status == Status.OPEN:
        return "Open: the request's outcome is not known yet"
    if state == WorkState.SUCCEEDED:
        return f"Closed: {shown} in Procore"
    if state == WorkState.RETRYING:
        return f"Closing out as {shown}: waiting to retry (next {when(detail.next_attempt_at)})"
    if state == WorkState.FAILED:
        return f"Not closed: Procore refused the close-out as {shown}"
    if state == WorkState.DEAD:
        return f"Not closed: gave up closing out as {shown}"
    return f"Closing out as {shown}"


def erp_request_state(erp_request: ERPRequest) -> str:
    """The request's own state, with its attempts so far and the next one when it waits."""
    label = erp_request.get_state_display().split(" (")[0]
    attempts = erp_request.attempts
    if attempts and erp_request.state not in (WorkState.SUCCEEDED, WorkState.RESOLVED):
        label += f" · {attempts} attempt{'s' if attempts != 1 else ''}"
    if erp_request.state in (WorkState.RETRYING, WorkState.WAITING) and (
        erp_request.next_attempt_at is not None
    ):
        label += f" · next {when(erp_request.next_attempt_at)}"
    return label


def erp_request_in_procore(details: list[ERPRequestDetail]) -> str:
    """What Procore's ERP tab shows for the request, from its details (fetched with it)."""
    if not details:
        return "No request detail yet"
    phrases = sorted({request_detail_state(detail) for detail in details})
    if len(phrases) == 1:
        return phrases[0] if len(details) == 1 else f"{phrases[0]} (all {len(details)})"
    return "; ".join(f"{sum(request_detail_state(d) == p for d in details)} × {p}" for p in phrases)


def _origin_refs(value: Any, out: set[tuple[str, str]], item_type: str = "") -> None:
    """``(item type, origin id)`` of every ``{origin_id: …}`` object in Procore's request data."""
    if isinstance(value, dict):
        origin_id = value.get("origin_id")
        if origin_id not in (None, "") and item_type:
            out.add((item_type, str(origin_id)))
        for key, child in value.items():
            _origin_refs(child, out, key if isinstance(child, dict | list) else item_type)
    elif isinstance(value, list):
        for child in value:
            _origin_refs(child, out, item_type)


def erp_request_object_links(erp_request: ERPRequest) -> QuerySet[ObjectLink]:
    """The object links an ERP request touched: those it wrote back to Procore (its External
    Data) and those its data names by ERP id (an import notice, a link, a merge)."""
    refs: set[tuple[str, str]] = set()
    for link in erp_request.external_links or []:
        if isinstance(link, dict) and link.get("origin_id") and link.get("item_type"):
            refs.add((str(link["item_type"]), str(link["origin_id"])))
    _origin_refs(erp_request.request_data, refs)
    known = {value for value, _ in ObjectLink._meta.get_field("item_type").choices}
    query = Q()
    for item_type, origin_id in refs:
        if item_type in known:
            query |= Q(item_type=item_type, origin_id=origin_id)
    if not query:
        return ObjectLink.objects.none()
    return ObjectLink.objects.filter(query, company_id=erp_request.company_id).order_by("-id")
