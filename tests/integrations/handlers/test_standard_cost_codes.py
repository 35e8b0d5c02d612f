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


def test_exported_cost_codes_wait_each_for_the_file_erps_answer(
    company, connection, procore, make_client, tmp_path
):
    """A parent and its child exported to a file-exchange ERP: each code is one file and one
    Request Detail in progress; the ERP's answers close each detail with its own outcome."""
    from erp_adapters.files.models import FileExport
    from integrations.models import ERPRequestDetail
    from integrations.models.erp_requests import WorkState
    from integrations.services.erp_answers import erp_answers_collect
    from tests.factories import ERPRequestDetailFactory, ERPRequestFactory

    folders = {name: tmp_path / name for name in ("import", "outbox", "inbox")}
    for path in folders.values():
        path.mkdir()
    (folders["import"] / "cost_codes.csv").write_text("erp_id,code,name\n")
    connection.adapter_key = "files"
    connection.adapter_settings = {f"{n}_folder": str(p) for n, p in folders.items()}
    connection.save()
    items = [
        {
            "id": 11,
            "code": "09",
            "full_code": "09",
            "name": "Finishes",
            "parent_id": None,
            "parent_origin_id": None,
            "request_detail_id": 901,
        },
        {
            "id": 12,
            "code": "200",
            "full_code": "09-200",
            "name": "Plaster",
            "parent_id": 11,
            "parent_origin_id": None,
            "request_detail_id": 902,
        },
    ]
    request = ERPRequestFactory(
        company=company, request_name="create_standard_cost_codes", request_data=items
    )
    for detail_id in (901, 902):
        ERPRequestDetailFactory(erp_request=request, procore_detail_id=detail_id)

    erp_request_process(erp_request_id=request.pk, client=make_client())

    request.refresh_from_db()
    assert request.state == WorkState.WAITING
    details = {d.procore_detail_id: d for d in ERPRequestDetail.objects.filter(erp_request=request)}
    assert {d.status for d in details.values()} == {"in_progress"}
    assert details[902].messages == [
        "09-200 Plaster: Handed to the ERP as cost_codes-12-902-1.csv; waiting for the ERP to "
        "import it and acknowledge."
    ]
    assert sorted(p.name for p in folders["outbox"].iterdir()) == [
        "cost_codes-11-901-1.csv",
        "cost_codes-12-902-1.csv",
    ]

    (folders["inbox"] / "acks.csv").write_text(
        "file,status,erp_id,erp_code,message\n"
        "cost_codes-11-901-1.csv,success,CC-09,09,\n"
        "cost_codes-12-902-1.csv,failed,,,Plaster is not a cost code of this ERP's plan\n"
    )
    assert erp_answers_collect()["requests"] == 1
    erp_request_process(erp_request_id=request.pk, client=make_client())

    request.refresh_from_db()
    assert request.state == WorkState.FAILED
    details = {d.procore_detail_id: d for d in ERPRequestDetail.objects.filter(erp_request=request)}
    assert (details[901].status, details[901].messages) == (
        "success",
        ["Created in the ERP as 09."],
    )
    assert (details[902].status, details[902].messages) == (
        "failed",
        ["09-200 Plaster: The ERP refused it: Plaster is not a cost code of this ERP's plan"],
    )
    assert request.external_links == [
        {"item_type": "standard_cost_code", "item_id": 11, "origin_id": "CC-09"}
    ]
    assert FileExport.objects.count() == 2
