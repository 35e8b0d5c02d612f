"""``manage.py sandbox``: jobs and their cost structure, and the ERP tool's other buttons, from
the command line, with the ids a script needs in the JSON it prints."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procore_sandbox.models import App, Company, ErpRequest, ProcoreObject, StagedRecord
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.staged_records import staged_records_sync

pytestmark = pytest.mark.django_db


def sandbox(*args: str) -> dict:
    out = io.StringIO()
    call_command("sandbox", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def co() -> list[str]:
    company_id = sandbox(
        "company-create", "--name", "Acme", "--client-id", "c", "--client-secret", "s"
    )["company_id"]
    erp_connection_create(
        company=Company.objects.get(id=company_id),
        app=App.objects.get(client_id="c"),
        service_url="",
        metadata={},
    )
    return ["--company", str(company_id)]


def synced(object_id: int, origin_id: str) -> None:
    ProcoreObject.objects.filter(id=object_id).update(origin_id=origin_id)


def test_cost_structure_and_a_budget_export_from_the_command_line(co):
    project = sandbox("project-create", *co, "--name", "Tower", "--cost-code", "01 Site")
    sub_job = sandbox(
        "sub-job-create", *co, "--project", str(project["id"]), "--name", "Floor 5", "--code", "5"
    )
    added = sandbox(
        "cost-code-add", *co, "--object", str(sub_job["id"]), "--code", "02", "--name", "Demo"
    )
    code = str(project["cost_codes"][0]["id"])
    assigned = sandbox("cost-type-assign", *co, "--cost-code", code, "--cost-type", "L")
    job_cost = sandbox(
        "job-cost-set", *co, "--cost-code", code, "--cost-type", "L", "--original-estimate", "90"
    )
    budget = sandbox("budget-create", *co, "--project", str(project["id"]))
    line = sandbox(
        "budget-line-set", *co, "--budget", str(budget["id"]), "--cost-code", code,
        "--cost-type", "L", "--amount", "120",
    )  # fmt: skip
    assert [c["code"] for c in sub_job["cost_codes"]] == ["01"]
    assert added["sub_job_id"] == sub_job["id"]
    assert (assigned["synced"], job_cost["original_estimate"]) == (False, "90.00")
    assert line["amount"] == "120.00"
    synced(project["id"], "JOB-1")
    sent = sandbox("send-to-erp", *co, "--object", str(budget["id"]))
    accepted = sandbox("export-accept", *co, "--object", str(budget["id"]))
    request = ErpRequest.objects.get(id=accepted["erp_request_id"])
    assert sent["request_name"] == accepted["request_name"] == "create_budget"
    assert [t["value"] for t in request.request_data["transactions"]] == [120.0]


def test_erp_tool_buttons_from_the_command_line(co):
    project = sandbox("project-create", *co, "--name", "Tower", "--cost-code", "01 Site")
    synced(project["id"], "JOB-1")
    code = str(project["cost_codes"][0]["id"])
    synced(int(code), "CC-1")
    sandbox("job-cost-set", *co, "--cost-code", code, "--cost-type", "L", "--estimate", "5")
    single = sandbox("sync-job", *co, "--object", str(project["id"]))
    asked = sandbox("cost-codes-delete", *co, "--cost-code", code)
    imported = sandbox("budget-import", *co, "--project", str(project["id"]))
    with pytest.raises(CommandError, match="used by a budget"):
        sandbox("cost-codes-delete", *co, "--cost-code", code)
    parent = sandbox("std-cost-code-create", *co, "--code", "01", "--name", "General")
    exported = sandbox("std-cost-codes-export", *co)
    reset = sandbox("super-user", *co, "reset-job", "--item", str(project["id"]))
    assert (single["request_name"], single["request_detail_ids"]) == ("sync_single_job", [])
    assert imported["request_name"] == "create_budget_in_procore"
    assert ProcoreObject.objects.get(id=imported["budget_id"]).item_type == "budget"
    assert (asked["request_name"], asked["deleted"], len(asked["request_detail_ids"])) == (
        "delete_cost_codes",
        0,
        1,
    )
    assert parent["full_code"] == "01"
    assert exported["request_name"] == "create_standard_cost_codes"
    assert len(exported["request_detail_ids"]) == 1
    assert reset["request_name"] == "reset_job"
    assert ProcoreObject.objects.get(id=project["id"]).origin_id is None
    with pytest.raises(CommandError, match="not synced with the ERP"):
        sandbox("unlink", *co, "--object", str(project["id"]))


def test_vendor_link_merge_and_unlink_from_the_command_line(co):
    company = Company.objects.get(id=int(co[1]))
    ace = sandbox("vendor-create", *co, "--name", "Ace")["id"]
    bolt = sandbox("vendor-create", *co, "--name", "Bolt")["id"]
    staged_records_sync(
        company=company,
        updates=[{"item_type": "vendor", "origin_id": "V-A", "data": {"name": "Ace ERP"}}],
    )
    record = StagedRecord.objects.get(origin_id="V-A")
    linked = sandbox("link-vendor", *co, "--record", str(record.id), "--vendor", str(ace))
    merged = sandbox("merge-vendors", *co, "--keep", str(ace), "--merge", str(bolt))
    unlinked = sandbox("unlink", *co, "--object", str(ace))
    assert linked["request_name"] == "link_vendor"
    assert merged["request_name"] == "merge_vendors"
    assert ErpRequest.objects.get(id=merged["erp_request_id"]).request_data["source_vendors"] == []
    assert unlinked["request_name"] == "unlink_vendor"
    with pytest.raises(CommandError, match="No staged ERP vendor"):
        sandbox("link-all-vendors", *co)
    project = sandbox("project-create", *co, "--name", "Tower")["id"]
    sub_job = str(
        sandbox("sub-job-create", *co, "--project", str(project), "--name", "F", "--code", "F")[
            "id"
        ]
    )
    with pytest.raises(CommandError, match="one --item"):
        sandbox("super-user", *co, "reset-sub-job", "--item", sub_job, "--item", sub_job)
