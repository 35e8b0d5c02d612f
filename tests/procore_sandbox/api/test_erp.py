"""ERP connection, ERP Requests, Request Details, External Data and Staged Records, over HTTP
(§b.1, §i; erp_staged_records.md)."""

from __future__ import annotations

from procore_sandbox.models import ProcoreObject, StagedRecord
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import project_create, vendor_create

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


# -- Staged Records (erp_staged_records.md; paths of §i) -----------------------------------------

RECORDS = "/rest/v1.0/companies/{company_id}/staged_records"


def _sync(procore, updates):
    response = procore.patch(RECORDS + "/sync", {"updates": updates})
    assert response.status_code == 200, response.text
    return response.json()


def test_create_one_record(procore):
    response = procore.post(
        RECORDS,
        {
            "item_type": "vendor",
            "origin_id": "V-1",
            "origin_code": "ACE",
            "status": "staged",
            "data": {"name": "Ace Plumbing"},
        },
    )
    body = response.json()
    assert response.status_code == 201
    assert (body["item_type"], body["origin_id"], body["status"]) == ("vendor", "V-1", "staged")
    again = procore.post(RECORDS, {"item_type": "vendor", "origin_id": "V-1", "data": {}})
    assert again.status_code == 422
    assert again.json()["errors"] == {"origin_id": ["has already been taken"]}


def test_project_level_records_need_a_known_project_origin_id(procore):
    missing = procore.post(RECORDS, {"item_type": "sub_job", "origin_id": "SJ-1", "data": {}})
    unknown = procore.post(
        RECORDS,
        {"item_type": "sub_job", "origin_id": "SJ-1", "data": {"project_origin_id": "P-X"}},
    )
    assert missing.status_code == 422
    assert missing.json()["errors"] == {"data.project_origin_id": ["can't be blank"]}
    assert unknown.status_code == 422
    procore.post(RECORDS, {"item_type": "project", "origin_id": "P-1", "data": {"name": "T"}})
    staged_project = procore.post(
        RECORDS,
        {"item_type": "sub_job", "origin_id": "SJ-1", "data": {"project_origin_id": "P-1"}},
    )
    assert staged_project.status_code == 201


def test_change_orders_need_a_commitment_origin_id(procore, company):
    project = project_create(company=company, name="Tower")
    project.origin_id = "P-1"
    project.save()
    body = _sync(
        procore,
        [
            {
                "item_type": "commitment_change_order",
                "origin_id": "CCO-1",
                "data": {"project_origin_id": "P-1"},
            }
        ],
    )
    assert body["errors"][0]["errors"] == {"data.commitment_origin_id": ["can't be blank"]}


def test_sync_creates_parents_and_children_in_one_call(procore):
    body = _sync(
        procore,
        [
            {"item_type": "project", "origin_id": "P-1", "data": {"name": "Tower"}},
            {
                "item_type": "work_order_contract",
                "origin_id": "SC-1",
                "data": {"project_origin_id": "P-1", "title": "Framing"},
                "children": [{"origin_id": "SC-1-L1", "data": {"amount": "1000.0"}}],
            },
            {
                "item_type": "line_item",
                "origin_id": "SC-1-L2",
                "parent_origin_id": "SC-1",
                "data": {"amount": "500.0"},
            },
            {"item_type": "line_item", "origin_id": "L-orphan", "data": {}},
            {"item_type": "line_item", "origin_id": "L-bad", "parent_origin_id": "P-1", "data": {}},
        ],
    )
    parent = StagedRecord.objects.get(origin_id="SC-1")
    assert sorted(parent.children.values_list("origin_id", flat=True)) == ["SC-1-L1", "SC-1-L2"]
    assert [e["origin_id"] for e in body["entities"]] == ["P-1", "SC-1", "SC-1-L1", "SC-1-L2"]
    assert [list(e["errors"]) for e in body["errors"]] == [["parent_id"], ["parent_origin_id"]]


def test_sync_upserts_by_origin_id_and_restages_children(procore):
    tree = [
        {"item_type": "project", "origin_id": "P-1", "data": {"name": "Tower"}},
        {
            "item_type": "purchase_order_contract",
            "origin_id": "PO-1",
            "data": {"project_origin_id": "P-1", "title": "Steel"},
            "children": [
                {"origin_id": "PO-1-L1", "data": {"amount": "1"}},
                {"origin_id": "PO-1-L2", "status": "archived", "data": {"amount": "2"}},
            ],
        },
    ]
    _sync(procore, tree)
    _sync(
        procore,
        [{"item_type": "purchase_order_contract", "origin_id": "PO-1", "status": "invalid"}],
    )
    StagedRecord.objects.filter(origin_id="PO-1-L1").update(status="invalid")
    body = _sync(
        procore, [{"item_type": "purchase_order_contract", "origin_id": "PO-1", "status": "staged"}]
    )
    statuses = dict(StagedRecord.objects.values_list("origin_id", "status"))
    assert body["entities"][0]["data"]["title"] == "Steel"
    assert statuses["PO-1-L1"] == "staged"
    assert statuses["PO-1-L2"] == "archived"
    assert StagedRecord.objects.filter(origin_id="PO-1").count() == 1


def test_invalid_status_and_item_type_are_item_errors(procore):
    body = _sync(
        procore,
        [
            {"item_type": "vendor", "origin_id": "V-1", "status": "done", "data": {}},
            {"item_type": "spaceship", "origin_id": "S-1", "data": {}},
        ],
    )
    assert [list(e["errors"]) for e in body["errors"]] == [["status"], ["item_type"]]


def test_list_filters_by_item_type_and_paginates(procore):
    _sync(
        procore,
        [
            {"item_type": "vendor", "origin_id": f"V-{i}", "data": {"name": f"V{i}"}}
            for i in range(3)
        ]
        + [{"item_type": "project", "origin_id": "P-1", "data": {"name": "Tower"}}],
    )
    page = procore.get(RECORDS, params={"item_type": "vendor", "per_page": 2, "page": 1})
    assert [r["origin_id"] for r in page.json()] == ["V-0", "V-1"]
    assert page.headers["Total"] == "3"
    assert procore.get(RECORDS, params={"item_type": "nope"}).status_code == 422


def test_put_updates_one_record(procore):
    created = procore.post(RECORDS, {"item_type": "vendor", "origin_id": "V-1", "data": {}}).json()
    response = procore.put(
        f"{RECORDS}/{created['id']}", {"status": "archived", "data": {"name": "Gone"}}
    )
    assert response.json()["status"] == "archived"
    assert procore.put(f"{RECORDS}/999999", {"status": "staged"}).status_code == 404


def test_sync_caps_the_batch(procore, settings):
    settings.PROCORE_SANDBOX = {"sync_batch_limit": 2}
    response = procore.patch(
        RECORDS + "/sync",
        {"updates": [{"item_type": "vendor", "origin_id": f"V-{i}", "data": {}} for i in range(3)]},
    )
    assert response.status_code == 422
