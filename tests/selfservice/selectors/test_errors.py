import pytest

from integrations.models.erp_requests import GaveUpBecause, WorkState
from selfservice.selectors.errors import request_reason
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_dead_request_says_what_it_died_of_and_that_it_heals_by_itself():
    row = factories.ERPRequestFactory(
        state=WorkState.DEAD,
        gave_up_because=GaveUpBecause.ERP,
        attempts=8,
        last_error="Gave up (too old, 8 attempts): ERP timed out",
    )
    reason = request_reason(row)
    assert "because your ERP did not answer" in reason
    assert "retried by itself" in reason and reason.endswith("Last error: ERP timed out")


def test_a_failed_request_prefers_the_messages_the_approver_read():
    row = factories.ERPRequestFactory(state=WorkState.FAILED, last_error="raw")
    row.failed_details = [type("D", (), {"messages": ["Vendor code too long (max 10)."]})()]
    assert (
        request_reason(row)
        == "The ERP or Procore refused this request. Vendor code too long (max 10)."
    )
    row.failed_details = []
    assert request_reason(row).endswith("raw")
