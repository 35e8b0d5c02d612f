"""The request-fixture walk's BEFORE and EFFECTS for the events dictionary's "Commitments"
section: ``create_commitment``, ``create_commitment_in_procore``, ``sync_commitments`` and
``unlink_commitment``.

Each BEFORE builds what the fixture's data names, in Procore (the sandbox) and in the ERP (the
demo books): a project synced with a job that has cost code 01-000 open with cost type O, a
vendor synced with an ERP vendor, and the commitment itself; it points the data's ids at them,
keeping the dictionary's shape. Each EFFECT checks what the dictionary requires (External Data
for the header and each line, staged records with their lines, the unsync) and what the
portal's links say.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo import commitments as erp_commitments
from erp_adapters.demo.models import (
    CommitmentKind,
    CommitmentStatus,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoVendor,
)
from integrations.models import ERPRequest, ObjectLink, SyncRun
from procore_sandbox.models import ProcoreObject, StagedRecord


def _world(given: Any) -> dict[str, Any]:
    """Project A synced with job J-7 (cost code 01-000 open, cost type O assigned), and vendor
    '90 Minute Courier' synced with an ERP vendor; the portal's links know both."""
    from procore_sandbox.services.objects import project_create, vendor_create

    tenant = given.tenant
    parent = DemoCostCode.objects.create(tenant=tenant, code="01", name="General")
    code = DemoCostCode.objects.create(tenant=tenant, code="01-000", name="Purpose", parent=parent)
    other = DemoCostType.objects.create(tenant=tenant, code="O", name="Other")
    project = project_create(
        company=given.company,
        name="Project A",
        cost_codes=[("01", "General"), ("01-000", "Purpose")],
    )
    job = DemoJob.objects.create(tenant=tenant, code="J-7", name="Project A", procore_id=project.id)
    opened = DemoJobCostCode.objects.create(tenant=tenant, job=job, cost_code=code)
    DemoJobCostType.objects.create(tenant=tenant, job_cost_code=opened, cost_type=other)
    vendor = vendor_create(company=given.company, name="90 Minute Courier")
    erp_vendor = DemoVendor.objects.create(
        tenant=tenant, code="V-000090", name="90 Minute Courier", procore_id=vendor.id
    )
    cost_type = ProcoreObject.objects.get(
        company=given.company, item_type="line_item_type", data__code="O"
    )
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid))
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=str(erp_vendor.guid))
    ProcoreObject.objects.filter(pk=cost_type.pk).update(origin_id=str(other.guid))
    company = given.connection.company
    for item_type, origin, procore_id in (
        ("project", job.guid, project.id),
        ("vendor", erp_vendor.guid, vendor.id),
    ):
        ObjectLink.objects.create(
            company=company,
            item_type=item_type,
            origin_id=str(origin),
            procore_id=procore_id,
            state="synced",
            content_hash="h",
        )
    project.refresh_from_db()
    vendor.refresh_from_db()
    cost_code = ProcoreObject.objects.get(
        project=project, item_type="cost_code", data__code="01-000"
    )
    return {
        "job": job,
        "code": code,
        "opened": opened,
        "other": other,
        "erp_vendor": erp_vendor,
        "project": project,
        "vendor": vendor,
        "cost_code": cost_code,
        "cost_type": cost_type,
    }


def _procore_commitment(given: Any, world: dict[str, Any]) -> ProcoreObject:
    from procore_sandbox.services.objects import CommitmentLine, commitment_create

    return commitment_create(
        company=given.company,
        project=world["project"],
        vendor=world["vendor"],
        kind="work_order_contract",
        title="WOC 1 (QB)",
        number="SC-001",
        lines=[
            CommitmentLine(
                cost_code_id=world["cost_code"].id,
                line_item_type_id=world["cost_type"].id,
                amount="250.0",
                description="Line Item 1",
            )
        ],
    )


def _line(commitment: ProcoreObject) -> ProcoreObject:
    return ProcoreObject.objects.get(parent=commitment, item_type="line_item")


# -- create_commitment -------------------------------------------------------------------------


def before_create_commitment(given: Any, data: dict) -> None:
    world = _world(given)
    commitment = _procore_commitment(given, world)
    job, code = world["job"], world["code"]
    data["job_id"] = str(job.guid)
    header = data["commitment"]
    header.update(id=commitment.id, number="SC-001")
    header["project"].update(id=world["project"].id, origin_id=str(job.guid))
    header["vendor"].update(id=world["vendor"].id, origin_id=str(world["erp_vendor"].guid))
    (item,) = data["commitment_items"]
    item.update(id=_line(commitment).id)
    item["holder"]["id"] = commitment.id
    item["project"].update(id=world["project"].id, origin_id=str(job.guid))
    item["cost_code"].update(
        id=world["cost_code"].id,
        origin_id=job_cost_code_origin_id(str(job.guid), str(code.guid)),
        biller_id=world["project"].id,
        biller_origin_id=str(job.guid),
    )
    item["line_item_type"].update(id=world["cost_type"].id, origin_id=str(world["other"].guid))


def created_commitment(given: Any, ours: ERPRequest, data: dict) -> None:
    """The subcontract and its line are in the ERP, posting to the job's cost code; Procore
    holds the ERP ids of both (External Data): synced."""
    header, (item,) = data["commitment"], data["commitment_items"]
    document = DemoCommitment.objects.get(tenant=given.tenant, procore_id=header["id"])
    (line,) = document.lines.all()
    assert (document.kind, document.number, document.status) == (
        CommitmentKind.SUBCONTRACT,
        "SC-001",
        CommitmentStatus.APPROVED,
    )
    assert (line.procore_id, line.amount, line.job_cost_code.cost_code.code) == (
        item["id"],
        Decimal("250.00"),
        "01-000",
    )
    assert ProcoreObject.objects.get(id=header["id"]).origin_id == str(document.guid)
    assert ProcoreObject.objects.get(id=item["id"]).origin_id == str(line.guid)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="work_order_contract")
    assert (link.state, link.procore_id, link.origin_code) == ("synced", header["id"], "SC-001")


# -- create_commitment_in_procore ----------------------------------------------------------------


def _erp_document(given: Any, world: dict[str, Any], number: str) -> DemoCommitment:
    document = DemoCommitment.objects.create(
        tenant=given.tenant,
        job=world["job"],
        vendor=world["erp_vendor"],
        kind=CommitmentKind.SUBCONTRACT,
        number=number,
        title="Contract 1",
        status=CommitmentStatus.APPROVED,
    )
    DemoCommitmentLine.objects.create(
        tenant=given.tenant,
        commitment=document,
        position=1,
        description="Line Item 1",
        job_cost_code=world["opened"],
        cost_code=world["code"],
        cost_type=world["other"],
        amount=Decimal("1000.00"),
    )
    return document


def before_create_commitment_in_procore(given: Any, data: dict) -> None:
    """The approver imported the ERP's SC-100 (staged by a commitment import): Procore created
    it and its line with our origin ids, and names them as its show endpoint does."""
    world = _world(given)
    document = _erp_document(given, world, "SC-100")
    commitment = _procore_commitment(given, world)
    line = _line(commitment)
    erp_line = document.lines.get()
    ProcoreObject.objects.filter(pk=commitment.pk).update(origin_id=str(document.guid))
    ProcoreObject.objects.filter(pk=line.pk).update(origin_id=str(erp_line.guid))
    data["project_origin_id"] = str(world["job"].guid)
    data["commitment"].update(
        id=commitment.id,
        origin_id=str(document.guid),
        number="SC-100",
        type="WorkOrderContract",
        line_items=[{"id": line.id, "origin_id": str(erp_line.guid), "position": 1}],
    )


def remembered_imported_commitment(given: Any, ours: ERPRequest, data: dict) -> None:
    header = data["commitment"]
    company = given.connection.company
    link = ObjectLink.objects.get(company=company, item_type="work_order_contract")
    assert (link.state, link.procore_id, link.origin_id) == (
        "synced",
        header["id"],
        header["origin_id"],
    )
    (line,) = header["line_items"]
    line_link = ObjectLink.objects.get(company=company, item_type="line_item")
    assert (line_link.state, line_link.procore_id, line_link.origin_id) == (
        "synced",
        line["id"],
        line["origin_id"],
    )


# -- sync_commitments ----------------------------------------------------------------------------


def before_sync_commitments(given: Any, data: dict) -> None:
    """The ERP holds SC-200, on a job and for a vendor both synced with Procore."""
    _erp_document(given, _world(given), "SC-200")


def staged_commitments(given: Any, ours: ERPRequest, data: dict) -> None:
    """SC-200 waits on Ready to Import with its line as a child, naming its project, vendor,
    cost code and cost type by their ERP ids."""
    run = SyncRun.objects.get(erp_request=ours)
    assert (run.entity, run.state, run.created, run.skipped) == ("commitments", "succeeded", 1, 0)
    document = DemoCommitment.objects.get(tenant=given.tenant, number="SC-200")
    record = StagedRecord.objects.get(company=given.company, origin_id=str(document.guid))
    assert (record.item_type, record.status, record.origin_code) == (
        "work_order_contract",
        "staged",
        "SC-200",
    )
    assert record.data["project_origin_id"] == str(document.job.guid)
    assert record.data["vendor_origin_id"] == str(document.vendor.guid)
    (child,) = record.children.all()
    line = document.lines.get()
    assert (child.item_type, child.origin_id) == ("line_item", str(line.guid))
    assert child.data["cost_code_origin_id"] == job_cost_code_origin_id(
        str(document.job.guid), str(line.cost_code.guid)
    )
    assert child.data["line_item_type_origin_id"] == str(line.cost_type.guid)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="work_order_contract")
    assert (link.state, link.origin_id) == ("staged", str(document.guid))


# -- unlink_commitment ---------------------------------------------------------------------------


def before_unlink_commitment(given: Any, data: dict) -> None:
    """SC-001 was exported and is synced; the accountant has since voided it in the ERP. The
    dictionary's ``commitment_type`` is a placeholder, so the portal's own link says which
    kind it is."""
    world = _world(given)
    commitment = _procore_commitment(given, world)
    document = _erp_document(given, world, "SC-001")
    DemoCommitment.objects.filter(pk=document.pk).update(procore_id=commitment.id)
    erp_commitments.commitment_void(document)
    ProcoreObject.objects.filter(pk=commitment.pk).update(origin_id=str(document.guid))
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="work_order_contract",
        origin_id=str(document.guid),
        procore_id=commitment.id,
        state="synced",
        content_hash="",
    )
    data.update(
        job_origin_id=str(world["job"].guid),
        project_id=world["project"].id,
        procore_commitment_id=commitment.id,
        erp_commitment_id=commitment.id,
        commitment_origin_id=str(document.guid),
    )


def unlinked_commitment(given: Any, ours: ERPRequest, data: dict) -> None:
    """Void in the ERP: unsynced in Procore (External Data ``origin_id: null``), and the
    portal's link no longer names a Procore object."""
    assert ProcoreObject.objects.get(id=data["procore_commitment_id"]).origin_id is None
    link = ObjectLink.objects.get(company=given.connection.company, item_type="work_order_contract")
    assert (link.state, link.procore_id) == ("pending", None)
    assert DemoCommitment.objects.get(tenant=given.tenant).status == CommitmentStatus.VOID


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "create_commitment": before_create_commitment,
    "create_commitment_in_procore": before_create_commitment_in_procore,
    "sync_commitments": before_sync_commitments,
    "unlink_commitment": before_unlink_commitment,
}

EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "create_commitment": created_commitment,
    "create_commitment_in_procore": remembered_imported_commitment,
    "sync_commitments": staged_commitments,
    "unlink_commitment": unlinked_commitment,
}
