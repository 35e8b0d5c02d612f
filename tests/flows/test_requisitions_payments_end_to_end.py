"""Subcontractor invoices (requisitions) and their payments, end to end over real HTTP: the
project user and the approver act in the local Procore (the sandbox), Procore delivers the
webhook, the worker does the ERP's part in the demo books and writes back to Procore, and each
Request Detail closes with what happened.

What an accountant would notice: an invoice lands in the ERP with every line, or not at all
(an over-billing leaves nothing of it); the same invoice delivered twice is one invoice; a
payment recorded in the ERP shows on the invoice in Procore after Refresh; a payment made in
Procore is recorded in the ERP; a payment the ERP deleted is unlinked in Procore on reset.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from erp_adapters.demo.models import DemoPayment, DemoRequisition, DemoRequisitionLine
from erp_adapters.demo.requisitions import payment_record
from integrations.models import ERPRequest, ObjectLink
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ProcoreObject
from tests.flows.conftest import detail_of, tenant_of
from tests.flows.requisitions_payments_effects import (
    erp_invoice,
    invoice_on,
    synced_commitment,
)


@pytest.fixture
def subcontract(provisioned, sandbox_company):
    """A 1,000.00 + 2,500.00 subcontract, synced between Procore and the ERP."""
    return synced_commitment(sandbox_company, tenant_of(provisioned), ("1000.00", "2500.00"))


def _deliver_and_work() -> None:
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1  # Procore POSTs the webhook to the portal
    process_pending()


def _export(obj: ProcoreObject):
    """Send to ERP, the approver accepts, Procore delivers, the portal works."""
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj))
    _deliver_and_work()
    return request


def test_an_invoice_is_exported_with_every_line_and_marked_synced_line_by_line(
    subcontract, provisioned
):
    requisition = invoice_on(subcontract, "400.00", "1250.50", number="INV-0042")

    request = _export(requisition)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Invoice INV-0042: Created in the ERP as INV-0042 with 2 lines."]
    erp = DemoRequisition.objects.get(tenant=tenant_of(provisioned), procore_id=requisition.id)
    assert erp.commitment == subcontract.erp
    lines = list(erp.lines.order_by("position"))
    assert [(line.commitment_line, line.amount, line.retainage) for line in lines] == [
        (subcontract.erp_lines[0], Decimal("400.00"), Decimal("10.00")),
        (subcontract.erp_lines[1], Decimal("1250.50"), Decimal("10.00")),
    ]
    requisition.refresh_from_db()
    assert requisition.origin_id == str(erp.guid)  # synced: Procore locks it
    for procore_line, erp_line in zip(
        ProcoreObject.objects.filter(parent=requisition).order_by("id"), lines, strict=True
    ):
        assert procore_line.origin_id == str(erp_line.guid)
    link = ObjectLink.objects.get(company=provisioned.company, item_type="requisition")
    assert (link.state, link.procore_id, link.origin_code) == ("synced", requisition.id, "INV-0042")


def test_an_over_billing_invoice_is_refused_whole_naming_the_line(subcontract, provisioned):
    # 700.00 was billed on the first line already; this invoice bills 400.00 more on it.
    first = invoice_on(subcontract, "700.00", number="INV-1")
    erp_invoice(subcontract, first)
    requisition = invoice_on(subcontract, "400.00", "100.00", number="INV-2")

    request = _export(requisition)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert (
        detail.messages[0] == "Invoice INV-2 was not created in the ERP (nothing of it was kept):"
    )
    assert detail.messages[1] == (
        "Line 1 (Pour 1) bills 400.00, but only 300.00 remains on line 1 of commitment SC-001 "
        "(1,000.00, of which 700.00 is already billed): the ERP does not over-bill a commitment."
    )
    assert not DemoRequisition.objects.filter(procore_id=requisition.id).exists()
    assert not DemoRequisitionLine.objects.filter(requisition__number="INV-2").exists()
    requisition.refresh_from_db()
    assert requisition.origin_id is None


def test_a_batch_closes_each_invoice_on_its_own_detail(subcontract, provisioned):
    """One refused invoice does not hold back the others of the batch."""
    from procore_sandbox.services.requisitions import requisitions_export_batch

    good = invoice_on(subcontract, "100.00", number="INV-A")
    bad = invoice_on(subcontract, "5000.00", number="INV-B")
    request = requisitions_export_batch(company=good.company, requisitions=[good, bad])
    _deliver_and_work()

    request.refresh_from_db()
    closed = {d.item_id: (d.status, d.messages) for d in request.details.all()}
    assert closed[good.id][0] == "success"
    assert closed[bad.id][0] == "failed"
    # INV-A, first in the batch, billed 100.00 of the line before INV-B was checked.
    assert "bills 5,000.00, but only 900.00 remains" in closed[bad.id][1][1]
    assert list(DemoRequisition.objects.values_list("number", flat=True)) == ["INV-A"]


def test_the_same_invoice_delivered_twice_is_one_invoice_in_the_erp(subcontract, provisioned):
    from procore_sandbox.services.erp import erp_request_create

    requisition = invoice_on(subcontract, "250.00", "250.00", number="INV-7")
    first = _export(requisition)
    # Procore sends the same export again (a retry on its side): a new ERP Request, same data.
    again = erp_request_create(
        company=requisition.company,
        request_name="create_requisitions",
        request_data={k: v for k, v in first.request_data.items() if k != "request_detail_id"},
    )
    _deliver_and_work()

    assert DemoRequisition.objects.filter(procore_id=requisition.id).count() == 1
    assert DemoRequisitionLine.objects.filter(requisition__procore_id=requisition.id).count() == 2
    detail = detail_of(again)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Invoice INV-7: Already in the ERP as INV-7 with 2 lines."]


def test_a_payment_recorded_in_the_erp_reaches_the_invoice_in_procore_on_refresh(
    subcontract, provisioned
):
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.requisitions import requisition_payments

    requisition = invoice_on(subcontract, "800.00", number="INV-9")
    _export(requisition)
    erp = DemoRequisition.objects.get(procore_id=requisition.id)
    paid = payment_record(
        requisition=erp,
        amount=Decimal("720.00"),
        paid_on=datetime.date(2026, 11, 28),
        check_number="5001",
    )

    (refresh,) = button_press(company=requisition.company, button="refresh_contract_payments")
    _deliver_and_work()

    detail = detail_of(refresh)
    assert detail.status == "success", detail.messages
    assert detail.messages[0] == "Added 1 new payment; 0 unchanged."
    (payment,) = requisition_payments(requisition)
    assert (payment.item_type, payment.origin_id, payment.origin_code) == (
        "invoice_payment",
        str(paid.guid),
        paid.number,
    )
    assert payment.data["amount"] == "720.00" and payment.data["payment_date"] == "2026-11-28"

    # Refresh again: nothing changed, nothing sent. The accountant corrects the check number:
    # the same payment is updated in Procore, not added twice.
    (again,) = button_press(company=requisition.company, button="refresh_contract_payments")
    _deliver_and_work()
    assert detail_of(again).messages[0].startswith("No changes: all 1 payment in the ERP")
    DemoPayment.objects.filter(pk=paid.pk).update(check_number="5002")
    (fixed,) = button_press(company=requisition.company, button="refresh_contract_payments")
    _deliver_and_work()
    assert detail_of(fixed).messages[0] == "Updated 1 payment; 0 unchanged."
    (payment,) = requisition_payments(requisition)
    assert payment.data["check_number"] == "5002"


def test_a_payment_made_in_procore_is_recorded_in_the_erp(subcontract, provisioned):
    from procore_sandbox.services.requisitions import contract_payment_create

    requisition = invoice_on(subcontract, "600.00", number="INV-11")
    _export(requisition)
    payment = contract_payment_create(
        requisition=requisition, amount="600.00", check_number="88", payment_method="check"
    )

    request = _export(payment)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    erp = DemoPayment.objects.get(procore_id=payment.id)
    assert (erp.amount, erp.check_number, erp.requisition.procore_id) == (
        Decimal("600.00"),
        "88",
        requisition.id,
    )
    assert detail.messages == [f"Recorded in the ERP as payment {erp.number}."]
    payment.refresh_from_db()
    assert payment.origin_id == str(erp.guid)
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert ours.request_name == "create_contract_payment"


def test_a_payment_on_an_invoice_not_in_the_erp_is_refused_clearly(subcontract, provisioned):
    from procore_sandbox.services.requisitions import contract_payment_create

    requisition = invoice_on(subcontract, "600.00", number="INV-12")  # never exported
    payment = contract_payment_create(requisition=requisition, amount="100.00")

    request = _export(payment)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == [
        f"The subcontractor invoice this payment pays (Procore requisition {requisition.id}) is "
        "not in the ERP; export the invoice first, then this payment."
    ]
    assert not DemoPayment.objects.exists()


def test_reset_of_a_payment_the_erp_deleted_unlinks_it_and_of_a_live_one_keeps_it(
    subcontract, provisioned
):
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.requisitions import payment_reset, requisition_payments

    requisition = invoice_on(subcontract, "900.00", number="INV-13")
    _export(requisition)
    erp = DemoRequisition.objects.get(procore_id=requisition.id)
    kept = payment_record(requisition=erp, amount=Decimal("100.00"), paid_on=datetime.date.today())
    deleted = payment_record(
        requisition=erp, amount=Decimal("200.00"), paid_on=datetime.date.today()
    )
    button_press(company=requisition.company, button="refresh_contract_payments")
    _deliver_and_work()
    in_procore = {p.origin_id: p for p in requisition_payments(requisition)}
    assert set(in_procore) == {str(kept.guid), str(deleted.guid)}

    deleted.delete()  # the accountant deletes the payment in the ERP
    gone = in_procore[str(deleted.guid)]
    reset = payment_reset(payment=gone)
    _deliver_and_work()
    gone.refresh_from_db()
    assert gone.origin_id is None  # unlinked: Procore keeps the payment, not tied to the ERP
    ours = ERPRequest.objects.get(procore_request_id=reset.id)
    assert ours.state == "succeeded", ours.last_error

    live = in_procore[str(kept.guid)]
    reset = payment_reset(payment=live)
    _deliver_and_work()
    live.refresh_from_db()
    assert live.origin_id == str(kept.guid)
    ours = ERPRequest.objects.get(procore_request_id=reset.id)
    assert ours.state == "failed"
    assert "still in the ERP" in ours.last_error


def test_a_worker_killed_mid_invoice_leaves_nothing_and_the_retry_creates_it_once(
    subcontract, provisioned, monkeypatch
):
    """The ERP writes an invoice in one transaction: a worker dying between its header and its
    lines leaves nothing; one dying after the ERP wrote it, before the write-back, leaves the
    invoice, which the retry finds instead of billing the commitment twice."""
    from datetime import timedelta

    from django.utils import timezone

    from erp_adapters.demo.models import DemoRequisitionLine as Lines
    from erp_adapters.registry import get_adapter
    from integrations.models.erp_requests import WorkState
    from integrations.procore import ProcoreClient
    from integrations.services.work import work_claim_one
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.exports import export_accept, export_send

    requisition = invoice_on(subcontract, "300.00", "300.00", number="INV-21")
    request = export_accept(export=export_send(obj=requisition))
    assert deliveries_run_due() >= 1
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    with ProcoreClient(provisioned) as client:
        (payload,) = client.get_erp_request(request.id).request_data["requisitions"]
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patched:
        patched.setattr(Lines.objects, "bulk_create", killed)
        with pytest.raises(SystemExit):
            adapter.requisitions.create(payload)
    assert not DemoRequisition.objects.filter(procore_id=requisition.id).exists()

    # A worker claims the request, creates the invoice in the ERP, then dies.
    claimed = work_claim_one(ERPRequest, pk=ours.pk)
    adapter.requisitions.create(payload)
    assert claimed.state == WorkState.PROCESSING
    ERPRequest.objects.filter(pk=ours.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    process_pending()

    assert DemoRequisition.objects.filter(procore_id=requisition.id).count() == 1
    assert Lines.objects.filter(requisition__procore_id=requisition.id).count() == 2
    detail = detail_of(request)
    assert detail.status == "success"
    assert detail.messages == ["Invoice INV-21: Already in the ERP as INV-21 with 2 lines."]
    requisition.refresh_from_db()
    assert requisition.origin_id is not None
