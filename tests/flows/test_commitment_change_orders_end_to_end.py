"""Commitment change orders, end to end over real HTTP: a person in Procore (the local sandbox)
sends a change order on a synced subcontract to the ERP, the approver accepts, Procore delivers
the webhook, the portal creates it in the demo ERP with every line (or nothing), marks the change
order and each line synced in Procore and closes the Request Detail; the approver unlinks one;
and the ERP's own change orders are staged, with their lines, for Add to Procore."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from erp_adapters.demo.models import (
    ChangeOrderStatus,
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoJobCostCode,
)
from integrations.models import ERPRequest, ItemType, ObjectLink, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.sweeper import process_pending
from integrations.services.work import work_claim_one
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.flows.commitment_change_orders_effects import (
    World,
    build_world,
    change_order_in_procore,
    erp_change_order,
    link_commitment,
    put_commitment_in_erp,
)
from tests.flows.conftest import detail_of, tenant_of


@pytest.fixture
def world(provisioned, sandbox_company) -> World:
    return build_world(sandbox_company, tenant_of(provisioned))


def _deliver():
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1  # Procore POSTs the webhook to the portal


def _send(change_order: ProcoreObject):
    """Send to ERP and the approver accepts; the webhook is delivered, not yet processed."""
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=change_order))
    _deliver()
    return request


def _export(change_order: ProcoreObject):
    request = _send(change_order)
    process_pending()
    return request


def _lines(change_order: ProcoreObject) -> list[ProcoreObject]:
    return list(
        ProcoreObject.objects.filter(parent=change_order, item_type="line_item").order_by("id")
    )


def _written_back(change_order: ProcoreObject) -> DemoChangeOrder:
    """Procore shows the change order and each line with the ERP id of its ERP row."""
    erp = DemoChangeOrder.objects.get(procore_id=change_order.id)
    change_order.refresh_from_db()
    assert change_order.origin_id == str(erp.guid)
    erp_lines = {line.procore_id: line for line in erp.lines.all()}
    lines = _lines(change_order)
    assert len(erp_lines) == len(lines)
    for line in lines:
        assert line.origin_id == str(erp_lines[line.id].guid)
        assert erp_lines[line.id].amount == Decimal(line.data["amount"])
    return erp


def test_refused_while_its_commitment_is_not_in_the_erp_then_accepted_once_it_is(
    provisioned, sandbox_company
):
    world = build_world(sandbox_company, tenant_of(provisioned), commitment_in_erp=False)
    change_order = change_order_in_procore(sandbox_company, world, ["250.00", "-40.00"])

    request = _export(change_order)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages[0].startswith("Change order 1 was not created in the ERP")
    assert "Commitment SC-001 is not in the ERP; export the commitment first." in detail.messages
    assert not DemoChangeOrder.objects.exists()
    change_order.refresh_from_db()
    assert change_order.origin_id is None  # not synced: it may be sent again

    put_commitment_in_erp(world)
    request = _export(change_order)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Created change order 1 on commitment SC-001 in the ERP with 2 lines."
    ]
    erp = _written_back(change_order)
    assert erp.commitment == world.erp_commitment
    assert sorted(erp.lines.values_list("amount", flat=True)) == [
        Decimal("-40.00"),
        Decimal("250.00"),
    ]
    link = ObjectLink.objects.get(
        company=provisioned.company, item_type=ItemType.COMMITMENT_CHANGE_ORDER
    )
    assert (link.state, link.procore_id, link.origin_id) == (
        "synced",
        change_order.id,
        str(erp.guid),
    )


def test_a_change_order_of_many_lines_is_written_back_line_by_line_in_one_call(
    provisioned, sandbox_company
):
    world = build_world(sandbox_company, tenant_of(provisioned), lines=12)
    amounts = [f"{n * 7 % 997}.{n % 100:02d}" for n in range(1, 121)]
    change_order = change_order_in_procore(sandbox_company, world, amounts)

    request = _export(change_order)

    assert detail_of(request).status == "success"
    erp = _written_back(change_order)
    assert erp.lines.count() == 120
    total = sum(Decimal(a) for a in amounts)
    assert sum(erp.lines.values_list("amount", flat=True)) == total
    assert Decimal(ProcoreObject.objects.get(id=change_order.id).data["grand_total"]) == total
    # Each line changes the commitment line it changes in Procore.
    for line in _lines(change_order):
        erp_line = DemoChangeOrderLine.objects.get(procore_id=line.id)
        assert erp_line.commitment_line.procore_id == line.data["commitment_line_item_id"]
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    external_data = [a for a in ours.api_attempts.all() if "external_data" in a.path]
    assert len(external_data) == 1  # the change order and its 120 lines in one call


def test_one_line_the_erp_refuses_leaves_nothing_of_the_change_order(provisioned, sandbox_company):
    world = build_world(sandbox_company, tenant_of(provisioned), lines=3)
    # The job closes cost code 09-900 in the ERP: the third commitment line's code.
    third = world.lines[2]
    code = ProcoreObject.objects.get(id=third.data["cost_code_id"]).data["code"]
    DemoJobCostCode.objects.filter(job=world.job, cost_code__code=code).update(is_active=False)
    change_order = change_order_in_procore(sandbox_company, world, ["10.00", "20.00", "30.00"])

    request = _export(change_order)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages[0] == (
        "Change order 1 was not created in the ERP (none of its lines were kept):"
    )
    assert any(
        m.startswith(f"Line 3: cost code {code} ") and "is not open on job J-7001" in m
        for m in detail.messages
    ), detail.messages
    assert not DemoChangeOrder.objects.exists() and not DemoChangeOrderLine.objects.exists()
    assert all(line.origin_id is None for line in _lines(change_order))


def test_a_line_the_erps_database_refuses_mid_write_leaves_no_header(provisioned, sandbox_company):
    """Whole or nothing below the checks too: a line that breaks a rule of the ERP's tables
    after the header is written takes the header with it."""
    from erp_adapters.base import ConstraintViolation
    from erp_adapters.registry import get_adapter
    from procore_sandbox.services.payloads import change_order_payload

    world = build_world(sandbox_company, tenant_of(provisioned), lines=2)
    change_order = change_order_in_procore(sandbox_company, world, ["10.00", "20.00"])
    payload = change_order_payload(change_order)
    payload["change_order_items"][1]["id"] = payload["change_order_items"][0][
        "id"
    ]  # same line twice
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)

    with pytest.raises(ConstraintViolation):
        adapter.commitment_change_orders.create(payload)

    assert not DemoChangeOrder.objects.exists() and not DemoChangeOrderLine.objects.exists()


def test_delivered_twice_and_retried_after_a_killed_worker_it_is_created_once(
    provisioned, sandbox_company, world
):
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.knobs import knob_set

    knob_set(name="webhook_duplicate_share", value=1.0)
    change_order = change_order_in_procore(sandbox_company, world, ["75.00", "25.00"])
    request = _send(change_order)
    deliveries_run_due()
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    # A worker claims it, creates the change order in the ERP, then dies before the write-back.
    claimed = work_claim_one(ERPRequest, pk=ours.pk)
    assert claimed.state == WorkState.PROCESSING
    with ProcoreClient(provisioned) as client:
        fetched = client.get_erp_request(request.id)
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)
    assert adapter.commitment_change_orders.create(fetched.request_data).created
    ERPRequest.objects.filter(pk=ours.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    process_pending()
    process_pending()

    assert DemoChangeOrder.objects.filter(procore_id=change_order.id).count() == 1
    assert DemoChangeOrderLine.objects.count() == 2
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert "was already in the ERP (2 lines)" in detail.messages[0]
    _written_back(change_order)


def _unlink(change_order: ProcoreObject):
    from procore_sandbox.services.change_order_unlink import change_order_unlink

    request = change_order_unlink(change_order=change_order)
    _deliver()
    process_pending()
    return request


def test_unlink_is_refused_while_the_change_order_is_live_and_done_once_it_is_void(
    provisioned, sandbox_company, world
):
    change_order = change_order_in_procore(sandbox_company, world, ["120.00", "30.00"])
    assert detail_of(_export(change_order)).status == "success"
    erp = _written_back(change_order)
    request = _unlink(change_order)
    assert request.request_data["procore_commitment_change_order_id"] == change_order.id
    assert request.request_data["commitment_change_order_origin_id"] == str(erp.guid)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages[0].startswith(
        "The ERP still holds change order 1 on commitment SC-001 (Approved), so it cannot be "
        "unlinked"
    )
    change_order.refresh_from_db()
    assert change_order.origin_id == str(erp.guid)  # still synced

    DemoChangeOrder.objects.filter(pk=erp.pk).update(status=ChangeOrderStatus.VOID)
    detail = detail_of(_unlink(change_order))

    assert detail.status == "success", detail.messages
    assert detail.messages == [
        "Unlinked: change order 1 on commitment SC-001 is void in the ERP; Procore no longer "
        "shows it synced."
    ]
    change_order.refresh_from_db()
    assert change_order.origin_id is None
    assert all(line.origin_id is None for line in _lines(change_order))
    link = ObjectLink.objects.get(
        company=provisioned.company, item_type=ItemType.COMMITMENT_CHANGE_ORDER
    )
    assert link.procore_id is None

    # Sent again, the void change order is not brought back to life.
    detail = detail_of(_export(change_order))
    assert detail.status == "failed"
    assert "is void in the ERP; a void change order cannot be exported again" in " ".join(
        detail.messages
    )
    assert DemoChangeOrder.objects.get(pk=erp.pk).status == ChangeOrderStatus.VOID


def test_unlink_of_a_change_order_deleted_in_the_erp_unsyncs_it(
    provisioned, sandbox_company, world
):
    change_order = change_order_in_procore(sandbox_company, world, ["99.00"])
    assert detail_of(_export(change_order)).status == "success"
    DemoChangeOrder.objects.filter(procore_id=change_order.id).delete()

    detail = detail_of(_unlink(change_order))

    assert detail.status == "success", detail.messages
    assert "is no longer in the ERP" in detail.messages[0]
    change_order.refresh_from_db()
    assert change_order.origin_id is None


def _refresh(company) -> ERPRequest:
    from procore_sandbox.services.buttons import button_press

    (request,) = button_press(company=company, button="refresh_commitment_change_orders")
    _deliver()
    process_pending()
    return request


def test_an_erp_change_order_is_staged_with_its_lines_and_added_to_procore(
    provisioned, sandbox_company, world
):
    from procore_sandbox.services.staged_records import ready_to_import, staged_record_approve

    erp = erp_change_order(world, number="CO-7", amounts=("150.00", "-25.50"))

    # Its subcontract is not in Procore as far as the portal knows: held back, with the reason
    # on the approver's detail, and staged by a later refresh once the subcontract is there.
    detail = detail_of(_refresh(sandbox_company))
    assert any(
        m.startswith("CO-7: its commitment is not in Procore yet") for m in detail.messages
    ), detail.messages
    assert not StagedRecord.objects.filter(item_type="commitment_change_order").exists()

    link_commitment(provisioned.company, world)
    detail = detail_of(_refresh(sandbox_company))
    assert detail.status == "success", detail.messages
    run = SyncRun.objects.filter(entity="commitment_change_orders").latest("id")
    assert (run.created, run.failed, run.api_calls) == (1, 0, 1)
    (record,) = ready_to_import(company=sandbox_company)
    assert (record.item_type, record.origin_id, record.origin_code) == (
        "commitment_change_order",
        str(erp.guid),
        "CO-7",
    )
    assert record.data["commitment_origin_id"] == world.commitment_origin_id
    assert record.data["project_origin_id"] == str(world.job.guid)
    children = list(record.children.order_by("id"))
    assert [c.data["amount"] for c in children] == ["150.00", "-25.50"]
    assert all(c.data["commitment_line_item_origin_id"] for c in children)

    imported = staged_record_approve(record=record)

    assert (imported.item_type, imported.parent_id, imported.origin_id) == (
        "change_order",
        world.commitment.id,
        str(erp.guid),
    )
    lines = _lines(imported)
    assert [line.data["amount"] for line in lines] == ["150.00", "-25.50"]
    sources = {line.id for line in world.lines}
    assert all(line.data["commitment_line_item_id"] in sources for line in lines)

    # Nothing changed in the ERP: the next refresh sends nothing.
    call_command(
        "sync", "--company", str(sandbox_company.id), "--entity", "commitment_change_orders"
    )
    run = SyncRun.objects.filter(entity="commitment_change_orders").latest("id")
    assert (run.created, run.updated, run.api_calls) == (0, 0, 0)

    # Gone from the ERP while still waiting on Ready to Import: archived there.
    second = erp_change_order(world, number="CO-8")
    _refresh(sandbox_company)
    assert StagedRecord.objects.get(origin_id=str(second.guid)).status == "staged"
    second.lines.all().delete()
    second.delete()
    _refresh(sandbox_company)
    assert StagedRecord.objects.get(origin_id=str(second.guid)).status == "archived"


def test_a_change_order_exported_from_procore_is_not_staged_back_by_a_refresh(
    provisioned, sandbox_company, world
):
    link_commitment(provisioned.company, world)
    change_order = change_order_in_procore(sandbox_company, world, ["42.00"])
    assert detail_of(_export(change_order)).status == "success"

    detail = detail_of(_refresh(sandbox_company))

    assert detail.status == "success", detail.messages
    run = SyncRun.objects.filter(entity="commitment_change_orders").latest("id")
    assert (run.created, run.updated, run.failed, run.api_calls) == (0, 0, 0, 0)
    assert not StagedRecord.objects.filter(item_type="commitment_change_order").exists()


def test_a_thousand_and_one_change_orders_are_staged_in_two_calls_then_none(
    provisioned, sandbox_company, world
):
    """ceil(N/1000) staging calls, each change order with its line nested; nothing when
    nothing changed."""
    link_commitment(provisioned.company, world)
    source = world.erp_commitment.lines.order_by("position").first()
    headers = DemoChangeOrder.objects.bulk_create(
        DemoChangeOrder(
            tenant=world.tenant,
            commitment=world.erp_commitment,
            number=f"CO-{n:04d}",
            title=f"Change {n}",
            status=ChangeOrderStatus.APPROVED,
        )
        for n in range(1, 1002)
    )
    DemoChangeOrderLine.objects.bulk_create(
        DemoChangeOrderLine(
            tenant=world.tenant,
            change_order=header,
            commitment_line=source,
            position=1,
            cost_code=source.cost_code,
            cost_type=source.cost_type,
            amount=Decimal("1.01"),
        )
        for header in headers
    )
    command = ("sync", "--company", str(sandbox_company.id), "--entity", "commitment_change_orders")

    call_command(*command, stdout=io.StringIO())
    run = SyncRun.objects.filter(entity="commitment_change_orders").latest("id")
    assert (run.created, run.failed, run.api_calls) == (1001, 0, 2)
    staged = StagedRecord.objects.filter(item_type="commitment_change_order", status="staged")
    assert staged.count() == 1001
    assert StagedRecord.objects.filter(parent__in=staged).count() == 1001

    call_command(*command, stdout=io.StringIO())
    run = SyncRun.objects.filter(entity="commitment_change_orders").latest("id")
    assert (run.created, run.unchanged, run.api_calls) == (0, 1001, 0)
