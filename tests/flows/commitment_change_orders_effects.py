"""The request-fixture walk's BEFORE and EFFECTS for commitment change orders, and the world
they (and the end-to-end tests) stand on: a project synced with a job in the ERP that has opened
its cost codes with cost type Other, a vendor synced with the ERP's, and a subcontract in
Procore, synced (its ERP id on it and on each line) and, unless told otherwise, in the ERP.

Each BEFORE builds what the fixture's data names and points the data's ids at it, keeping the
dictionary's shape; each EFFECT checks what the events dictionary requires of the request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo.models import (
    ChangeOrderStatus,
    CommitmentKind,
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoVendor,
)
from integrations.models import ERPRequest, ItemType, ObjectLink, SyncRun
from procore_sandbox.models import ProcoreObject, StagedRecord

CODES = (
    ("01-100", "General Conditions"),
    ("03-300", "Cast-in-Place Concrete"),
    ("09-900", "Painting"),
)


@dataclass
class World:
    """What a change order hangs on, in Procore (the sandbox) and in the ERP (the demo)."""

    tenant: str
    project: ProcoreObject
    vendor: ProcoreObject
    commitment: ProcoreObject
    job: DemoJob
    erp_vendor: DemoVendor
    codes: dict[str, DemoCostCode]
    other: DemoCostType
    lines: list[ProcoreObject] = field(default_factory=list)
    erp_commitment: DemoCommitment | None = None

    @property
    def commitment_origin_id(self) -> str:
        return str(self.commitment.origin_id)


def build_world(
    company: Any, tenant: str, *, lines: int = 3, commitment_in_erp: bool = True
) -> World:
    """The project, vendor and subcontract (``lines`` lines of 100.00), all synced in Procore."""
    from procore_sandbox.services.objects import (
        CommitmentLine,
        commitment_create,
        project_create,
        vendor_create,
    )

    codes = {
        code: DemoCostCode.objects.create(tenant=tenant, code=code, name=name)
        for code, name in CODES
    }
    other = DemoCostType.objects.create(tenant=tenant, code="O", name="Other")
    erp_vendor = DemoVendor.objects.create(tenant=tenant, code="V-000101", name="Rebar Bros")
    project = project_create(company=company, name="Harbor Tower", cost_codes=list(CODES))
    job = DemoJob.objects.create(
        tenant=tenant, code="J-7001", name="Harbor Tower", procore_id=project.id
    )
    for code in codes.values():
        opened = DemoJobCostCode.objects.create(tenant=tenant, job=job, cost_code=code)
        DemoJobCostType.objects.create(tenant=tenant, job_cost_code=opened, cost_type=other)
    vendor = vendor_create(company=company, name="Rebar Bros")
    _synced(project, job.guid, job.code)
    _synced(vendor, erp_vendor.guid, erp_vendor.code)
    cost_type = ProcoreObject.objects.get(
        company=company, item_type="line_item_type", data__code="O"
    )
    _synced(cost_type, other.guid, "O")
    sandbox_codes = {
        row.data["code"]: row
        for row in ProcoreObject.objects.filter(project=project, item_type="cost_code")
    }
    for code, row in sandbox_codes.items():
        _synced(row, job_cost_code_origin_id(str(job.guid), str(codes[code].guid)), code)
    names = list(sandbox_codes)
    commitment = commitment_create(
        company=company,
        project=project,
        vendor=vendor,
        kind="subcontract",
        title="Rebar and mesh",
        number="SC-001",
        lines=[
            CommitmentLine(sandbox_codes[names[n % len(names)]].id, cost_type.id, "100.00")
            for n in range(lines)
        ],
    )
    _synced(commitment, uuid.uuid4(), "SC-001")
    world = World(tenant, project, vendor, commitment, job, erp_vendor, codes, other)
    world.lines = list(
        ProcoreObject.objects.filter(parent=commitment, item_type="line_item").order_by("id")
    )
    for line in world.lines:
        _synced(line, uuid.uuid4(), str(line.data["position"]))
    if commitment_in_erp:
        put_commitment_in_erp(world)
    return world


def _synced(obj: ProcoreObject, origin_id: Any, origin_code: str) -> None:
    ProcoreObject.objects.filter(pk=obj.pk).update(
        origin_id=str(origin_id), origin_code=origin_code
    )
    obj.refresh_from_db()


def put_commitment_in_erp(world: World) -> DemoCommitment:
    """The subcontract in the ERP, with the ERP ids Procore shows on it and on its lines (as its
    export would have left them)."""
    codes_by_id = {
        row.id: world.codes[row.data["code"]]
        for row in ProcoreObject.objects.filter(project=world.project, item_type="cost_code")
    }
    header = DemoCommitment.objects.create(
        tenant=world.tenant,
        guid=uuid.UUID(world.commitment_origin_id),
        procore_id=world.commitment.id,
        job=world.job,
        vendor=world.erp_vendor,
        kind=CommitmentKind.SUBCONTRACT,
        number="SC-001",
        title="Rebar and mesh",
    )
    for line in world.lines:
        DemoCommitmentLine.objects.create(
            tenant=world.tenant,
            guid=uuid.UUID(line.origin_id),
            procore_id=line.id,
            commitment=header,
            position=line.data["position"],
            description=line.data["description"],
            cost_code=codes_by_id[line.data["cost_code_id"]],
            cost_type=world.other,
            amount=Decimal(line.data["amount"]),
        )
    world.erp_commitment = header
    return header


def link_commitment(portal_company: Any, world: World) -> ObjectLink:
    """The portal's own record that the subcontract is in Procore (its export or import)."""
    return ObjectLink.objects.create(
        company=portal_company,
        item_type=ItemType.WORK_ORDER_CONTRACT,
        origin_id=world.commitment_origin_id,
        origin_code="SC-001",
        procore_id=world.commitment.id,
        state=ObjectLink.State.SYNCED,
        content_hash="exported",
    )


def change_order_in_procore(
    company: Any, world: World, amounts: list[str], title: str = "Added rebar"
) -> ProcoreObject:
    """A change order on the subcontract, one line per amount, each changing a commitment line."""
    from procore_sandbox.services.objects import ChangeOrderLine, commitment_change_order_create

    return commitment_change_order_create(
        company=company,
        commitment=world.commitment,
        title=title,
        lines=[
            ChangeOrderLine(world.lines[n % len(world.lines)].id, amount)
            for n, amount in enumerate(amounts)
        ],
    )


def erp_change_order(
    world: World, *, number: str = "CO-7", amounts: tuple[str, ...] = ("50.00",)
) -> DemoChangeOrder:
    """A change order entered in the ERP on the subcontract, each line on a commitment line."""
    header = DemoChangeOrder.objects.create(
        tenant=world.tenant,
        commitment=world.erp_commitment,
        number=number,
        title=f"Change {number}",
        status=ChangeOrderStatus.APPROVED,
    )
    commitment_lines = list(world.erp_commitment.lines.order_by("position"))
    for n, value in enumerate(amounts, start=1):
        source = commitment_lines[(n - 1) % len(commitment_lines)]
        DemoChangeOrderLine.objects.create(
            tenant=world.tenant,
            change_order=header,
            commitment_line=source,
            position=n,
            description=f"More {source.description}",
            cost_code=source.cost_code,
            cost_type=source.cost_type,
            amount=Decimal(value),
        )
    return header


# -- BEFORE -------------------------------------------------------------------------------------


def _given_world(given: Any, lines: int = 1) -> World:
    return build_world(given.company, given.tenant, lines=lines)


def before_create_commitment_change_order(given: Any, data: dict) -> None:
    """The dictionary's change order (one line of 233.0 on the commitment's line 177), on a
    subcontract Procore and the ERP both hold."""
    world = _given_world(given)
    change_order = change_order_in_procore(given.company, world, ["233.00"])
    line = ProcoreObject.objects.get(parent=change_order, item_type="line_item")
    source = world.lines[0]
    data["job_origin_id"] = world.project.origin_id
    data["commitment"].update(
        id=world.commitment.id, number="SC-001", origin_id=world.commitment_origin_id
    )
    data["commitment"]["project"].update(id=world.project.id, origin_id=world.project.origin_id)
    data["commitment"]["vendor"].update(id=world.vendor.id, origin_id=world.vendor.origin_id)
    code = ProcoreObject.objects.get(id=source.data["cost_code_id"])
    code_ref = {
        "id": code.id,
        "full_code": code.data["code"],
        "name": code.data["name"],
        "origin_id": code.origin_id,
        "standard_cost_code_id": None,
    }
    type_ref = {"origin_id": str(world.other.guid), "code": "O", "name": "Other"}
    for item in data["commitment_items"]:
        item.update(id=source.id, origin_id=source.origin_id)
        item["cost_code"].update(code_ref)
        item["line_item_type"].update(type_ref)
    data["change_order"].update(id=change_order.id, contract_id=world.commitment.id)
    (item,) = data["change_order_items"]
    item.update(id=line.id, commitment_line_item_id=source.id)
    item["cost_code"].update(code_ref)
    item["line_item_type"].update(type_ref)


def before_unlink_commitment_change_order(given: Any, data: dict) -> None:
    """A synced change order the ERP has since voided."""
    world = _given_world(given)
    erp = erp_change_order(world)
    erp.status = ChangeOrderStatus.VOID
    erp.save(update_fields=["status"])
    change_order = change_order_in_procore(given.company, world, ["50.00"])
    _synced(change_order, erp.guid, erp.number)
    DemoChangeOrder.objects.filter(pk=erp.pk).update(procore_id=change_order.id)
    data.update(
        job_origin_id=world.project.origin_id,
        erp_commitment_id=world.commitment.id,
        erp_commitment_change_order_id=change_order.id,
        commitment_origin_id=world.commitment_origin_id,
        commitment_type="WorkOrderContract",
        commitment_change_order_origin_id=str(erp.guid),
        procore_commitment_change_order_id=change_order.id,
        project_id=world.project.id,
    )


def before_sync_commitment_change_orders(given: Any, data: dict) -> None:
    """A change order of three lines in the ERP, on a subcontract Procore holds."""
    world = _given_world(given, lines=3)
    link_commitment(given.connection.company, world)
    erp_change_order(world, amounts=("10.00", "20.00", "30.00"))


# -- EFFECTS ------------------------------------------------------------------------------------


def created_change_order(given: Any, ours: ERPRequest, data: dict) -> None:
    """The change order and its line are in the ERP, and Procore holds the ERP id of each."""
    change_order_id = data["change_order"]["id"]
    erp = DemoChangeOrder.objects.get(tenant=given.tenant, procore_id=change_order_id)
    assert erp.lines.get().amount == Decimal("233.00")
    assert ProcoreObject.objects.get(id=change_order_id).origin_id == str(erp.guid)
    line_id = data["change_order_items"][0]["id"]
    assert ProcoreObject.objects.get(id=line_id).origin_id == str(erp.lines.get().guid)
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type=ItemType.COMMITMENT_CHANGE_ORDER
    )
    assert (link.state, link.procore_id) == ("synced", change_order_id)


def unlinked_change_order(given: Any, ours: ERPRequest, data: dict) -> None:
    """Void in the ERP: Procore no longer shows it synced."""
    change_order = ProcoreObject.objects.get(id=data["procore_commitment_change_order_id"])
    assert change_order.origin_id is None


def staged_change_orders(given: Any, ours: ERPRequest, data: dict) -> None:
    """The ERP's change order waits on Ready to Import with its three lines."""
    run = SyncRun.objects.get(erp_request=ours)
    assert (run.state, run.created, run.failed) == ("succeeded", 1, 0)
    record = StagedRecord.objects.get(company=given.company, item_type="commitment_change_order")
    assert record.status == "staged"
    assert record.children.count() == 3


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "create_commitment_change_order": before_create_commitment_change_order,
    "unlink_commitment_change_order": before_unlink_commitment_change_order,
    "sync_commitment_change_orders": before_sync_commitment_change_orders,
}
EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "create_commitment_change_order": created_change_order,
    "unlink_commitment_change_order": unlinked_change_order,
    "sync_commitment_change_orders": staged_change_orders,
}
