"""The demo ERP's requisitions (subcontractor invoices) and payments: an invoice is written with
all its lines or not at all, never over-bills a commitment line, a change order line or the
commitment, and a payment never pays more than an invoice's unpaid balance."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import ConstraintViolation, DocumentState, ERPUnavailable
from erp_adapters.demo.models import (
    DemoChangeOrderLine,
    DemoCommitment,
    DemoPayment,
    DemoRequisition,
    DemoRequisitionLine,
)
from erp_adapters.demo.requisitions import payment_record
from erp_adapters.registry import get_adapter
from tests.erp_adapters.demo.conftest import TENANT


@pytest.fixture
def subcontract(books) -> DemoCommitment:
    """The first seeded subcontract of J-1001: three lines and an approved change order, with
    no invoice yet (the seeded invoice history is removed)."""
    DemoPayment.objects.filter(tenant=TENANT).delete()
    DemoRequisition.objects.filter(tenant=TENANT).delete()
    return DemoCommitment.objects.get(tenant=TENANT, job__code="J-1001", number="SC-001")


def _item(line, amount: str, *, n: int, kind: str = "Billings::ContractItem", **extra) -> dict:
    item = {
        "procore_requisition_item_id": 500 + n,
        "requisition_item_type": kind,
        "amount": amount,
        "retainage_this_period": "0.0",
        "description": line.description,
        "commitment_item_origin_id": str(line.guid),
        "change_order_line_item_origin_id": None,
    }
    item.update(extra)
    return item


def invoice(commitment: DemoCommitment, *items: dict, procore_id: int = 77, number: str = "9348"):
    return {
        "procore_requisition_id": procore_id,
        "invoice_number": number,
        "code": number,
        "billing_date": "2026-11-30",
        "contract_id": commitment.procore_id,
        "contract_origin_id": str(commitment.guid),
        "line_items": list(items),
    }


def _lines(commitment: DemoCommitment) -> list[Any]:
    return list(commitment.lines.order_by("position"))


def test_an_invoice_is_written_with_its_lines_and_links_for_each(adapter, subcontract):
    first, second, _third = _lines(subcontract)
    payload = invoice(
        subcontract,
        _item(first, "1000.10", n=1, retainage_this_period="100.01"),
        _item(second, "0.1", n=2, kind="Billings::ContractDetailItem"),
    )

    assert adapter.requisitions.check_create(payload) == []
    result = adapter.requisitions.create(payload)

    row = DemoRequisition.objects.get(tenant=TENANT, procore_id=77)
    assert (result.origin_id, result.origin_code, result.created) == (str(row.guid), "9348", True)
    assert row.billing_date == datetime.date(2026, 11, 30)
    lines = list(row.lines.order_by("position"))
    assert [(line.kind, line.amount, line.retainage) for line in lines] == [
        ("contract", Decimal("1000.10"), Decimal("100.01")),
        ("detail", Decimal("0.10"), Decimal("0.00")),
    ]
    assert [(link.item_type, link.item_id) for link in result.links] == [
        ("requisition", 77),
        ("requisition_contract_item", 501),
        ("requisition_contract_detail_item", 502),
    ]


def test_the_same_invoice_twice_is_one_invoice(adapter, subcontract):
    payload = invoice(subcontract, _item(_lines(subcontract)[0], "10.00", n=1))
    adapter.requisitions.create(payload)
    again = adapter.requisitions.create(payload)
    assert again.created is False
    assert adapter.requisitions.check_create(payload) == []
    assert DemoRequisition.objects.filter(tenant=TENANT).count() == 1
    assert DemoRequisitionLine.objects.filter(tenant=TENANT).count() == 1


def test_one_over_billed_line_refuses_the_whole_invoice_naming_the_line(adapter, subcontract):
    first, second, _third = _lines(subcontract)
    payload = invoice(
        subcontract,
        _item(first, "1.00", n=1),
        _item(second, str(second.amount + Decimal("0.01")), n=2),
    )
    with pytest.raises(ConstraintViolation) as refused:
        adapter.requisitions.create(payload)
    (message,) = refused.value.messages
    assert message.startswith(f"Line 2 ({second.description}) bills ")
    assert "the ERP does not over-bill a commitment" in message
    assert not DemoRequisition.objects.exists()
    assert not DemoRequisitionLine.objects.exists()


def test_what_earlier_invoices_billed_counts_unless_they_are_void(adapter, subcontract):
    first = _lines(subcontract)[0]
    half = (first.amount / 2).quantize(Decimal("0.01"))
    adapter.requisitions.create(invoice(subcontract, _item(first, str(half), n=1)))
    too_much = invoice(
        subcontract, _item(first, str(first.amount - half + 1), n=2), procore_id=78, number="2"
    )
    assert "already billed" in adapter.requisitions.check_create(too_much)[0]

    DemoRequisition.objects.filter(procore_id=77).update(status="Void")
    assert adapter.requisitions.check_create(too_much) == []


def test_two_lines_of_one_invoice_on_the_same_commitment_line_add_up(adapter, subcontract):
    first = _lines(subcontract)[0]
    half = str((first.amount / 2).quantize(Decimal("0.01")) + 1)
    problems = adapter.requisitions.check_create(
        invoice(subcontract, _item(first, half, n=1), _item(first, half, n=2))
    )
    assert len(problems) == 1 and problems[0].startswith(f"Line 2 ({first.description}) bills")


def test_a_change_order_item_bills_its_change_order_line(adapter, subcontract):
    change = DemoChangeOrderLine.objects.get(change_order__commitment=subcontract)
    item = _item(
        change,
        str(change.amount),
        n=1,
        kind="Billings::ChangeOrderItem",
        commitment_item_origin_id=None,
        change_order_line_item_origin_id=str(change.guid),
    )
    result = adapter.requisitions.create(invoice(subcontract, item))
    assert result.links[1].item_type == "requisition_change_order_item"
    line = DemoRequisitionLine.objects.get()
    assert (line.change_order_line, line.commitment_line) == (change, None)

    more = {**item, "procore_requisition_item_id": 900, "amount": "0.01"}
    problems = adapter.requisitions.check_create(invoice(subcontract, more, procore_id=79))
    assert "remains on change order 001 line 1" in problems[0]


def test_an_invoice_on_a_commitment_the_erp_lacks_is_refused(adapter, books):
    payload = {
        "procore_requisition_id": 1,
        "invoice_number": "9348",
        "contract_id": 424242,
        "contract_origin_id": "contract_origin_id",
        "line_items": [{"requisition_item_type": "Billings::ContractItem", "amount": "1"}],
    }
    assert adapter.requisitions.check_create(payload) == [
        "The commitment this invoice bills (Procore contract 424242) is not in the ERP; export "
        "the commitment first, then this invoice."
    ]


def test_every_problem_of_an_invoice_is_said_at_once(adapter, subcontract):
    first, second, _ = _lines(subcontract)
    payload = invoice(
        subcontract,
        _item(first, "ten", n=1),
        _item(second, "5.00", n=2, retainage_this_period="6.00"),
        {"requisition_item_type": "Billings::Unknown", "amount": "1"},
        _item(first, "1.00", n=4, commitment_item_origin_id="not-a-line"),
    )
    payload["invoice_number"] = payload["code"] = ""
    assert adapter.requisitions.check_create(payload) == [
        "The invoice has no number; the ERP files invoices by number.",
        "Line 1 (" + first.description + "): the amount must be an amount, not 'ten'.",
        f"Line 2 ({second.description}): retainage of 6.00 is more than the 5.00 billed.",
        "Line 3: the ERP does not know the item type 'Billings::Unknown'.",
        f"Line 4 ({first.description}): the commitment line it bills is not a line of "
        "commitment SC-001 in the ERP.",
    ]


def test_a_void_commitment_cannot_be_billed(adapter, subcontract):
    DemoCommitment.objects.filter(pk=subcontract.pk).update(status="Void")
    problems = adapter.requisitions.check_create(
        invoice(subcontract, _item(_lines(subcontract)[0], "1.00", n=1))
    )
    assert problems == ["Commitment SC-001 is void in the ERP; an invoice cannot bill it."]


def test_an_offline_erp_is_retryable(books, subcontract):
    offline = get_adapter("demo", {"tenant": TENANT, "offline": True})
    with pytest.raises(ERPUnavailable):
        offline.requisitions.create(invoice(subcontract, _item(_lines(subcontract)[0], "1", n=1)))


# -- payments ---------------------------------------------------------------------------------


@pytest.fixture
def billed(adapter, subcontract) -> DemoRequisition:
    """Invoice 9348 (Procore requisition 77) billing 1,000.00."""
    adapter.requisitions.create(invoice(subcontract, _item(_lines(subcontract)[0], "1000", n=1)))
    return DemoRequisition.objects.get(procore_id=77)


def payment_export(amount: str, *, procore_id: int = 4, requisition_id: int = 77) -> dict:
    return {
        "request_detail_id": 3,
        "contract_payment": {
            "id": procore_id,
            "requisition_id": requisition_id,
            "amount": amount,
            "date_payment_created": "2023-05-02T15:06:02Z",
            "date_payment_initiated": "1970-01-01T00:00:00Z",
            "date_payment_settled": None,
            "payment_method": "ach",
            "check_number": "12",
        },
    }


def test_an_exported_payment_is_recorded_once_against_its_invoice(adapter, billed):
    result = adapter.contract_payments.create(payment_export("250.5"))
    again = adapter.contract_payments.create(payment_export("250.5"))
    payment = DemoPayment.objects.get()
    assert (payment.amount, payment.paid_on, payment.method) == (
        Decimal("250.50"),
        datetime.date(2023, 5, 2),
        "ach",
    )
    assert (result.created, again.created) == (True, False)
    assert [(link.item_type, link.item_id) for link in result.links] == [("contract_payment", 4)]


def test_a_payment_is_refused_past_the_unpaid_balance_or_on_an_unknown_invoice(adapter, billed):
    payment_record(requisition=billed, amount=Decimal("900"), paid_on=datetime.date.today())
    assert adapter.contract_payments.check_create(payment_export("100.01")) == [
        "The payment of 100.01 is more than the 100.00 unpaid on invoice 9348."
    ]
    assert adapter.contract_payments.check_create(payment_export("1", requisition_id=5)) == [
        "The subcontractor invoice this payment pays (Procore requisition 5) is not in the ERP; "
        "export the invoice first, then this payment."
    ]
    with pytest.raises(ConstraintViolation):
        adapter.contract_payments.create(payment_export("100.01"))
    assert DemoPayment.objects.count() == 1


def test_recorded_payments_are_those_the_accountant_made_on_exported_invoices(adapter, billed):
    mine = payment_record(
        requisition=billed, amount=Decimal("10"), paid_on=datetime.date(2026, 1, 2)
    )
    voided = payment_record(requisition=billed, amount=Decimal("20"), paid_on=datetime.date.today())
    DemoPayment.objects.filter(pk=voided.pk).update(status="Void")
    adapter.contract_payments.create(payment_export("30"))  # came from Procore: not sent back

    (only,) = adapter.contract_payments.list()
    assert (only.item_type, only.origin_id, only.origin_code) == (
        "invoice_payment",
        str(mine.guid),
        mine.number,
    )
    assert only.data == {
        "invoice_type": "Billings::Requisition",
        "invoice_id": 77,
        "amount": "10.00",
        "payment_date": "2026-01-02",
        "check_number": "",
        "payment_method": "check",
    }
    payments = adapter.contract_payments
    assert payments.standing({"origin_id": str(mine.guid)}).state is DocumentState.OPEN
    assert payments.standing({"origin_id": str(voided.guid)}).state is DocumentState.VOID
    mine.delete()
    assert payments.standing({"origin_id": str(mine.guid)}).state is DocumentState.GONE
    assert payments.standing({"origin_id": "payment_origin_id"}).state is DocumentState.GONE


def test_payments_are_listed_a_page_at_a_time_each_once(books, billed):
    for _ in range(5):
        payment_record(requisition=billed, amount=Decimal("1"), paid_on=datetime.date.today())
    small_pages = get_adapter("demo", {"tenant": TENANT, "page_size": 2})
    listed = [obj.origin_id for obj in small_pages.contract_payments.list()]
    assert sorted(listed) == sorted(
        str(g) for g in DemoPayment.objects.values_list("guid", flat=True)
    )
