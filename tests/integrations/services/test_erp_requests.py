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
