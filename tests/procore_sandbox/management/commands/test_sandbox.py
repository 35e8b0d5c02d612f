"""``manage.py sandbox ACTION``: every button from the command line, with parseable output."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procore_sandbox.models import ErpRequest, ProcoreObject, SandboxSetting, StagedRecord
from procore_sandbox.services.erp import erp_connection_create
from procore_sandbox.services.staged_records import staged_records_sync

pytestmark = pytest.mark.django_db


def sandbox(*args: str) -> dict:
    out = io.StringIO()
    call_command("sandbox", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def company_id() -> int:
    company_id = sandbox("company-create", "--name", "Acme")["company_id"]
    sandbox("app-install", "--company", str(company_id), "--client-id", "c", "--client-secret", "s")
    from procore_sandbox.models import App, Company

    erp_connection_create(
        company=Company.objects.get(id=company_id),
        app=App.objects.get(client_id="c"),
        service_url="",
        metadata={},
    )
    return company_id


def test_export_flow_from_the_command_line(company_id):
    co = ["--company", str(company_id)]
    vendor = sandbox("vendor-create", *co, "--name", "Ace Plumbing")
    project = sandbox(
        "project-create", *co, "--name", "Tower", "--cost-code", "01-100 General Conditions"
    )
    sent = sandbox("send-to-erp", *co, "--object", str(vendor["id"]))
    accepted = sandbox("export-accept", *co, "--object", str(vendor["id"]))
    request = ErpRequest.objects.get(id=accepted["erp_request_id"])
    assert project["cost_codes"][0]["code"] == "01-100"
    assert sent["request_name"] == "create_vendor"
    assert accepted["request_detail_id"] == request.request_data["request_detail_id"]
    ProcoreObject.objects.filter(id__in=[vendor["id"], project["id"]]).update(origin_id="E-1")
    commitment = sandbox(
        "commitment-create",
        *co,
        "--project",
        str(project["id"]),
        "--vendor",
        str(vendor["id"]),
        "--type",
        "subcontract",
        "--title",
        "Plumbing rough-in",
        "--line",
        "01-100:L:1500:Labor",
    )
    assert commitment["item_type"] == "work_order_contract"
    assert commitment["line_items"][0]["amount"] == "1500.00"
    change_order = sandbox(
        "change-order-create",
        *co,
        "--commitment",
        str(commitment["id"]),
        "--title",
        "Extra fixtures",
        "--line",
        f"{commitment['line_items'][0]['id']}:250",
    )
    assert change_order["item_type"] == "change_order"
    sandbox("send-to-erp", *co, "--object", str(commitment["id"]))
    rejected = sandbox("export-reject", *co, "--object", str(commitment["id"]), "--reason", "No")
    assert rejected["status"] == "rejected"
    shown = sandbox("show", *co)
    states = {o["id"]: o["erp_state"] for o in shown["objects"]}
    assert states[commitment["id"]] == "rejected"


def test_press_and_approve(company_id):
    co = ["--company", str(company_id)]
    pressed = sandbox("press", *co, "sync-cost-codes")
    names = [r["request_name"] for r in pressed["erp_requests"]]
    assert names == ["sync_standard_cost_codes", "sync_standard_categories"]
    assert pressed["erp_requests"][1]["request_detail_id"] is None
    from procore_sandbox.models import Company

    staged_records_sync(
        company=Company.objects.get(id=company_id),
        updates=[{"item_type": "vendor", "origin_id": "V-9", "data": {"name": "Bolt"}}],
    )
    approved = sandbox("staged-approve", *co, "--origin-id", "V-9", "--item-type", "vendor")
    assert approved["origin_id"] == "V-9"
    assert approved["request_name"] == "create_vendor_in_procore"
    assert StagedRecord.objects.get().status == "imported"


def test_locked_edit_and_errors_exit_nonzero(company_id):
    co = ["--company", str(company_id)]
    vendor = sandbox("vendor-create", *co, "--name", "Ace")
    edited = sandbox("object-edit", *co, "--object", str(vendor["id"]), "--set", "city=Austin")
    assert edited["city"] == "Austin"
    ProcoreObject.objects.filter(id=vendor["id"]).update(origin_id="V-1")
    with pytest.raises(CommandError, match="locked"):
        sandbox("object-edit", *co, "--object", str(vendor["id"]), "--set", "city=Dallas")
    with pytest.raises(CommandError, match="No company"):
        sandbox("vendor-create", "--company", "1", "--name", "X")


def test_configure_sets_and_resets_knobs():
    values = sandbox("configure", "--set", "fault_503_share=0.5", "--set", "latency_ms=20")
    assert (values["fault_503_share"], values["latency_ms"]) == (0.5, 20)
    assert sandbox("configure", "--reset")["fault_503_share"] == 0.0
    assert not SandboxSetting.objects.exists()
    with pytest.raises(CommandError, match="Unknown setting"):
        sandbox("configure", "--set", "nope=1")


def test_company_create_with_an_id_can_be_rerun():
    first = sandbox("company-create", "--name", "Demo", "--id", "4271122", "--exist-ok")
    again = sandbox("company-create", "--name", "Demo", "--id", "4271122", "--exist-ok")
    assert (first["created"], again["created"]) == (True, False)
    with pytest.raises(CommandError, match="already exists"):
        sandbox("company-create", "--name", "Demo", "--id", "4271122")


def test_company_create_can_install_the_app_in_one_step():
    from procore_sandbox.models import Installation

    made = sandbox("company-create", "--name", "One", "--client-id", "c1", "--client-secret", "s")
    assert Installation.objects.get(app__client_id="c1").company_id == made["company_id"]


def test_human_output_is_key_value_lines():
    out = io.StringIO()
    call_command("sandbox", "company-create", "--name", "Plain", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("company_id: ")
