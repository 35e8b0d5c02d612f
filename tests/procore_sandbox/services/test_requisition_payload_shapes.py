"""The events dictionary's Requisitions and Payments sections as the sandbox sends them: each
``request_data`` has the keys of the portal's fixture (copied from the dictionary), with the
differences listed here and why, and the Request Details its ``request_detail_id`` slots name.
The method is ``test_payload_shapes``'s, whose helpers are reused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from procore_sandbox.models import ErpRequest, ProcoreObject
from procore_sandbox.services import requisitions
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.objects import CommitmentLine, commitment_create, vendor_create
from tests.procore_sandbox.services.test_payload_shapes import (
    World,
    detail_slots,
    expected_shape,
    shape,
)

pytestmark = pytest.mark.django_db

# The dictionary's contract_payment keys the hand-repaired fixture dropped (the sandbox sends them).
PAYMENT_KEYS_DROPPED_BY_FIXTURE = {
    f"contract_payment.{key}"
    for key in (
        "date_payment_created",
        "date_payment_initiated",
        "date_payment_funded",
        "date_payment_settled",
        "retainage_released_payment_amount",
        "draw_request_number",
        "payment_number",
        "bank_id",
    )
}
EXTRA = {
    # The sample has no Request Detail; the sandbox gives each requisition one (docs/sandbox.md).
    "create_requisitions": {"requisitions[].request_detail_id"},
    "create_contract_payment": PAYMENT_KEYS_DROPPED_BY_FIXTURE,
    # Every Refresh button sends company_id, as the other sync_* events do.
    "sync_contract_payments": {"company_id"},
}


def _invoice(w: World, *, synced: bool = False) -> ProcoreObject:
    project = w.job()
    vendor = w.synced(vendor_create(company=w.company, name="Acme Concrete"), "V-1")
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    commitment = w.synced(
        commitment_create(
            company=w.company,
            project=project,
            vendor=vendor,
            kind="subcontract",
            title="Concrete",
            lines=[CommitmentLine(code.id, w.cost_types["L"].id, "1000")],
        ),
        "SC-1",
    )
    (line,) = ProcoreObject.objects.filter(parent=commitment, item_type="line_item")
    w.synced(line, "SC-1-L1")
    invoice = requisitions.requisition_create(
        company=w.company,
        commitment=commitment,
        lines=[requisitions.RequisitionLine(line.id, "400", "40")],
    )
    return w.synced(invoice, "REQ-1") if synced else invoice


def make_create_requisitions(w: World) -> ErpRequest:
    return requisitions.requisitions_export_batch(company=w.company, requisitions=[_invoice(w)])


def make_create_contract_payment(w: World) -> ErpRequest:
    payment = requisitions.contract_payment_create(requisition=_invoice(w), amount="100")
    return w.exported(payment)


def make_reset_requisition(w: World) -> ErpRequest:
    return requisitions.requisition_reset(requisition=_invoice(w, synced=True))


def make_reset_payment(w: World) -> ErpRequest:
    payment = requisitions.contract_payment_create(requisition=_invoice(w), amount="100")
    return requisitions.payment_reset(payment=w.synced(payment, "PAY-1"))


def make_sync_contract_payments(w: World) -> ErpRequest:
    (request,) = button_press(company=w.company, button="refresh_contract_payments")
    return request


MAKERS: dict[str, Callable[[World], ErpRequest]] = {
    "create_requisitions": make_create_requisitions,
    "reset_requisition": make_reset_requisition,
    "create_contract_payment": make_create_contract_payment,
    "reset_payment": make_reset_payment,
    "sync_contract_payments": make_sync_contract_payments,
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_request_data_has_the_dictionarys_keys(name):
    request = MAKERS[name](World())
    request.refresh_from_db()
    assert request.request_name == name
    actual, expected = shape(request.request_data), expected_shape(name)
    assert {"extra": sorted(actual - expected), "missing": sorted(expected - actual)} == {
        "extra": sorted(EXTRA.get(name, set())),
        "missing": [],
    }
    slots = detail_slots(request.request_data)
    assert sorted(slots) == sorted(request.details.values_list("id", flat=True))


def test_an_invoice_sent_alone_carries_the_request_detail_of_the_request():
    w = World()
    request = w.exported(_invoice(w))
    (requisition,) = request.request_data["requisitions"]
    assert "request_detail_id" not in requisition
    assert request.request_data["request_detail_id"] == request.details.get().id
