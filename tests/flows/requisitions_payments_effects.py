"""The request-fixture walk's BEFORE and EFFECTS for requisitions (subcontractor invoices) and
the payments against them (issue 11).

``synced_commitment`` builds, in Procore (the sandbox) and in the ERP (the demo books), a
subcontract already synced between them, with its lines; the end-to-end tests use it too.
Each BEFORE points the fixture's data at what it built, keeping the dictionary's shape; each
EFFECT checks what the events dictionary requires (the ERP holds the document, External Data
marks it and its items synced, the invoice payment is written or unlinked) and what the portal's
links say.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from erp_adapters.demo.models import (
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoPayment,
    DemoRequisition,
    DemoVendor,
)
from erp_adapters.demo.requisitions import payment_record
from integrations.models import ERPRequest, ObjectLink
from procore_sandbox.models import ProcoreObject


@dataclass
class SyncedCommitment:
    """A subcontract on both sides: ``commitment``/``lines`` in Procore, ``erp``/``erp_lines``
    in the ERP, tied by origin ids."""

    commitment: ProcoreObject
    lines: list[ProcoreObject]
    erp: DemoCommitment
    erp_lines: list[DemoCommitmentLine]


def synced_commitment(
    company: Any, tenant: str, amounts: tuple[str, ...] = ("1000.00", "1000.00"), n: int = 1
) -> SyncedCommitment:
    """Project, vendor and a subcontract with one line per amount, synced with the ERP."""
    from procore_sandbox.services.objects import (
        CommitmentLine,
        commitment_create,
        project_create,
        vendor_create,
    )

    project = project_create(company=company, name=f"Riverside Lofts {n}")
    vendor = vendor_create(company=company, name=f"Acme Concrete {n}")
    job = DemoJob.objects.create(tenant=tenant, code=f"J-{n}", name=project.data["name"])
    erp_vendor = DemoVendor.objects.create(tenant=tenant, code=f"V-{n}", name="Acme Concrete")
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid))
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=str(erp_vendor.guid))
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    cost_type = ProcoreObject.objects.filter(company=company, item_type="line_item_type").first()
    erp_code, _ = DemoCostCode.objects.get_or_create(
        tenant=tenant, code=code.data["code"], defaults={"name": code.data.get("name", "")}
    )
    erp_type, _ = DemoCostType.objects.get_or_create(
        tenant=tenant, code="S", defaults={"name": "Subcontract"}
    )
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind="subcontract",
        title="Concrete package",
        lines=[
            CommitmentLine(code.id, cost_type.id, amount, description=f"Pour {i}")
            for i, amount in enumerate(amounts, start=1)
        ],
    )
    erp = DemoCommitment.objects.create(
        tenant=tenant,
        procore_id=commitment.id,
        job=job,
        vendor=erp_vendor,
        kind="subcontract",
        number=commitment.data["number"],
        title="Concrete package",
    )
    ProcoreObject.objects.filter(pk=commitment.pk).update(origin_id=str(erp.guid))
    commitment.refresh_from_db()
    lines = list(ProcoreObject.objects.filter(parent=commitment, item_type="line_item"))
    erp_lines = []
    for position, line in enumerate(lines, start=1):
        erp_line = DemoCommitmentLine.objects.create(
            tenant=tenant,
            commitment=erp,
            procore_id=line.id,
            position=position,
            description=line.data["description"],
            cost_code=erp_code,
            cost_type=erp_type,
            amount=Decimal(line.data["amount"]),
        )
        ProcoreObject.objects.filter(pk=line.pk).update(origin_id=str(erp_line.guid))
        erp_lines.append(erp_line)
    return SyncedCommitment(commitment, lines, erp, erp_lines)


def invoice_on(synced: SyncedCommitment, *amounts: str, number: str = "INV-1") -> ProcoreObject:
    """A subcontractor invoice in Procore billing ``amounts`` on the commitment's lines."""
    from procore_sandbox.services.requisitions import RequisitionLine, requisition_create

    return requisition_create(
        company=synced.commitment.company,
        commitment=synced.commitment,
        invoice_number=number,
        lines=[
            RequisitionLine(line.id, amount, retainage="10.00")
            for line, amount in zip(synced.lines, amounts, strict=False)
        ],
    )


def erp_invoice(synced: SyncedCommitment, requisition: ProcoreObject) -> DemoRequisition:
    """The invoice exported into the ERP already (as by an earlier create_requisitions), and
    synced in Procore."""
    from erp_adapters.demo.adapter import DemoAdapter
    from procore_sandbox.services.requisitions import requisition_json

    adapter = DemoAdapter({"tenant": synced.erp.tenant, "page_size": 1000, "offline": False})
    result = adapter.requisitions.create(requisition_json(requisition))
    ProcoreObject.objects.filter(pk=requisition.pk).update(origin_id=result.origin_id)
    requisition.refresh_from_db()
    return DemoRequisition.objects.get(guid=result.origin_id)


# -- create_requisitions ------------------------------------------------------------------------


def before_create_requisitions(given: Any, data: dict) -> None:
    """The dictionary's invoice 9348 bills 500.00 on each of two lines of a synced subcontract;
    it is an invoice in Procore."""
    synced = synced_commitment(given.company, given.tenant)
    requisition = invoice_on(synced, "500.00", "500.00", number="9348")
    (item,) = data["requisitions"]
    item.update(
        procore_requisition_id=requisition.id,
        contract_id=synced.commitment.id,
        contract_origin_id=synced.commitment.origin_id,
        job_origin_id=synced.commitment.project.origin_id,
    )
    procore_lines = list(ProcoreObject.objects.filter(parent=requisition).order_by("id"))
    for line, procore_line, erp_line in zip(
        item["line_items"], procore_lines, synced.erp_lines, strict=True
    ):
        line.update(
            procore_requisition_item_id=procore_line.id,
            commitment_item_origin_id=str(erp_line.guid),
        )


def created_requisitions(given: Any, ours: ERPRequest, data: dict) -> None:
    """The invoice is in the ERP with both lines and their retainage; Procore holds the ERP ids
    of the invoice and of each line (External Data ``requisition`` and
    ``requisition_contract_item``)."""
    (item,) = data["requisitions"]
    erp = DemoRequisition.objects.get(
        tenant=given.tenant, procore_id=item["procore_requisition_id"]
    )
    assert erp.number == "9348"
    lines = list(erp.lines.order_by("position"))
    assert [(line.amount, line.retainage) for line in lines] == [
        (Decimal("500.00"), Decimal("10.00")),
        (Decimal("500.00"), Decimal("10.00")),
    ]
    requisition = ProcoreObject.objects.get(id=item["procore_requisition_id"])
    assert requisition.origin_id == str(erp.guid)
    for line, erp_line in zip(item["line_items"], lines, strict=True):
        in_procore = ProcoreObject.objects.get(id=line["procore_requisition_item_id"])
        assert (in_procore.item_type, in_procore.origin_id) == (
            "requisition_contract_item",
            str(erp_line.guid),
        )
    link = ObjectLink.objects.get(company=given.connection.company, item_type="requisition")
    assert (link.state, link.procore_id, link.origin_code) == ("synced", requisition.id, "9348")


# -- reset_requisition --------------------------------------------------------------------------


def before_reset_requisition(given: Any, data: dict) -> None:
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="requisition",
        origin_id=data["requisition_origin_id"],
        procore_id=data["requisition_id"],
        state="synced",
    )


def reset_requisition_forgotten(given: Any, ours: ERPRequest, data: dict) -> None:
    """The portal no longer ties the ERP invoice to a Procore requisition."""
    link = ObjectLink.objects.get(
        company=given.connection.company,
        item_type="requisition",
        origin_id=data["requisition_origin_id"],
    )
    assert (link.state, link.procore_id) == ("pending", None)


# -- create_payment / create_contract_payment ----------------------------------------------------


def before_create_payment(given: Any, data: dict) -> None:
    """The dictionary's payment of 1.00 pays an invoice that is in the ERP already."""
    from procore_sandbox.services.requisitions import contract_payment_create

    synced = synced_commitment(given.company, given.tenant)
    requisition = invoice_on(synced, "500.00")
    erp_invoice(synced, requisition)
    payment = contract_payment_create(requisition=requisition, amount="1.00", check_number="12")
    data["contract_payment"].update(
        id=payment.id,
        project_id=requisition.project_id,
        contract_id=synced.commitment.id,
        requisition_id=requisition.id,
    )


def created_payment(given: Any, ours: ERPRequest, data: dict) -> None:
    """The ERP recorded the payment against the invoice; Procore holds its ERP id
    (External Data ``contract_payment``)."""
    payment = data["contract_payment"]
    erp = DemoPayment.objects.get(tenant=given.tenant, procore_id=payment["id"])
    assert (erp.amount, erp.check_number, erp.method) == (Decimal("1.00"), "12", "ach")
    assert erp.requisition.procore_id == payment["requisition_id"]
    in_procore = ProcoreObject.objects.get(id=payment["id"])
    assert (in_procore.item_type, in_procore.origin_id) == ("contract_payment", str(erp.guid))


# -- sync_contract_payments ----------------------------------------------------------------------


def before_sync_contract_payments(given: Any, data: dict) -> None:
    """The ERP's accountant paid 400.00 on an invoice exported from Procore."""
    synced = synced_commitment(given.company, given.tenant)
    requisition = invoice_on(synced, "500.00")
    erp = erp_invoice(synced, requisition)
    payment_record(
        requisition=erp,
        amount=Decimal("400.00"),
        paid_on=datetime.date(2026, 11, 20),
        check_number="1044",
    )


def synced_contract_payments(given: Any, ours: ERPRequest, data: dict) -> None:
    """Procore holds the payment on the invoice, with the ERP's id; the portal links it."""
    erp = DemoPayment.objects.get(tenant=given.tenant)
    in_procore = ProcoreObject.objects.get(company=given.company, item_type="invoice_payment")
    assert in_procore.origin_id == str(erp.guid)
    assert in_procore.data["invoice_id"] == erp.requisition.procore_id
    assert (in_procore.data["amount"], in_procore.data["check_number"]) == ("400.00", "1044")
    link = ObjectLink.objects.get(company=given.connection.company, item_type="invoice_payment")
    assert (link.state, link.procore_id) == ("synced", in_procore.id)


# -- reset_payment -------------------------------------------------------------------------------


def before_reset_payment(given: Any, data: dict) -> None:
    """An invoice payment synced from the ERP, which the ERP has since deleted."""
    from procore_sandbox.services.requisitions import INVOICE_TYPE

    synced = synced_commitment(given.company, given.tenant)
    requisition = invoice_on(synced, "500.00")
    payment = ProcoreObject.objects.create(
        company=given.company,
        item_type="invoice_payment",
        origin_id=data["origin_id"],
        origin_code=data["origin_code"],
        data={"invoice_type": INVOICE_TYPE, "invoice_id": requisition.id, "amount": "5.00"},
    )
    data["payment_id"] = payment.id


def unlinked_payment(given: Any, ours: ERPRequest, data: dict) -> None:
    """Procore keeps the payment, no longer tied to the ERP."""
    payment = ProcoreObject.objects.get(id=data["payment_id"])
    assert payment.origin_id is None


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "create_requisitions": before_create_requisitions,
    "reset_requisition": before_reset_requisition,
    "create_payment": before_create_payment,
    "create_contract_payment": before_create_payment,
    "sync_contract_payments": before_sync_contract_payments,
    "reset_payment": before_reset_payment,
}

EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "create_requisitions": created_requisitions,
    "reset_requisition": reset_requisition_forgotten,
    "create_payment": created_payment,
    "create_contract_payment": created_payment,
    "sync_contract_payments": synced_contract_payments,
    "reset_payment": unlinked_payment,
}
