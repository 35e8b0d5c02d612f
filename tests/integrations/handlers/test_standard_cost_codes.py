"""``sync_standard_cost_codes``: the standard cost code import runs straight into Procore."""

from __future__ import annotations

import pytest

from erp_adapters.demo import seeding
from integrations.services.erp_requests import erp_request_process
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
