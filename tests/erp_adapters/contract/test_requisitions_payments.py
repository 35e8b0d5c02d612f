"""The contract for requisitions (subcontractor invoices exported from Procore) and contract
payments, kept by every adapter: an invoice is written with all its lines or nothing, once per
Procore id, never over-bills a commitment line, a change order line or the commitment (counting
every invoice not void); a payment never pays more than an invoice's unpaid balance; the ERP's
own payments on invoices from Procore are listed back as invoice payments, and nothing else is."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import (
    INVOICE_TYPE_REQUISITION,
    ConstraintViolation,
    DocumentState,
    Entity,
    ERPUnavailable,
)
from tests.erp_adapters.contract.books import Books, oid, requisition_books
from tests.erp_adapters.contract.requisition_exports import (
    accepted,
    line_item,
    payment,
    requisition,
)

REQUISITIONS, PAYMENTS = Entity.REQUISITIONS, Entity.CONTRACT_PAYMENTS


@pytest.fixture
def books() -> Books:
    return requisition_books()


# -- requisitions -------------------------------------------------------------------------------


def test_the_adapter_handles_requisitions_and_payments(make_erp, books):
    adapter = make_erp(books).adapter
    assert adapter.supports(REQUISITIONS) and adapter.supports(PAYMENTS)


def test_a_requisition_is_created_with_a_link_for_it_and_each_line(make_erp, books):
    erp = make_erp(books)
    assert erp.adapter.requisitions.check_create(accepted()) == []
    result = erp.create(REQUISITIONS, accepted())
    assert (result.created, result.origin_code) == (True, "INV-8077")
    assert [(link.item_type, link.item_id) for link in result.links] == [
        ("requisition", 77),
        ("requisition_contract_item", 501),
        ("requisition_contract_detail_item", 502),
    ]
    assert result.links[0].origin_id == result.origin_id
    assert len({link.origin_id for link in result.links}) == 3


def test_the_same_requisition_twice_is_one_requisition(make_erp, books):
    erp = make_erp(books)
    first = erp.create(REQUISITIONS, accepted())
    again = erp.create(REQUISITIONS, accepted())
    assert again.created is False
    assert (again.origin_id, again.origin_code, again.links) == (
        first.origin_id,
        first.origin_code,
        first.links,
    )
    assert erp.adapter.requisitions.check_create(accepted()) == []
    # What it billed counts once: 0.10 remained on the slab line, and it took it all.
    slab = requisition(
        line_item(
            601, "0.01", line="sc1-l2", kind="Billings::ContractDetailItem", description="Slab"
        ),
        procore_id=78,
    )
    (problem,) = erp.adapter.requisitions.check_create(slab)
    assert problem.startswith("Line 1 (Slab) bills 0.01, but only 0.00 remains on line 2 of")


def test_a_requisition_on_a_commitment_not_in_the_erp_is_refused_writing_nothing(make_erp, books):
    erp = make_erp(books)
    refused = requisition(line_item(501, "10.00"), commitment="commitment-not-in-the-erp")
    refused["contract_id"] = 999
    (problem,) = erp.adapter.requisitions.check_create(refused)
    assert "is not in the ERP; export the commitment first" in problem
    with pytest.raises(ConstraintViolation):
        erp.create(REQUISITIONS, refused)
    assert erp.create(REQUISITIONS, accepted()).created is True


def test_a_line_billing_more_than_remains_refuses_the_whole_requisition(make_erp, books):
    erp = make_erp(books)
    over = requisition(
        line_item(
            501, "1.00", line="sc1-l2", kind="Billings::ContractDetailItem", description="Slab"
        ),
        line_item(502, "7499.01"),
    )
    refusal = [
        "Line 1 (Slab) bills 1.00, but only 0.10 remains on line 2 of commitment SC-001 (0.10, "
        "of which 0.00 is already billed): the ERP does not over-bill a commitment."
    ]
    assert erp.adapter.requisitions.check_create(over) == refusal
    with pytest.raises(ConstraintViolation) as refused:
        erp.create(REQUISITIONS, over)
    assert refused.value.messages == refusal
    # Nothing of it was written: both lines can still be billed in full.
    full = requisition(
        line_item(
            501, "0.10", line="sc1-l2", kind="Billings::ContractDetailItem", description="Slab"
        ),
        line_item(502, "7500.00"),
    )
    assert erp.adapter.requisitions.check_create(full) == []
    assert erp.create(REQUISITIONS, full).created is True


def test_what_remains_on_a_line_counts_earlier_requisitions_not_void(make_erp, books):
    erp = make_erp(books)
    over = requisition(line_item(501, "7500.01"))
    (problem,) = erp.adapter.requisitions.check_create(over)
    assert problem == (
        "Line 1 (Footings) bills 7,500.01, but only 7,500.00 remains on line 1 of commitment "
        "SC-001 (12,500.00, of which 5,000.00 is already billed): the ERP does not over-bill a "
        "commitment."
    )
    assert erp.create(REQUISITIONS, requisition(line_item(501, "7500.00"))).created is True


def test_a_change_order_item_bills_its_change_order_line(make_erp, books):
    erp = make_erp(books)
    kind = "Billings::ChangeOrderItem"
    over = requisition(line_item(501, "400.01", line="co2-l1", kind=kind, description="Extra pour"))
    (problem,) = erp.adapter.requisitions.check_create(over)
    assert problem.startswith(
        "Line 1 (Extra pour) bills 400.01, but only 400.00 remains on change order 2 line 1"
    )
    result = erp.create(
        REQUISITIONS,
        requisition(line_item(501, "400.00", line="co2-l1", kind=kind, description="Extra pour")),
    )
    assert [link.item_type for link in result.links] == [
        "requisition",
        "requisition_change_order_item",
    ]


def test_the_whole_requisition_never_bills_more_than_remains_on_the_commitment(make_erp, books):
    """SC-001's revised value is 12,650.10 (its lines, less 250.00 and plus 400.00 of change
    orders), 5,000.00 of it billed: each line fits, but together they are 0.01 too much."""
    erp = make_erp(books)
    kind = "Billings::ChangeOrderItem"
    over = requisition(
        line_item(501, "7500.00"),
        line_item(
            502, "0.10", line="sc1-l2", kind="Billings::ContractDetailItem", description="Slab"
        ),
        line_item(503, "150.01", line="co2-l1", kind=kind, description="Extra pour"),
    )
    assert erp.adapter.requisitions.check_create(over) == [
        "The invoice bills 7,650.11, but only 7,650.10 remains on commitment SC-001 (revised "
        "value 12,650.10)."
    ]


def test_a_line_the_erp_refuses_on_insert_leaves_nothing_of_the_requisition(make_erp, books):
    """The second requisition's second line carries a Procore line id the ERP already holds:
    the ERP refuses that line when writing it, and its first line goes too."""
    erp = make_erp(books)
    erp.create(REQUISITIONS, accepted())
    clash = requisition(
        line_item(601, "10.00", description="Footings again"), line_item(501, "5.00"), procore_id=78
    )
    with pytest.raises(ConstraintViolation) as refused:
        erp.create(REQUISITIONS, clash)
    assert refused.value.messages
    retried = requisition(
        line_item(601, "10.00", description="Footings again"), line_item(602, "5.00"), procore_id=78
    )
    result = erp.create(REQUISITIONS, retried)
    assert result.created is True
    assert [(link.item_type, link.item_id) for link in result.links] == [
        ("requisition", 78),
        ("requisition_contract_item", 601),
        ("requisition_contract_item", 602),
    ]
    # Billed: 5,000.00 (INV-7001) + 1,000.10 + 10.00 + 5.00, and not the refused 15.00 twice.
    remaining = Decimal("12500.00") - Decimal("6015.10")
    assert (
        erp.adapter.requisitions.check_create(
            requisition(line_item(701, str(remaining)), procore_id=79)
        )
        == []
    )
    (problem,) = erp.adapter.requisitions.check_create(
        requisition(line_item(701, str(remaining + Decimal("0.01"))), procore_id=79)
    )
    assert f"only {remaining:,} remains" in problem


def test_a_requisition_without_a_procore_id_is_refused(make_erp, books):
    erp = make_erp(books)
    payload = accepted()
    payload["procore_requisition_id"] = None
    with pytest.raises(ConstraintViolation):
        erp.create(REQUISITIONS, payload)


# -- payments -----------------------------------------------------------------------------------


def test_the_erps_own_payments_on_requisitions_from_procore_are_listed(make_erp, books):
    """Only PAY-0001: not the void one, not the one exported from Procore, not the one on an
    invoice entered in the ERP."""
    listed = make_erp(books).listed(PAYMENTS)
    assert [(o.item_type, o.origin_id, o.origin_code) for o in listed] == [
        ("invoice_payment", oid("p1"), "PAY-0001")
    ]
    assert listed[0].data == {
        "invoice_type": INVOICE_TYPE_REQUISITION,
        "invoice_id": 9001,
        "amount": "2000.00",
        "payment_date": "2026-11-15",
        "check_number": "10421",
        "payment_method": "check",
    }


def test_a_payment_is_recorded_once_and_not_listed_back(make_erp, books):
    erp = make_erp(books)
    assert erp.adapter.contract_payments.check_create(payment()) == []
    result = erp.create(PAYMENTS, payment())
    assert (result.created, result.origin_code) == (True, "PC-8101")
    assert [(link.item_type, link.item_id, link.origin_id) for link in result.links] == [
        ("contract_payment", 8101, result.origin_id)
    ]
    again = erp.create(PAYMENTS, payment())
    assert (again.created, again.origin_id, again.links) == (False, result.origin_id, result.links)
    assert erp.adapter.contract_payments.check_create(payment()) == []
    assert [o.origin_id for o in erp.listed(PAYMENTS)] == [oid("p1")]
    assert erp.adapter.contract_payments.standing({"origin_id": result.origin_id}).live


def test_a_payment_of_more_than_is_unpaid_is_refused_writing_nothing(make_erp, books):
    """INV-7001: 5,000.00 billed, 2,000.00 and 500.00 paid (the void 1,000.00 does not count)."""
    erp = make_erp(books)
    over = payment(amount="2500.01")
    assert erp.adapter.contract_payments.check_create(over) == [
        "The payment of 2,500.01 is more than the 2,500.00 unpaid on invoice INV-7001."
    ]
    with pytest.raises(ConstraintViolation):
        erp.create(PAYMENTS, over)
    assert erp.create(PAYMENTS, payment(amount="2500.00")).created is True
    (problem,) = erp.adapter.contract_payments.check_create(payment(8102, amount="0.01"))
    assert "0.00 unpaid on invoice INV-7001" in problem


@pytest.mark.parametrize(
    ("requisition_id", "words"),
    [(9999, "is not in the ERP; export the invoice first"), (9009, "is void in the ERP")],
)
def test_a_payment_on_an_invoice_not_payable_is_refused(make_erp, books, requisition_id, words):
    erp = make_erp(books)
    refused = payment(requisition_id=requisition_id)
    (problem,) = erp.adapter.contract_payments.check_create(refused)
    assert words in problem
    with pytest.raises(ConstraintViolation):
        erp.create(PAYMENTS, refused)


def test_a_payment_on_a_requisition_just_exported_is_recorded(make_erp, books):
    erp = make_erp(books)
    erp.create(REQUISITIONS, accepted())  # 1,000.20 billed
    assert erp.adapter.contract_payments.check_create(
        payment(8103, amount="1000.21", requisition_id=77)
    ) == ["The payment of 1,000.21 is more than the 1,000.20 unpaid on invoice INV-8077."]
    result = erp.create(PAYMENTS, payment(8103, amount="1000.20", requisition_id=77))
    assert result.created is True


def test_where_a_payment_stands(make_erp, books):
    payments = make_erp(books).adapter.contract_payments
    live = payments.standing({"origin_id": oid("p1")})
    assert live.state is DocumentState.OPEN and live.live and "PAY-0001" in live.label
    void = payments.standing({"origin_id": oid("p-void")})
    assert void.state is DocumentState.VOID and not void.live
    gone = payments.standing({"origin_id": oid("never-in-the-erp")})
    assert gone.state is DocumentState.GONE and not gone.live


def test_an_unreachable_erp_is_retryable(make_erp, books):
    unavailable = make_erp(books).unavailable()
    if unavailable is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    with pytest.raises(ERPUnavailable):
        list(unavailable.contract_payments.list())
    with pytest.raises(ERPUnavailable):
        unavailable.requisitions.create(accepted())
    with pytest.raises(ERPUnavailable):
        unavailable.contract_payments.create(payment())
