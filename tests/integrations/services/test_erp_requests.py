"""Processing an ERP request: a company without a connection fails once, with the reason."""

import pytest

from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.selectors.work import work_due_ids
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_a_request_of_a_company_without_connection_fails_once_with_the_reason():
    from integrations.services.erp_requests import erp_request_process

    row = ERPRequestFactory(state=WorkState.PENDING, request_name="")
    assert erp_request_process(erp_request_id=row.pk) == WorkState.FAILED
    row.refresh_from_db()
    assert row.state == WorkState.FAILED
    assert "no Procore connection" in row.last_error
    assert row.pk not in work_due_ids(ERPRequest)  # not re-driven forever


def test_mark_resolved_refuses_a_request_that_succeeded():
    from integrations.services.erp_requests import NotResolvable, erp_request_mark_resolved

    done = ERPRequestFactory(state=WorkState.SUCCEEDED, last_error="")
    with pytest.raises(NotResolvable, match="nothing to resolve"):
        erp_request_mark_resolved(erp_request=done, note="by mistake")
    done.refresh_from_db()
    assert (done.state, done.last_error) == (WorkState.SUCCEEDED, "")


@pytest.fixture
def connected_request(db):
    from tests.factories import ConnectionFactory, ERPRequestDetailFactory

    connection = ConnectionFactory()
    request = ERPRequestFactory(
        company=connection.company,
        state=WorkState.PENDING,
        request_name="create_vendor",
        request_data={"vendor": {"id": 1}},
    )
    detail = ERPRequestDetailFactory(erp_request=request, company=connection.company)
    return request, detail


def _answering(monkeypatch, *outcomes):
    from integrations.handlers.registry import Outcome  # noqa: F401

    queue = list(outcomes)
    monkeypatch.setattr(
        "integrations.services.erp_requests.handler_for", lambda name: lambda ctx: queue.pop(0)
    )


def test_an_export_the_erp_is_still_working_on_waits_in_progress_without_an_attempt(
    connected_request, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.handlers.registry import Outcome
    from integrations.services.erp_requests import erp_request_process

    request, detail = connected_request
    _answering(
        monkeypatch,
        Outcome.in_progress("Sent to the ERP's import queue.", check_again_in=600),
        Outcome.success("Created in the ERP as V-9."),
    )
    assert erp_request_process(erp_request_id=request.pk) == WorkState.WAITING
    request.refresh_from_db()
    detail.refresh_from_db()
    assert (request.state, request.attempts) == (WorkState.WAITING, 0)
    assert request.next_attempt_at > timezone.now() + timedelta(seconds=590)
    assert (detail.status, detail.messages) == ("in_progress", ["Sent to the ERP's import queue."])
    assert request.pk not in work_due_ids(ERPRequest)

    ERPRequest.objects.filter(pk=request.pk).update(next_attempt_at=timezone.now())
    assert erp_request_process(erp_request_id=request.pk) == WorkState.SUCCEEDED
    detail.refresh_from_db()
    assert detail.status == "success"


def test_an_export_waiting_past_its_age_limit_is_closed_stale_with_the_reason(
    connected_request, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from integrations.handlers.registry import Outcome
    from integrations.models import NotificationEvent
    from integrations.services import work
    from integrations.services.erp_requests import erp_request_process
    from tests.factories import NotificationEventFactory

    request, detail = connected_request
    event = NotificationEventFactory(
        company=request.company, erp_request=request, resource_id=request.procore_request_id
    )
    ERPRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - work.max_age() - timedelta(minutes=5)
    )
    _answering(monkeypatch, Outcome.in_progress("Still in the ERP's import queue."))
    assert erp_request_process(erp_request_id=request.pk) == WorkState.STALE
    detail.refresh_from_db()
    assert detail.status == "stale"
    assert "did not finish this within 24 hours" in detail.messages[-1]
    event.refresh_from_db()
    assert event.state == NotificationEvent.State.FAILED
    assert request.pk not in work_due_ids(ERPRequest)


def test_a_handler_can_close_a_request_stale(connected_request, monkeypatch):
    from integrations.handlers.registry import Outcome
    from integrations.services.erp_requests import erp_request_process

    request, detail = connected_request
    _answering(monkeypatch, Outcome.stale("The vendor was deleted in Procore."))
    assert erp_request_process(erp_request_id=request.pk) == WorkState.STALE
    detail.refresh_from_db()
    assert (detail.status, detail.messages) == ("stale", ["The vendor was deleted in Procore."])


def test_an_unsync_reported_as_external_data_is_sent_but_never_recorded_as_a_link(
    connected_request, monkeypatch
):
    """An unlink handler may report ``origin_id: None`` (Procore unsyncs the object): it goes to
    Procore with the close-out, and the portal does not record an object linked to "None"."""
    from erp_adapters.base import ExternalLink
    from integrations.handlers.registry import Outcome
    from integrations.models import ObjectLink
    from integrations.services.erp_requests import erp_request_process

    request, _ = connected_request
    unsync = ExternalLink("work_order_contract", 41, None)
    _answering(monkeypatch, Outcome.success("Unlinked.", external_data=(unsync,)))
    assert erp_request_process(erp_request_id=request.pk) == WorkState.SUCCEEDED
    request.refresh_from_db()
    assert request.external_links == [
        {"item_type": "work_order_contract", "item_id": 41, "origin_id": None}
    ]
    assert not ObjectLink.objects.filter(company=request.company).exists()
