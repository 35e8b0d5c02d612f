"""The demo ERP's screens for invoices and payments: they render, and a payment the accountant
records there is checked like an exported one and numbered when left blank."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from erp_adapters.demo.models import DemoCommitment, DemoPayment, DemoRequisition
from tests.erp_adapters.demo.conftest import TENANT


@pytest.fixture
def billed(adapter, books) -> DemoRequisition:
    """Invoice 9348 billing 1,000.00 on the first line of SC-001 of J-1001 (the seeded invoice
    history removed)."""
    DemoPayment.objects.filter(tenant=TENANT).delete()
    DemoRequisition.objects.filter(tenant=TENANT).delete()
    commitment = DemoCommitment.objects.get(tenant=TENANT, job__code="J-1001", number="SC-001")
    line = commitment.lines.order_by("position").first()
    adapter.requisitions.create(
        {
            "procore_requisition_id": 77,
            "invoice_number": "9348",
            "contract_origin_id": str(commitment.guid),
            "line_items": [
                {
                    "procore_requisition_item_id": 1,
                    "requisition_item_type": "Billings::ContractItem",
                    "amount": "1000",
                    "commitment_item_origin_id": str(line.guid),
                }
            ],
        }
    )
    return DemoRequisition.objects.get(procore_id=77)


def test_invoice_and_payment_pages_render(billed, admin_client_logged_in):
    client = admin_client_logged_in
    for name, row in (("demorequisition", billed), ("demopayment", None)):
        changelist = client.get(reverse(f"admin:demo_erp_{name}_changelist"))
        assert changelist.status_code == 200
        assert client.get(reverse(f"admin:demo_erp_{name}_add")).status_code == 200
        if row is not None:
            page = client.get(reverse(f"admin:demo_erp_{name}_change", args=[row.pk]))
            assert page.status_code == 200 and "1,000.00" in changelist.text


def test_a_payment_recorded_by_hand_is_checked_and_numbered(billed, admin_client_logged_in):
    client = admin_client_logged_in
    add = reverse("admin:demo_erp_demopayment_add")
    form = {
        "requisition": billed.pk,
        "number": "",
        "amount": "1000.01",
        "paid_on": "2026-11-29",
        "check_number": "77",
        "method": "check",
        "status": "Posted",
    }
    refused = client.post(add, form)
    assert refused.status_code == 200
    assert "more than the 1,000.00 unpaid on invoice 9348" in refused.text
    assert not DemoPayment.objects.exists()

    client.post(add, {**form, "amount": "600"})
    payment = DemoPayment.objects.get()
    assert (payment.tenant, payment.number, payment.amount) == (TENANT, "PAY-00001", Decimal("600"))
