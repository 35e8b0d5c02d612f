"""Sync actions (tutorials/using_sync_actions.md) over HTTP: matching by id, origin_id, both or
neither; per-item errors with a 200; origin_id unique per company; at most 1000 items."""

from __future__ import annotations

from procore_sandbox.models import ProcoreObject, StagedRecord
from procore_sandbox.services.objects import project_create

VENDORS_SYNC = "/rest/v1.0/vendors/sync"


def _sync(procore, path, updates, **extra):
    body = {"company_id": procore.company_id, "updates": updates, **extra}
    response = procore.patch(path, body)
    assert response.status_code == 200, response.text
    return response.json()


def test_neither_id_nor_origin_id_creates_without_origin(procore):
    body = _sync(procore, VENDORS_SYNC, [{"name": "Plain Vendor"}])
    assert body["errors"] == []
    assert body["entities"][0]["name"] == "Plain Vendor"
    assert body["entities"][0]["origin_id"] is None


def test_origin_id_upserts(procore):
    created = _sync(procore, VENDORS_SYNC, [{"origin_id": "V-1", "name": "Ace"}])["entities"][0]
    updated = _sync(procore, VENDORS_SYNC, [{"origin_id": "V-1", "name": "Ace Plumbing"}])
    assert updated["entities"][0]["id"] == created["id"]
    assert updated["entities"][0]["name"] == "Ace Plumbing"
    listed = procore.get("/rest/v1.0/vendors", params={"company_id": procore.company_id})
    assert [v["name"] for v in listed.json()] == ["Ace Plumbing"]


def test_unknown_id_is_an_item_error_and_the_rest_still_applies(procore):
    body = _sync(procore, VENDORS_SYNC, [{"id": 0, "name": "Ghost"}, {"name": "Real"}])
    assert body["errors"] == [
        {"id": 0, "name": "Ghost", "errors": {"id": ["Entity with this ID not found"]}}
    ]
    assert [e["name"] for e in body["entities"]] == ["Real"]


def test_id_and_origin_id_change_the_origin_id(procore):
    created = _sync(procore, VENDORS_SYNC, [{"origin_id": "OLD", "name": "Ace"}])["entities"][0]
    body = _sync(procore, VENDORS_SYNC, [{"id": created["id"], "origin_id": "NEW"}])
    assert body["entities"][0]["origin_id"] == "NEW"
    assert body["entities"][0]["name"] == "Ace"


def test_origin_id_is_unique_per_company(procore):
    first = _sync(procore, VENDORS_SYNC, [{"origin_id": "V-1", "name": "A"}])["entities"][0]
    second = _sync(procore, VENDORS_SYNC, [{"origin_id": "V-2", "name": "B"}])["entities"][0]
    body = _sync(procore, VENDORS_SYNC, [{"id": second["id"], "origin_id": "V-1"}])
    assert body["entities"] == []
    assert body["errors"][0]["errors"] == {"origin_id": ["has already been taken"]}
    assert first["origin_id"] == "V-1"


def test_origin_id_is_unique_across_projects(procore, company):
    one = project_create(company=company, name="One", cost_codes=[("01", "Site")])
    two = project_create(company=company, name="Two", cost_codes=[("01", "Site")])
    path = "/rest/v1.0/cost_codes/sync"
    first = procore.patch(
        path,
        {"updates": [{"origin_id": "CC-1", "code": "02", "name": "Demo"}]},
        params={"project_id": one.id},
    )
    clash = procore.patch(
        path,
        {"updates": [{"origin_id": "CC-1", "code": "02", "name": "Demo"}]},
        params={"project_id": two.id},
    )
    assert first.json()["errors"] == []
    assert first.json()["entities"][0]["project_id"] == one.id
    assert clash.json()["errors"][0]["errors"] == {
        "origin_id": ["has already been taken in another project"]
    }


def test_missing_required_fields_are_item_errors(procore):
    body = _sync(procore, VENDORS_SYNC, [{"origin_id": "V-9"}])
    assert body["errors"][0]["errors"] == {"name": ["can't be blank"]}


def test_more_than_the_batch_limit_is_refused(procore, settings):
    settings.PROCORE_SANDBOX = {"sync_batch_limit": 5}
    response = procore.patch(
        VENDORS_SYNC,
        {"company_id": procore.company_id, "updates": [{"name": f"V{i}"} for i in range(6)]},
    )
    assert response.status_code == 422
    assert "at most 5" in response.json()["errors"]["updates"][0]


def test_a_thousand_items_are_accepted_in_one_call(procore):
    updates = [{"origin_id": f"V-{i}", "name": f"Vendor {i}"} for i in range(1000)]
    body = _sync(procore, VENDORS_SYNC, updates)
    assert len(body["entities"]) == 1000
    assert body["errors"] == []
    too_many = procore.patch(
        VENDORS_SYNC, {"company_id": procore.company_id, "updates": [*updates, {"name": "x"}]}
    )
    assert too_many.status_code == 422


def test_company_id_is_required_and_must_be_the_headers(procore):
    missing = procore.patch(VENDORS_SYNC, {"updates": []})
    other = procore.patch(VENDORS_SYNC, {"company_id": 1, "updates": []})
    assert missing.status_code == 400
    assert other.status_code == 403


def test_standard_cost_codes_sync_into_the_connections_list(procore, connected):
    list_id = connected["standard_cost_code_list_id"]
    body = _sync(
        procore,
        "/rest/v1.0/standard_cost_codes/sync",
        [
            {"origin_id": "D01", "code": "01", "name": "General"},
            {
                "origin_id": "D01-100",
                "code": "100",
                "name": "Supervision",
                "parent_origin_id": "D01",
            },
            {"origin_id": "X", "code": "9", "name": "Orphan", "parent_origin_id": "nope"},
        ],
        standard_cost_code_list_id=list_id,
    )
    assert [e["full_code"] for e in body["entities"]] == ["01", "01-100"]
    assert body["entities"][1]["standard_cost_code_list_id"] == list_id
    assert body["errors"][0]["errors"] == {"parent_origin_id": ["Parent not found"]}
    wrong = procore.patch(
        "/rest/v1.0/standard_cost_codes/sync",
        {"company_id": procore.company_id, "standard_cost_code_list_id": 0, "updates": []},
    )
    assert wrong.status_code == 404


def test_line_item_types_take_the_csv_import_code(procore):
    body = _sync(
        procore,
        "/rest/v1.0/line_item_types/sync",
        [{"origin_id": "CT-M", "name": "Material", "csv_import_code": "MAT"}],
    )
    assert body["entities"][0]["code"] == "MAT"


def test_cost_type_assignments_match_on_the_pair(procore, company):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    code = project.project_objects.get(item_type="cost_code")
    cost_type = company.procore_objects.filter(item_type="line_item_type").first()
    path = "/rest/v1.0/cost_code_line_item_types/sync"
    update = {"cost_code_id": code.id, "line_item_type_id": cost_type.id, "synced": True}
    first = procore.patch(path, {"updates": [update]}, params={"project_id": project.id}).json()
    again = procore.patch(path, {"updates": [update]}, params={"project_id": project.id}).json()
    bad = procore.patch(
        path,
        {"updates": [{"cost_code_id": 0, "line_item_type_id": cost_type.id}]},
        params={"project_id": project.id},
    ).json()
    assert first["entities"][0]["id"] == again["entities"][0]["id"]
    assert again["entities"][0]["synced"] is True
    assert bad["errors"][0]["errors"] == {"cost_code_id": ["Cost code not found in this project"]}
    assert procore.patch(path, {"updates": []}).status_code == 400


def test_job_costs_sync_by_job_origin_id(procore, company):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    project.origin_id = "JOB-1"
    project.save()
    code = project.project_objects.get(item_type="cost_code")
    cost_type = company.procore_objects.filter(item_type="line_item_type").first()
    body = _sync(
        procore,
        "/rest/v1.0/erp_job_costs/sync",
        [{"cost_code_id": code.id, "line_item_type_id": cost_type.id, "estimate": 1000}],
        job_origin_id="JOB-1",
    )
    assert body["entities"][0]["estimate"] == 1000
    assert body["entities"][0]["project_id"] == project.id


def test_project_update_and_configuration(procore, company):
    project = project_create(company=company, name="Tower")
    patched = procore.patch(f"/rest/v1.0/projects/{project.id}", {"project": {"name": "Tower B"}})
    configuration = procore.patch(
        f"/rest/v1.0/projects/{project.id}/configuration",
        {"configuration": {"erp_job_cost_transaction_syncing_enabled": True}},
    )
    assert patched.json()["name"] == "Tower B"
    assert configuration.json() == {"erp_job_cost_transaction_syncing_enabled": True}


def test_lists_paginate_with_procores_headers(procore):
    _sync(procore, VENDORS_SYNC, [{"name": f"V{i}"} for i in range(5)])
    page = procore.get(
        "/rest/v1.0/vendors", params={"company_id": procore.company_id, "page": 2, "per_page": 2}
    )
    assert [v["name"] for v in page.json()] == ["V2", "V3"]
    assert page.headers["Total"] == "5"
    assert page.headers["Per-Page"] == "2"
    assert 'rel="next"' in page.headers["Link"]
    assert 'rel="prev"' in page.headers["Link"]


def test_the_other_sync_endpoints(procore, company, connected):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    in_project = {"project_id": project.id}
    sub_jobs = procore.patch(
        "/rest/v1.0/sub_jobs/sync",
        {"updates": [{"origin_id": "SJ-1", "name": "Phase 1", "code": "P1"}]},
        params=in_project,
    ).json()
    insurances = _sync(procore, "/rest/v1.0/insurances/sync", [{"name": "General liability"}])
    # A payment belongs to a subcontractor invoice of the company (issue 11).
    invoice = ProcoreObject.objects.create(company=company, item_type="requisition", data={})
    payments = procore.patch(
        "/rest/v1.0/companies/{company_id}/invoice_payments/sync",
        {
            "updates": [
                {
                    "invoice_type": "Billings::Requisition",
                    "invoice_id": invoice.id,
                    "origin_id": "PAY-1",
                },
                {"origin_id": "PAY-2"},
                {"invoice_type": "Billings::Requisition", "invoice_id": 0, "origin_id": "PAY-3"},
            ]
        },
    ).json()
    transactions = procore.patch(
        "/rest/v1.0/erp_transactions/sync",
        {"project_id": project.id, "updates": [{"id": 1, "origin_id": "T-1", "synced": True}]},
    ).json()
    assert sub_jobs["entities"][0]["project_id"] == project.id
    assert insurances["entities"][0]["name"] == "General liability"
    assert [e["origin_id"] for e in payments["entities"]] == ["PAY-1"]
    assert payments["errors"][0]["errors"] == {
        "invoice_type": ["can't be blank"],
        "invoice_id": ["can't be blank"],
    }
    assert payments["errors"][1]["errors"] == {"invoice_id": ["Invoice not found"]}
    assert transactions["errors"][0]["errors"] == {"id": ["Entity with this ID not found"]}


def test_lists_and_deletes(procore, company, connected):
    project = project_create(company=company, name="Tower", cost_codes=[("01", "Site")])
    codes = procore.get("/rest/v1.0/cost_codes", params={"project_id": project.id}).json()
    types = procore.get("/rest/v1.0/line_item_types", params={"company_id": company.id}).json()
    standard = _sync(
        procore,
        "/rest/v1.0/standard_cost_codes/sync",
        [{"origin_id": "S-1", "code": "01", "name": "General"}],
        standard_cost_code_list_id=connected["standard_cost_code_list_id"],
    )["entities"][0]
    listed = procore.get(
        "/rest/v1.0/standard_cost_codes",
        params={"standard_cost_code_list_id": connected["standard_cost_code_list_id"]},
    ).json()
    assert [c["code"] for c in codes] == ["01"]
    assert sorted(t["code"] for t in types) == ["E", "L", "M", "O", "S"]
    assert [s["id"] for s in listed] == [standard["id"]]
    assert procore.delete(f"/rest/v1.0/cost_codes/{codes[0]['id']}").status_code == 204
    assert procore.delete(f"/rest/v1.0/standard_cost_codes/{standard['id']}").status_code == 204
    assert procore.delete(f"/rest/v1.0/cost_codes/{codes[0]['id']}").status_code == 404
    assert procore.get("/rest/v1.0/cost_codes", params={"project_id": project.id}).json() == []
    assert procore.get("/rest/v1.0/me").json()["name"] == "ERP Integration"


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
