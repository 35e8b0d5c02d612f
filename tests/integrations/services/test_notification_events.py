"""The webhook ledger tells the truth: an event's state follows the ERP request it brought."""

import pytest
from django.urls import reverse

from integrations.models import NotificationEvent
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import (
    erp_request_mark_resolved,
    erp_request_process,
    erp_request_retry,
)
from integrations.services.notification_events import notification_events_follow
from tests.factories import ERPRequestFactory, NotificationEventFactory

pytestmark = pytest.mark.django_db


def events_of(request, *states):
    return [
        NotificationEventFactory(
            company=request.company,
            erp_request=request,
            state=s,
            resource_id=request.procore_request_id,
        )
        for s in states
    ]


@pytest.mark.parametrize(
    ("request_state", "event_state"),
    [
        (WorkState.SUCCEEDED, "processed"),
        (WorkState.RESOLVED, "processed"),
        (WorkState.FAILED, "failed"),
        (WorkState.NOT_HANDLED, "failed"),
        (WorkState.DEAD, "failed"),
        (WorkState.RETRYING, "received"),
    ],
)
def test_events_follow_the_state_of_their_request(request_state, event_state):
    request = ERPRequestFactory()
    first, duplicate = events_of(request, "received", "duplicate")
    notification_events_follow(
        erp_request_pk=request.pk, request_state=request_state, error="ERP said no"
    )
    first.refresh_from_db()
    duplicate.refresh_from_db()
    assert first.state == event_state
    assert (first.processed_at is not None) == (event_state in ("processed", "failed"))
    assert first.last_error == ("ERP said no" if event_state == "failed" else "")
    assert duplicate.state == "duplicate"  # a redelivery under a new id stays what it is


def test_a_request_that_fails_for_good_fails_its_event_with_the_reason():
    request = ERPRequestFactory(state=WorkState.PENDING)  # its company has no connection
    (event,) = events_of(request, "received")
    assert erp_request_process(erp_request_id=request.pk) == WorkState.FAILED
    event.refresh_from_db()
    assert event.state == "failed" and "no Procore connection" in event.last_error


def test_support_retry_and_resolve_move_the_event_too():
    request = ERPRequestFactory(state=WorkState.DEAD)
    (event,) = events_of(request, "failed")
    erp_request_retry(erp_request=request)
    event.refresh_from_db()
    assert event.state == "received" and event.processed_at is None
    erp_request_mark_resolved(erp_request=request, note="done by hand")
    event.refresh_from_db()
    assert event.state == "processed"


def test_the_admin_filters_find_processed_and_failed_events(admin_client_logged_in):
    done, broken = ERPRequestFactory(), ERPRequestFactory()
    (ok,) = events_of(done, "received")
    (bad,) = events_of(broken, "received")
    notification_events_follow(erp_request_pk=done.pk, request_state=WorkState.SUCCEEDED)
    notification_events_follow(erp_request_pk=broken.pk, request_state=WorkState.FAILED)
    url = reverse("admin:integrations_notificationevent_changelist")
    processed = admin_client_logged_in.get(url, {"state__exact": "processed"})
    failed = admin_client_logged_in.get(url, {"state__exact": "failed"})
    assert list(processed.context["cl"].result_list) == [ok]
    assert list(failed.context["cl"].result_list) == [bad]
    assert NotificationEvent.objects.filter(state="received").count() == 0
