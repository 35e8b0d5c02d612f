"""The files adapter's requisitions and payments where the files speak: an invoice goes out as
one file, a row per line, and waits for the ERP; a bad row of the ERP's payments file is
reported with its line and column while the rest proceeds; a payment the ERP acknowledged is
never listed back, and stays live until the ERP's export shows it."""

from __future__ import annotations

import pytest

from erp_adapters.base import ConstraintViolation, DocumentState, Entity, ERPPending
from erp_adapters.files.models import FileExport
from tests.erp_adapters.contract.adapters.files import FilesContractERP
from tests.erp_adapters.contract.books import oid, requisition_books
from tests.erp_adapters.contract.requisition_exports import accepted, payment
from tests.erp_adapters.files.conftest import acknowledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def erp(tmp_path) -> FilesContractERP:
    return FilesContractERP(tmp_path / "erp", requisition_books())


def _append(erp: FilesContractERP, entity: Entity, lines: str) -> None:
    with erp._import_path(entity).open("a", encoding="utf-8", newline="") as handle:
        handle.write(lines)


def test_an_invoice_is_one_outbox_file_with_a_row_per_line(erp):
    with pytest.raises(ERPPending, match=r"requisitions-77-4477-1\.csv"):
        erp.adapter.requisitions.create(accepted())
    path = erp.folders["outbox"] / "requisitions-77-4477-1.csv"
    header, first, second, end = path.read_bytes().decode().split("\r\n")
    columns = header.split(",")
    assert columns[:4] == ["procore_id", "number", "status", "commitment_erp_id"]
    rows = [dict(zip(columns, row.split(","), strict=True)) for row in (first, second)]
    assert [(r["line_procore_id"], r["line_amount"], r["line_retainage"]) for r in rows] == [
        ("501", "1000.10", "100.01"),
        ("502", "0.10", "0.00"),
    ]
    assert rows[0]["commitment_erp_id"] == oid("sc1") and end == ""
    assert rows[1]["line_commitment_line_erp_id"] == oid("sc1-l2")
    # Asked again before the ERP answers: still waiting, no second file.
    with pytest.raises(ERPPending):
        erp.adapter.requisitions.create(accepted())
    assert [p.name for p in erp.folders["outbox"].iterdir()] == [path.name]


def test_an_over_billing_invoice_is_refused_before_any_file(erp):
    over = accepted()
    over["line_items"][1]["amount"] = "0.11"
    with pytest.raises(ConstraintViolation) as refused:
        erp.adapter.requisitions.create(over)
    assert refused.value.messages[0].startswith("Line 2 (Slab) bills 0.11, but only 0.10")
    assert list(erp.folders["outbox"].iterdir()) == []


def test_the_erps_refusal_of_an_invoice_comes_back_with_its_words(erp):
    with pytest.raises(ERPPending):
        erp.adapter.requisitions.create(accepted())
    acknowledge(
        erp.folders["inbox"],
        "acks.csv",
        [("requisitions-77-4477-1.csv", "failed", "", "", "Invoice period is closed")],
    )
    erp.adapter.answers_collect()
    with pytest.raises(ConstraintViolation) as refused:
        erp.adapter.requisitions.create(accepted())
    assert refused.value.messages == ["The ERP refused it: Invoice period is closed"]


def test_a_bad_row_of_the_payments_file_is_reported_and_the_rest_listed(erp):
    _append(
        erp,
        Entity.CONTRACT_PAYMENTS,
        f'{oid("p5")},PAY-0005,{oid("r1")},"1,000.00",2026-11-20,,check,,\r\n'
        f"{oid('p6')},PAY-0006,{oid('r1')},100.00,11/20/2026,,check,,\r\n"
        f"{oid('p7')},PAY-0007,{oid('r1')},250.50,2026-11-21,10500,check,,\r\n",
    )
    payments = erp.adapter.contract_payments
    listed = list(payments.list())
    assert [(o.origin_code, o.data["amount"]) for o in listed] == [
        ("PAY-0001", "2000.00"),
        ("PAY-0007", "250.50"),
    ]
    problems = payments.listing_problems
    assert problems.count == 2
    assert [(p.where, p.reason.split(":")[0]) for p in problems.samples] == [
        ("contract_payments.csv, line 6", "column amount"),
        ("contract_payments.csv, line 7", "column payment_date"),
    ]


def test_a_payment_the_erp_acknowledged_stays_live_and_is_never_listed_back(erp):
    with pytest.raises(ERPPending):
        erp.adapter.contract_payments.create(payment())
    export = FileExport.objects.get(entity=Entity.CONTRACT_PAYMENTS)
    outbox_row = (erp.folders["outbox"] / export.file_name).read_bytes().decode().split("\r\n")[1]
    assert outbox_row.startswith(f"8101,PC-8101,{oid('r1')},9001,2500.00,2026-11-20,")
    acknowledge(
        erp.folders["inbox"], "acks.csv", [(export.file_name, "success", "PAY-9", "PAY-9", "")]
    )
    erp.adapter.answers_collect()
    assert erp.adapter.contract_payments.create(payment()).origin_id == "PAY-9"
    # Not in the ERP's export yet: live all the same.
    standing = erp.adapter.contract_payments.standing({"origin_id": "PAY-9"})
    assert standing.state is DocumentState.OPEN
    # The ERP's next export holds it, without the Procore id: still not sent back.
    _append(erp, Entity.CONTRACT_PAYMENTS, f"PAY-9,PAY-9,{oid('r1')},2500.00,2026-11-20,,,,\r\n")
    assert [o.origin_code for o in erp.adapter.contract_payments.list()] == ["PAY-0001"]


def test_a_payment_on_an_invoice_the_erp_has_not_exported_yet_is_left_to_its_importer(erp):
    """The ERP acknowledged invoice 77 but its requisitions.csv does not show it yet: what is
    unpaid is unknown here, so the payment is handed over naming the invoice's ERP id."""
    with pytest.raises(ERPPending):
        erp.adapter.requisitions.create(accepted())
    acknowledge(
        erp.folders["inbox"],
        "acks.csv",
        [("requisitions-77-4477-1.csv", "success", "INV-5501", "INV-8077", "")],
    )
    erp.adapter.answers_collect()
    assert erp.adapter.requisitions.create(accepted()).origin_id == "INV-5501"
    big = payment(8105, amount="99999.00", requisition_id=77)
    assert erp.adapter.contract_payments.check_create(big) == []
    with pytest.raises(ERPPending, match=r"contract_payments-8105-4501-1\.csv"):
        erp.adapter.contract_payments.create(big)
    row = (erp.folders["outbox"] / "contract_payments-8105-4501-1.csv").read_bytes().decode()
    assert row.split("\r\n")[1].startswith("8105,PC-8105,INV-5501,77,99999.00,")
