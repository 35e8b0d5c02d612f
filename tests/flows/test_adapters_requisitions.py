"""A subcontractor invoice exported through each real-ERP adapter and a payment the ERP recorded
synced back to Procore, end to end over real HTTP against the local Procore sandbox: the sample
SQL ERP (SQLite) and the sample file-exchange ERP (its CSV files, the demo's stand-in for the
ERP's importer answering).

The invoice bills SC-001, one of the sample ERP's own commitments, already linked in Procore
(the commitment and its lines carry the ERP's ids, as an import leaves them). The sample ERP has
an invoice of its own on SC-001's first line (INV-1001), so what Procore may still bill there is
the ERP's to say.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from erp_adapters import money
from erp_adapters.base import Entity
from integrations.models import ObjectLink
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ProcoreObject
from tests.flows.conftest import detail_of
from tests.flows.test_adapters_end_to_end import (  # noqa: F401 - the sample ERPs
    SampleERP,
    _deliver_and_work,
    erp,
)

pytestmark = pytest.mark.django_db(transaction=True)

# SC-001 of each sample ERP, and what its invoice INV-1001 billed of the first line.
SAMPLE_COMMITMENT = {"sql": "9bacd968-6298-5f1f-a9a6-41c83d3d18b4", "files": "SC-1001-01"}
SAMPLE_BILLED = {"sql": Decimal("5000.00"), "files": Decimal("25000.00")}


def _linked_commitment(source: SampleERP, company) -> tuple[ProcoreObject, list[ProcoreObject]]:
    """SC-001 in Procore as importing it leaves it: its project, vendor, lines and ids."""
    from procore_sandbox.services.objects import (
        CommitmentLine,
        commitment_create,
        project_create,
        vendor_create,
    )

    sample = next(
        c for c in source.listed(Entity.COMMITMENTS) if c.origin_id == SAMPLE_COMMITMENT[source.key]
    )
    project = project_create(company=company, name="Sample job")
    vendor = vendor_create(company=company, name="Sample vendor")
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=sample.data["project_origin_id"])
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=sample.data["vendor_origin_id"])
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    cost_type = ProcoreObject.objects.filter(company=company, item_type="line_item_type").first()
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind="work_order_contract",
        title="Sample subcontract",
        number=sample.origin_code,
        lines=[
            CommitmentLine(code.id, cost_type.id, line.data["amount"], description=f"Line {n}")
            for n, line in enumerate(sample.children, start=1)
        ],
    )
    ProcoreObject.objects.filter(pk=commitment.pk).update(origin_id=sample.origin_id)
    commitment.refresh_from_db()
    lines = list(
        ProcoreObject.objects.filter(parent=commitment, item_type="line_item").order_by("id")
    )
    for line, erp_line in zip(lines, sample.children, strict=True):
        ProcoreObject.objects.filter(pk=line.pk).update(origin_id=erp_line.origin_id)
    return commitment, lines


def _record_erp_payment(sample: SampleERP, tmp_path, invoice_origin_id: str, amount: str) -> None:
    """The ERP's accountant pays the invoice (a row in the ERP's books)."""
    if sample.key == "sql":
        engine = create_engine(sample.settings["url"])
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO payments (payment_id, requisition_id, payment_number, amount, "
                    "paid_on, check_number, method, status) VALUES ('pay-e2e-1', :r, "
                    "'PAY-00002', :amount, '2026-12-01', '7001', 'check', 'Posted')"
                ),
                {"r": invoice_origin_id, "amount": amount},
            )
        engine.dispose()
        return
    path = tmp_path / "import" / "contract_payments.csv"
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(
            [
                "PAY-00002",
                "PAY-00002",
                invoice_origin_id,
                amount,
                "2026-12-01",
                "7001",
                "check",
                "Posted",
                "",
            ]
        )


def _export(sample: SampleERP, obj: ProcoreObject):
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj))
    _deliver_and_work()
    sample.answer()
    return request


def test_an_invoice_exported_to_the_erp_and_the_erps_payment_synced_back(
    erp,  # noqa: F811 - the fixture imported above
    provisioned,
    sandbox_company,
    tmp_path,
):
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.requisitions import (
        RequisitionLine,
        contract_payment_create,
        requisition_create,
        requisition_payments,
    )

    commitment, lines = _linked_commitment(erp, sandbox_company)
    first_line = Decimal(lines[0].data["amount"])

    # -- all of the first line, but the ERP's own invoice billed part of it: refused whole -----
    over = requisition_create(
        company=sandbox_company,
        commitment=commitment,
        invoice_number="INV-2000",
        lines=[RequisitionLine(lines[1].id, "10.00"), RequisitionLine(lines[0].id, first_line)],
    )
    detail = detail_of(_export(erp, over))
    assert detail.status == "failed", detail.messages
    remaining = first_line - SAMPLE_BILLED[erp.key]
    assert detail.messages[1] == (
        f"Line 2 (Line 1) bills {money.shown(first_line)}, but only {money.shown(remaining)} "
        f"remains on line 1 of commitment SC-001 ({money.shown(first_line)}, of which "
        f"{money.shown(SAMPLE_BILLED[erp.key])} is already billed): the ERP does not over-bill "
        "a commitment."
    )
    over.refresh_from_db()
    assert over.origin_id is None

    # -- an invoice within what remains: created with its lines, synced line by line -----------
    requisition = requisition_create(
        company=sandbox_company,
        commitment=commitment,
        invoice_number="INV-2001",
        lines=[
            RequisitionLine(lines[0].id, "1200.00", retainage="120.00"),
            RequisitionLine(lines[1].id, "800.50"),
        ],
    )
    detail = detail_of(_export(erp, requisition))
    assert detail.status == "success", detail.messages
    assert detail.messages[-1].endswith("Created in the ERP as INV-2001 with 2 lines.")
    requisition.refresh_from_db()
    assert requisition.origin_id
    procore_lines = ProcoreObject.objects.filter(parent=requisition).order_by("id")
    line_ids = [line.origin_id for line in procore_lines]
    assert all(line_ids) and len(set(line_ids)) == 2
    link = ObjectLink.objects.get(item_type="requisition", procore_id=requisition.id)
    assert (link.state, link.origin_id, link.origin_code) == (
        "synced",
        requisition.origin_id,
        "INV-2001",
    )

    # -- the ERP pays it; Refresh brings the payment onto the invoice in Procore ---------------
    _record_erp_payment(erp, tmp_path, requisition.origin_id, "1500.00")
    (refresh,) = button_press(company=sandbox_company, button="refresh_contract_payments")
    _deliver_and_work()
    detail = detail_of(refresh)
    assert detail.status == "success", detail.messages
    assert detail.messages[0] == "Added 1 new payment; 0 unchanged."
    (paid,) = requisition_payments(requisition)
    assert (paid.item_type, paid.origin_id, paid.origin_code) == (
        "invoice_payment",
        "pay-e2e-1" if erp.key == "sql" else "PAY-00002",
        "PAY-00002",
    )
    assert (paid.data["amount"], paid.data["payment_date"]) == ("1500.00", "2026-12-01")

    # -- a payment made in Procore is recorded in the ERP, and never comes back as the ERP's ----
    payment = contract_payment_create(requisition=requisition, amount="500.50", check_number="88")
    detail = detail_of(_export(erp, payment))
    assert detail.status == "success", detail.messages
    payment.refresh_from_db()
    assert payment.origin_id
    process_pending()
    (again,) = button_press(company=sandbox_company, button="refresh_contract_payments")
    _deliver_and_work()
    assert detail_of(again).messages[0].startswith("No changes: all 1 payment in the ERP")


def test_a_batch_of_invoices_closes_each_on_its_own_detail(
    erp,  # noqa: F811 - the fixture imported above
    provisioned,
    sandbox_company,
):
    """Through a file exchange every invoice of the batch is handed over at once (each waits
    for its own answer), and one the ERP refuses does not hold back the others."""
    from procore_sandbox.services.requisitions import RequisitionLine, requisitions_export_batch

    commitment, lines = _linked_commitment(erp, sandbox_company)
    first_line = Decimal(lines[0].data["amount"])

    def invoice(number: str, line: ProcoreObject, amount) -> ProcoreObject:
        from procore_sandbox.services.requisitions import requisition_create

        return requisition_create(
            company=sandbox_company,
            commitment=commitment,
            invoice_number=number,
            lines=[RequisitionLine(line.id, amount)],
        )

    good = invoice("INV-3001", lines[0], "100.00")
    bad = invoice("INV-3002", lines[0], first_line)  # more than remains after INV-1001
    other = invoice("INV-3003", lines[1], "200.00")
    request = requisitions_export_batch(company=sandbox_company, requisitions=[good, bad, other])
    _deliver_and_work()
    erp.answer()

    request.refresh_from_db()
    closed = {d.item_id: (d.status, d.messages) for d in request.details.all()}
    assert closed[good.id][0] == "success", closed[good.id]
    assert closed[other.id][0] == "success", closed[other.id]
    assert closed[bad.id][0] == "failed"
    assert "the ERP does not over-bill a commitment" in closed[bad.id][1][1]
    for requisition in (good, other):
        requisition.refresh_from_db()
        assert requisition.origin_id
