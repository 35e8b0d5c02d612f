"""The demo ERP adapter: creating Procore exports (what arrives, what Procore gets back, and that
one Procore object never becomes two ERP rows), and the health its books report."""

from __future__ import annotations

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import OperationalError, connection

from erp_adapters.base import ConstraintViolation, ExternalLink, HealthState
from erp_adapters.demo import commitments
from erp_adapters.demo.adapter import CommitmentChangeOrders, Vendors
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoVendor,
)
from erp_adapters.registry import get_adapter
from tests.erp_adapters.demo.conftest import (
    TENANT,
    commitment_export,
    cost_code_ref,
    cost_type_ref,
    request_data,
)


def test_vendor_export_arrives_in_the_erp(adapter):
    result = adapter.vendors.create(request_data("create_vendor"))
    row = DemoVendor.objects.get(tenant=TENANT)
    assert (row.name, row.code, row.procore_id, row.country_code) == (
        "Test Vendor",
        "origin_code",
        35,
        "US",
    )
    assert result.created is True
    assert (result.origin_id, result.origin_code) == (str(row.guid), "origin_code")
    assert result.links == (ExternalLink("vendor", 35, str(row.guid)),)
    assert result.links[0].as_update() == {
        "item_type": "vendor",
        "item_id": 35,
        "origin_id": str(row.guid),
    }


def test_vendor_without_a_code_gets_the_next_erp_number(books, adapter):
    data = request_data("create_vendor")
    data["vendor"]["origin_code"] = None
    assert adapter.vendors.create(data).origin_code == "V-000026"


def test_the_same_vendor_exported_twice_is_one_row(adapter):
    first = adapter.vendors.create(request_data("create_vendor"))
    again = adapter.vendors.create(request_data("create_vendor"))
    assert DemoVendor.objects.filter(procore_id=35).count() == 1
    assert (again.created, again.origin_id, again.links) == (False, first.origin_id, first.links)
    # Nothing left to fix: a retried request closes out successfully.
    assert adapter.vendors.check_create(request_data("create_vendor")) == []


def test_a_vendor_create_that_loses_the_race_returns_the_winner(adapter):
    """Another worker inserts the same Procore vendor after our check and before our insert:
    our insert hits the unique constraint, and we answer with the winner's row."""
    real_check = Vendors.check_create
    winner = {}

    def check_then_lose_the_race(self, payload):
        problems = real_check(self, payload)
        winner["row"] = DemoVendor.objects.create(
            tenant=TENANT, procore_id=35, code="V-WINNER", name="Test Vendor"
        )
        return problems

    with mock.patch.object(Vendors, "check_create", check_then_lose_the_race):
        result = adapter.vendors.create(request_data("create_vendor"))
    assert result.created is False
    assert result.origin_id == str(winner["row"].guid)
    assert DemoVendor.objects.filter(procore_id=35).count() == 1


def test_a_commitment_export_arrives_with_its_lines(refs, adapter):
    data = commitment_export(**refs)
    result = adapter.commitments.create(data)
    row = DemoCommitment.objects.get(procore_id=41)
    (line,) = row.lines.all()
    assert (row.kind, row.number, row.title, row.job, row.vendor) == (
        "subcontract",
        "SC-900",
        "WOC 1 (QB)",
        refs["job"],
        refs["vendor"],
    )
    assert (line.amount, line.cost_code, line.cost_type, line.procore_id) == (
        Decimal("250.00"),
        refs["cost_code"],
        refs["cost_type"],
        177,
    )
    assert result.links == (
        ExternalLink("work_order_contract", 41, str(row.guid)),
        ExternalLink("line_item", 177, str(line.guid)),
    )


def test_a_purchase_order_is_linked_as_one(refs, adapter):
    data = commitment_export(**refs)
    data["commitment"]["type"] = "PurchaseOrderContract"
    result = adapter.commitments.create(data)
    assert result.links[0].item_type == "purchase_order_contract"
    assert DemoCommitment.objects.get(procore_id=41).kind == "purchase_order"


def test_the_same_commitment_exported_twice_is_one_row(refs, adapter):
    first = adapter.commitments.create(commitment_export(**refs))
    again = adapter.commitments.create(commitment_export(**refs))
    assert DemoCommitment.objects.filter(procore_id=41).count() == 1
    assert DemoCommitment.objects.get(procore_id=41).lines.count() == 1
    assert again.created is False
    assert again.links == first.links


def test_a_commitment_create_that_loses_the_race_returns_the_winner(refs, adapter):
    """Another worker writes the same Procore commitment between our look and our insert."""
    real_plan = commitments.CommitmentPlan.__post_init__

    def plan_then_lose_the_race(self):
        real_plan(self)
        commitments.commitment_write(self, 41)

    with mock.patch.object(commitments.CommitmentPlan, "__post_init__", plan_then_lose_the_race):
        result = adapter.commitments.create(commitment_export(**refs))
    assert result.created is False
    assert DemoCommitment.objects.filter(procore_id=41).count() == 1
    assert [link.item_id for link in result.links] == [41, 177]


def _open_on_job(job: DemoJob, cost_code: DemoCostCode, cost_type: DemoCostType) -> None:
    """The job has the cost code, with the cost type: a change order line may post there."""
    opened, _ = DemoJobCostCode.objects.get_or_create(
        tenant=job.tenant, job=job, cost_code=cost_code, sub_job=None
    )
    DemoJobCostType.objects.get_or_create(
        tenant=job.tenant, job_cost_code=opened, cost_type=cost_type
    )


def test_a_change_order_export_arrives_against_its_commitment(refs, adapter):
    _open_on_job(refs["job"], refs["cost_code"], refs["cost_type"])
    adapter.commitments.create(commitment_export(**refs))
    commitment = DemoCommitment.objects.get(procore_id=41)
    data = request_data("create_commitment_change_order")
    data["commitment"].update(id=41, origin_id=str(commitment.guid))
    (item,) = data["change_order_items"]
    item.update(
        cost_code=cost_code_ref(refs["cost_code"], refs["job"]),
        line_item_type=cost_type_ref(refs["cost_type"]),
    )
    result = adapter.commitment_change_orders.create(data)
    row = DemoChangeOrder.objects.get(procore_id=3)
    (line,) = row.lines.all()
    assert (row.commitment, row.number, row.title) == (commitment, "45", "Change order 1")
    assert line.commitment_line == commitment.lines.get(procore_id=177)
    assert line.amount == Decimal("233.00")
    assert result.links == (
        ExternalLink("change_order", 3, str(row.guid)),
        ExternalLink("line_item", 188, str(line.guid)),
    )
    again = adapter.commitment_change_orders.create(data)
    assert again.created is False
    assert DemoChangeOrder.objects.filter(procore_id=3).count() == 1


def test_a_change_order_create_that_loses_the_race_returns_the_winner(refs, adapter):
    _open_on_job(refs["job"], refs["cost_code"], refs["cost_type"])
    commitment = DemoCommitment.objects.filter(job=refs["job"]).first()
    data = request_data("create_commitment_change_order")
    data["commitment"].update(id=None, origin_id=str(commitment.guid))
    for item in data["change_order_items"]:
        item.update(
            cost_code=cost_code_ref(refs["cost_code"]),
            line_item_type=cost_type_ref(refs["cost_type"]),
        )
    real_check = CommitmentChangeOrders.check_create

    def check_then_lose_the_race(self, payload):
        problems = real_check(self, payload)
        DemoChangeOrder.objects.create(
            tenant=TENANT, commitment=commitment, number="W-1", procore_id=3
        )
        return problems

    with mock.patch.object(CommitmentChangeOrders, "check_create", check_then_lose_the_race):
        result = adapter.commitment_change_orders.create(data)
    assert (result.created, result.origin_code) == (False, "W-1")
    assert DemoChangeOrder.objects.filter(procore_id=3).count() == 1


def test_a_job_export_creates_then_updates_the_job(books, adapter):
    data = request_data("create_or_update_job")
    section = DemoCostCode.objects.get(tenant=TENANT, code="01-100")
    data["all_cost_codes"] = [
        {"id": 501, "full_code": "01-100", "standard_cost_code_origin_id": str(section.guid)}
    ]
    first = adapter.jobs.create(data)
    job = DemoJob.objects.get(procore_id=7)
    assert (job.code, job.name, first.created) == ("JOB-EXP", "Test Project", True)
    assert first.links == (
        ExternalLink("project", 7, str(job.guid)),
        ExternalLink("cost_code", 501, f"{job.guid}|{section.guid}"),
    )
    data["job"].update(name="Test Project (renamed)", origin_code="OTHER")
    again = adapter.jobs.create(data)
    job.refresh_from_db()
    assert (again.created, job.name, job.code) == (False, "Test Project (renamed)", "JOB-EXP")
    assert DemoJob.objects.filter(procore_id=7).count() == 1


def test_standard_cost_codes_export_under_their_parent(books, adapter):
    parent = DemoCostCode.objects.get(tenant=TENANT, code="02")
    item = request_data("create_standard_cost_codes")[0]
    item.update(full_code="02-900", name="Pvmt Repair/Sealing", parent_origin_id=str(parent.guid))
    result = adapter.standard_cost_codes.create(item)
    row = DemoCostCode.objects.get(tenant=TENANT, code="02-900")
    assert (row.parent, row.procore_id, row.segment) == (parent, 2, "900")
    assert result.links == (ExternalLink("standard_cost_code", 2, str(row.guid)),)
    assert adapter.standard_cost_codes.create(item).created is False


def test_cost_types_export(books, adapter):
    result = adapter.standard_categories.create({"id": 61, "code": "R", "name": "Rental"})
    row = DemoCostType.objects.get(tenant=TENANT, code="R")
    assert result.links == (ExternalLink("line_item_type", 61, str(row.guid)),)
    assert (
        adapter.standard_categories.create({"id": 61, "code": "R", "name": "Rental"}).created
        is False
    )
    assert DemoCostType.objects.filter(tenant=TENANT, code="R").count() == 1


def test_an_export_without_a_procore_id_is_refused(adapter):
    data = request_data("create_vendor")
    del data["vendor"]["id"]
    with pytest.raises(ConstraintViolation, match="no Procore id for the vendor"):
        adapter.vendors.create(data)


def test_a_different_tenant_creates_its_own_row(adapter, db):
    from erp_adapters.registry import get_adapter

    adapter.vendors.create(request_data("create_vendor"))
    other = get_adapter("demo", {"tenant": "other"}).vendors.create(request_data("create_vendor"))
    assert other.created is True
    assert DemoVendor.objects.filter(procore_id=35).count() == 2


def test_two_vendors_exported_at_once_both_get_an_erp_code(books, adapter):
    """Both workers computed the same next number; the one that loses takes the next."""
    real_next_code = Vendors.next_code
    calls = []

    def stale_then_real(self):
        calls.append(1)
        return "V-000025" if len(calls) == 1 else real_next_code(self)

    data = request_data("create_vendor")
    data["vendor"]["origin_code"] = None
    with mock.patch.object(Vendors, "next_code", stale_then_real):
        result = adapter.vendors.create(data)
    assert (result.created, result.origin_code) == (True, "V-000026")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent PostgreSQL sessions"
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_exporting_the_same_vendor_make_one_row():
    """Both pass the check before either inserts (a barrier holds them there); the database's
    unique constraint lets one insert win and the other answers with the winner's row."""
    from erp_adapters.registry import get_adapter

    barrier = threading.Barrier(2, timeout=10)
    real_check = Vendors.check_create

    def check_then_wait(self, payload):
        problems = real_check(self, payload)
        barrier.wait()
        return problems

    results, errors = [], []

    def export():
        try:
            adapter = get_adapter("demo", {"tenant": TENANT})
            results.append(adapter.vendors.create(request_data("create_vendor")))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(Vendors, "check_create", check_then_wait):
        workers = [threading.Thread(target=export) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert errors == []
    assert sorted(r.created for r in results) == [False, True]
    assert results[0].origin_id == results[1].origin_id
    assert DemoVendor.objects.filter(procore_id=35).count() == 1


def test_healthy_books_report_what_they_hold(books, adapter):
    status = adapter.health_check()
    assert status.ok and status.state is HealthState.OK
    assert status.details == {"vendors": 25, "jobs": 2, "cost_codes": 92, "cost_types": 5}
    assert status.message == (
        "Demo ERP books 'books': 25 vendors, 2 jobs, 92 cost codes, 5 cost types."
    )


def test_empty_books_are_degraded_with_the_fix(db):
    status = get_adapter("demo", {"tenant": "new"}).health_check()
    assert status.state is HealthState.DEGRADED
    assert "have no cost codes and no cost types" in status.message
    assert "run seed_demo_erp" in status.message


def test_offline_and_unreachable_books_are_failing(books):
    assert get_adapter("demo", {"offline": True}).health_check().state is HealthState.FAILING
    adapter = get_adapter("demo", {"tenant": TENANT})
    with mock.patch.object(DemoVendor.objects, "filter", side_effect=OperationalError("gone")):
        status = adapter.health_check()
    assert status.state is HealthState.FAILING
    assert "did not answer: gone" in status.message
