"""``sync_standard_categories``: the cost type import runs straight into Procore, with no
Request Detail to close."""

from __future__ import annotations

import pytest

from erp_adapters.demo import seeding
from integrations.models import SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_process
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_sync_standard_categories_runs_without_a_request_detail(company, procore, make_client):
    seeding.seed_cost_types("books")
    request = ERPRequestFactory(
        company=company, request_name="sync_standard_categories", request_data={"company_id": 1}
    )

    state = erp_request_process(erp_request_id=request.pk, client=make_client())

    assert state == WorkState.SUCCEEDED
    assert len(procore.calls("line_item_types")) == 1
    assert SyncRun.objects.get(erp_request=request).entity == "standard_categories"
