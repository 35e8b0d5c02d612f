"""Seeded invoice history: each seeded subcontract has one invoice billing part of each line,
and a payment of what it billed less retainage; seeding again adds nothing."""

from __future__ import annotations

import pytest

from erp_adapters.demo.models import DemoCommitment, DemoPayment, DemoRequisition
from erp_adapters.demo.requisitions import (
    billed_on,
    requisition_paid,
    requisition_total,
)
from erp_adapters.demo.seeding import demo_erp_seed


@pytest.mark.django_db
def test_each_subcontract_has_an_invoice_and_its_payment_once():
    demo_erp_seed(tenant="t", vendors=10, jobs=2, commitments_per_job=2)
    demo_erp_seed(tenant="t", vendors=10, jobs=2, commitments_per_job=2)

    subcontracts = DemoCommitment.objects.filter(tenant="t", kind="subcontract")
    assert subcontracts.count() == 2
    for commitment in subcontracts:
        (invoice,) = DemoRequisition.objects.filter(commitment=commitment)
        for line in commitment.lines.all():
            assert 0 < billed_on(commitment_line=line) < line.amount
        retainage = sum(line.retainage for line in invoice.lines.all())
        assert retainage > 0  # subcontracts hold 10 %
        assert requisition_paid(invoice) == requisition_total(invoice) - retainage
    assert DemoPayment.objects.filter(tenant="t").count() == 2
    assert not DemoRequisition.objects.filter(commitment__kind="purchase_order").exists()
