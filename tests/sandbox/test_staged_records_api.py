"""Staged Records over HTTP (erp_staged_records.md; paths of §i)."""

from __future__ import annotations

from procore_sandbox.models import StagedRecord
from procore_sandbox.services.objects import project_create

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


def test_legacy_staging_endpoint_stages_records(procore):
    response = procore.patch(
        "/rest/v1.0/erp_vendors/sync",
        {
            "company_id": procore.company_id,
            "updates": [{"name": "Acme Plumbing", "origin_id": "v1", "origin_code": "ACME"}],
        },
    )
    assert response.status_code == 200
    record = StagedRecord.objects.get(origin_id="v1")
    assert (record.item_type, record.data, record.origin_code) == (
        "vendor",
        {"name": "Acme Plumbing"},
        "ACME",
    )


def test_a_record_staged_by_a_concurrent_call_is_updated_not_refused(company, monkeypatch):
    """Two identical syncs at once (a retried batch): the second finds no record when it looks,
    the first then commits it, and the second's insert collides. Procore upserts by origin_id,
    so the second call updates that record instead of refusing the item."""
    from procore_sandbox.services import staged_records as service

    service.staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-7", "data": {"name": "Old name"}}],
    )
    real_find = service._Batch.find
    looked = []

    def find_before_the_other_commit(self, item_type, origin_id):
        if not looked:  # the first look-up happened before the other call committed
            looked.append(origin_id)
            self.records[(item_type, origin_id)] = None
        return real_find(self, item_type, origin_id)

    monkeypatch.setattr(service._Batch, "find", find_before_the_other_commit)
    result = service.staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-7", "data": {"name": "New name"}}],
    )

    assert looked == ["V-7"]
    assert result["errors"] == []
    assert [e["origin_id"] for e in result["entities"]] == ["V-7"]
    assert StagedRecord.objects.get(origin_id="V-7").data["name"] == "New name"
