"""``sync_standard_cost_codes`` and ``sync_standard_categories``: the cost code and cost type
imports run straight into Procore."""

from __future__ import annotations

import pytest

from erp_adapters.demo import seeding
from integrations.models import SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_process
from tests.factories import ERPRequestFactory
from tests.integrations.handlers.conftest import sync_request

pytestmark = pytest.mark.django_db


def test_sync_standard_cost_codes_learns_the_list_id_from_the_request(
    company, connection, procore, make_client
):
    seeding.seed_cost_codes("books")
    connection.standard_cost_code_list_id = None
    connection.save()
    request, detail = sync_request(
        company, "sync_standard_cost_codes", standard_cost_code_list_id=555
    )

    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    connection.refresh_from_db()
    assert connection.standard_cost_code_list_id == 555
    assert detail.status == "success"
    assert detail.messages[0].startswith("Added ") and "standard cost codes" in detail.messages[0]
    assert b'"standard_cost_code_list_id": 555' in procore.mock.calls[-1].request.body


def test_sync_standard_categories_runs_without_a_request_detail(company, procore, make_client):
    seeding.seed_cost_types("books")
    request = ERPRequestFactory(
        company=company, request_name="sync_standard_categories", request_data={"company_id": 1}
    )

    state = erp_request_process(erp_request_id=request.pk, client=make_client())

    assert state == WorkState.SUCCEEDED
    assert len(procore.calls("line_item_types")) == 1
    assert SyncRun.objects.get(erp_request=request).entity == "standard_categories"
