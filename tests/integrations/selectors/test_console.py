"""What the console says of a Request Detail and an ERP request, in one phrase, and which object
links belong to a request."""

from datetime import UTC, datetime

import pytest

from integrations.models import ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import WorkState
from integrations.selectors.console import (
    erp_request_in_procore,
    erp_request_object_links,
    erp_request_state,
    request_detail_state,
)
from tests.factories import ERPRequestFactory, ObjectLinkFactory

NEXT = datetime(2026, 11, 29, 21, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "state", "shown"),
    [
        ("failed", WorkState.SUCCEEDED, "Closed: failed in Procore"),
        ("success", WorkState.SUCCEEDED, "Closed: success in Procore"),
        ("in_progress", WorkState.SUCCEEDED, "Closed: in progress in Procore"),
        ("failed", WorkState.PENDING, "Closing out as failed"),
        (
            "success",
            WorkState.RETRYING,
            "Closing out as success: waiting to retry (next 2026-11-29 21:05 UTC)",
        ),
        ("failed", WorkState.FAILED, "Not closed: Procore refused the close-out as failed"),
        ("success", WorkState.DEAD, "Not closed: gave up closing out as success"),
        ("open", WorkState.PENDING, "Open: the request's outcome is not known yet"),
        ("failed", WorkState.RESOLVED, "Resolved by support (no close-out sent)"),
    ],
)
def test_a_detail_reads_as_one_phrase(status, state, shown):
    detail = ERPRequestDetail(status=status, state=state, next_attempt_at=NEXT)
    assert request_detail_state(detail) == shown


def test_a_request_reads_its_state_attempts_and_next_attempt():
    assert (
        erp_request_state(ERPRequest(state=WorkState.RETRYING, attempts=3, next_attempt_at=NEXT))
        == "Waiting to retry · 3 attempts · next 2026-11-29 21:05 UTC"
    )
    assert erp_request_state(ERPRequest(state=WorkState.DEAD, attempts=8)) == (
        "Dead letter · 8 attempts"
    )
    assert erp_request_state(ERPRequest(state=WorkState.SUCCEEDED, attempts=1)) == "Succeeded"


def test_what_procore_shows_sums_up_the_details():
    closed = ERPRequestDetail(status="failed", state=WorkState.SUCCEEDED)
    closing = ERPRequestDetail(status="success", state=WorkState.PENDING)
    assert erp_request_in_procore([]) == "No request detail yet"
    assert erp_request_in_procore([closed]) == "Closed: failed in Procore"
    assert erp_request_in_procore([closed, closed]) == "Closed: failed in Procore (all 2)"
    assert erp_request_in_procore([closed, closing, closing]) == (
        "1 × Closed: failed in Procore; 2 × Closing out as success"
    )


@pytest.mark.django_db
def test_a_requests_object_links_are_those_it_wrote_back_or_names():
    request = ERPRequestFactory(
        request_data={"vendor": {"id": 9, "origin_id": "G-2", "name": "Named"}},
        external_links=[{"item_type": "vendor", "item_id": 5, "origin_id": "G-1"}],
    )
    written = ObjectLinkFactory(company=request.company, origin_id="G-1")
    named = ObjectLinkFactory(company=request.company, origin_id="G-2")
    ObjectLinkFactory(company=request.company, origin_id="G-3")
    ObjectLinkFactory(origin_id="G-1")  # another company's
    assert set(erp_request_object_links(request)) == {written, named}
    assert not erp_request_object_links(ERPRequestFactory(request_data={})).exists()
