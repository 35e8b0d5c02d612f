"""The webhook ledger tells the truth: each event's state follows the ERP request it named.

An event is ``received`` while its request waits or runs, then ``processed`` or ``failed`` with
the request (and ``processed_at``, and the request's error); a redelivery under a new id of a
request that came earlier stays ``duplicate``, and an event that is not an ERP request stays
``ignored``. Support filtering the admin on Processed or Failed sees what really happened.
"""

from __future__ import annotations

from django.utils import timezone

from integrations.models import NotificationEvent
from integrations.models.erp_requests import WorkState

_EVENT_STATE = {
    WorkState.SUCCEEDED: NotificationEvent.State.PROCESSED,
    WorkState.RESOLVED: NotificationEvent.State.PROCESSED,
    WorkState.FAILED: NotificationEvent.State.FAILED,
    WorkState.NOT_HANDLED: NotificationEvent.State.FAILED,
    WorkState.DEAD: NotificationEvent.State.FAILED,
    WorkState.PENDING: NotificationEvent.State.RECEIVED,
    WorkState.RETRYING: NotificationEvent.State.RECEIVED,
    WorkState.PROCESSING: NotificationEvent.State.RECEIVED,
    WorkState.WAITING: NotificationEvent.State.RECEIVED,
    WorkState.STALE: NotificationEvent.State.FAILED,
}


def notification_events_follow(*, erp_request_pk: int, request_state: str, error: str = "") -> int:
    """Set the state of the events that brought this request (not its duplicates) to match
    ``request_state``. Returns how many events changed."""
    state = _EVENT_STATE[WorkState(request_state)]
    ended = state in (NotificationEvent.State.PROCESSED, NotificationEvent.State.FAILED)
    return (
        NotificationEvent.objects.filter(erp_request_id=erp_request_pk)
        .exclude(state__in=(NotificationEvent.State.DUPLICATE, NotificationEvent.State.IGNORED))
        .update(
            state=state,
            processed_at=timezone.now() if ended else None,
            last_error=(error if state == NotificationEvent.State.FAILED else "")[:4000],
        )
    )
