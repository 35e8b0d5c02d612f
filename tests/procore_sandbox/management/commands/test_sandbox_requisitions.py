"""``manage.py sandbox``: subcontractor invoices and payments from the command line: write an
invoice on a commitment, export invoices in a batch, record a payment, and the Super User
resets, each printing the ids a script needs."""

from __future__ import annotations

import pytest

from procore_sandbox.models import ErpRequest, ProcoreObject
from tests.procore_sandbox.management.commands.test_sandbox_jobs import (  # noqa: F401
    co,
    sandbox,
    synced,
)

pytestmark = pytest.mark.django_db


def test_invoices_and_payments_from_the_command_line(co):  # noqa: F811
    project = sandbox("project-create", *co, "--name", "Tower", "--cost-code", "01 Site")
    vendor = sandbox("vendor-create", *co, "--name", "Acme Concrete")
    synced(project["id"], "JOB-1")
    synced(vendor["id"], "V-1")
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
        "Concrete",
        "--line",
        "01:L:1000",
    )
    synced(commitment["id"], "SC-1")
    (line,) = ProcoreObject.objects.filter(parent_id=commitment["id"], item_type="line_item")

    invoice = sandbox(
        "invoice-create", *co, "--commitment", str(commitment["id"]), "--line", f"{line.id}:400:40"
    )
    assert invoice["invoice_number"] == "SC-001-1"
    exported = sandbox("invoices-export", *co, "--invoice", str(invoice["id"]))
    assert exported["request_name"] == "create_requisitions"
    assert len(exported["request_detail_ids"]) == 1

    payment = sandbox("payment-create", *co, "--invoice", str(invoice["id"]), "--amount", "360")
    assert payment["amount"] == "360.00"
    synced(payment["id"], "PAY-1")
    reset = sandbox("payment-reset", *co, "--payment", str(payment["id"]))
    assert (reset["request_name"], reset["request_detail_ids"]) == ("reset_payment", [])

    synced(invoice["id"], "REQ-1")
    reset = sandbox("invoice-reset", *co, "--invoice", str(invoice["id"]))
    assert reset["request_name"] == "reset_requisition"
    assert (
        ErpRequest.objects.get(id=reset["erp_request_id"]).request_data["requisition_origin_id"]
        == "REQ-1"
    )
