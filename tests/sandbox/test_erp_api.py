"""ERP connection, ERP Requests, Request Details and External Data, over HTTP (§b.1, §i)."""

from __future__ import annotations

from procore_sandbox.models import ProcoreObject
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import vendor_create

CONNECTIONS = "/rest/v1.0/companies/{company_id}/erp_connections"
DETAIL = "/rest/v1.0/companies/{company_id}/erp_request_details/"
EXTERNAL = "/rest/v1.0/companies/{company_id}/external_data/sync"


def _accepted_vendor(company, name="Ace Plumbing"):
    vendor = vendor_create(company=company, name=name)
    request = export_accept(export=export_send(obj=vendor))
    return vendor, request


def test_connection_is_created_once_with_its_standard_cost_code_list(procore):
    created = procore.post(
        CONNECTIONS, {"connection": {"service_url": "https://erp.example", "metadata": {}}}
    )
    again = procore.post(CONNECTIONS, {"connection": {"service_url": "https://erp.example"}})
    assert created.status_code == 201
    assert set(created.json()) == {"id", "standard_cost_code_list_id"}
    assert created.json()["id"] == procore.company_id
    assert again.status_code == 422
    assert "connection" in again.json()["errors"]


def test_metadata_is_updated_with_patch(procore, connected):
    metadata = {"settings": {"labels": {"name": "Sage 300", "id_name": "Sage ID"}}}
    response = procore.patch(CONNECTIONS, {"connection": {"metadata": metadata}})
    assert response.status_code == 200
    assert procore.get(CONNECTIONS).json()["metadata"] == metadata
    assert procore.patch(CONNECTIONS, {"connection": {"metadata": "x"}}).status_code == 422


def test_metadata_update_without_connection_is_404(procore):
    response = procore.patch(CONNECTIONS, {"connection": {"metadata": {}}})
    assert response.status_code == 404


def test_show_erp_request_has_the_documented_shape(procore, connected, company):
    vendor, request = _accepted_vendor(company)
    response = procore.get(f"/rest/v1.0/companies/{{company_id}}/erp_requests/{request.id}")
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {
        "id",
        "company_id",
        "request_name",
        "request_data",
        "created_at",
        "updated_at",
        "integration_app_name",
    }
    assert body["request_name"] == "create_vendor"
    assert body["request_data"]["vendor"]["id"] == vendor.id
    assert body["request_data"]["company_id"] == procore.company_id
    assert isinstance(body["request_data"]["request_detail_id"], int)
    assert body["integration_app_name"] == "ERP Integration"
    missing = procore.get("/rest/v1.0/companies/{company_id}/erp_requests/999999")
    assert missing.status_code == 404


def test_sync_events_carry_a_request_detail_except_standard_categories(connected, company):
    cost_codes, categories = button_press(company=company, button="sync_cost_codes")
    assert (
        cost_codes.request_data["standard_cost_code_list_id"]
        == (connected["standard_cost_code_list_id"])
    )
    assert "request_detail_id" in cost_codes.request_data
    assert categories.request_name == "sync_standard_categories"
    assert categories.request_data == {}
    assert not categories.details.exists()


def test_close_out_one_request_detail(procore, connected, company):
    _, request = _accepted_vendor(company)
    detail_id = request.request_data["request_detail_id"]
    response = procore.patch(
        f"{DETAIL}{detail_id}",
        {"request_detail": {"status": "failed", "messages": ["Vendor code is not unique"]}},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["messages"] == ["Vendor code is not unique"]
    refused = procore.patch(f"{DETAIL}{detail_id}", {"request_detail": {"status": "done"}})
    assert refused.status_code == 422
    assert "status" in refused.json()["errors"]
    assert (
        procore.patch(f"{DETAIL}999999", {"request_detail": {"status": "success"}}).status_code
        == 404
    )


def test_bulk_close_out_reports_errors_per_item(procore, connected, company):
    _, first = _accepted_vendor(company, "One")
    _, second = _accepted_vendor(company, "Two")
    response = procore.patch(
        f"{DETAIL}sync",
        [
            {"id": first.request_data["request_detail_id"], "status": "success", "messages": []},
            {"id": second.request_data["request_detail_id"], "status": "nope"},
            {"id": 999999, "status": "success"},
        ],
    )
    body = response.json()
    assert response.status_code == 200
    assert [e["status"] for e in body["entities"]] == ["success"]
    assert [sorted(e["errors"]) for e in body["errors"]] == [["status"], ["id"]]


def test_request_details_can_be_listed_by_item(procore, connected, company):
    vendor, request = _accepted_vendor(company)
    _accepted_vendor(company, "Other")
    response = procore.get(DETAIL.rstrip("/"), params={"filters[item_id]": vendor.id})
    assert [row["id"] for row in response.json()] == [request.request_data["request_detail_id"]]


def test_external_data_marks_synced_unsyncs_and_keeps_origin_ids_unique(procore, company):
    first = vendor_create(company=company, name="First")
    second = vendor_create(company=company, name="Second")
    marked = procore.patch(
        EXTERNAL, {"updates": [{"item_type": "vendor", "item_id": first.id, "origin_id": "V-1"}]}
    )
    clash = procore.patch(
        EXTERNAL,
        {
            "updates": [
                {"item_type": "vendor", "item_id": second.id, "origin_id": "V-1"},
                {"item_type": "gizmo", "item_id": second.id, "origin_id": "G-1"},
                {"item_type": "project", "item_id": second.id, "origin_id": "P-1"},
            ]
        },
    )
    assert marked.json() == {
        "entities": [
            {
                "id": first.id,
                "item_type": "vendor",
                "item_id": first.id,
                "origin_id": "V-1",
                "origin_data": None,
            }
        ],
        "errors": [],
    }
    assert clash.status_code == 200
    assert [sorted(e["errors"]) for e in clash.json()["errors"]] == [
        ["origin_id"],
        ["item_type"],
        ["item_id"],
    ]
    unsync = procore.patch(
        EXTERNAL, {"updates": [{"item_type": "vendor", "item_id": first.id, "origin_id": None}]}
    )
    assert unsync.json()["entities"][0]["origin_id"] is None
    first.refresh_from_db()
    assert first.origin_id is None


def test_legacy_external_data_path_takes_a_bare_array(procore, company):
    vendor = vendor_create(company=company, name="Legacy")
    response = procore.patch(
        "/rest/v1.0/companies/{company_id}/external_data",
        [{"item_type": "vendor", "item_id": vendor.id, "origin_id": "L-1"}],
    )
    assert response.status_code == 200
    assert ProcoreObject.objects.get(id=vendor.id).origin_id == "L-1"
