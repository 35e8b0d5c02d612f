"""Listing the demo ERP's books for imports: what each entity lists, page by page."""

from __future__ import annotations

import inspect

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from erp_adapters.base import ERPUnavailable
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCostCode,
    DemoJob,
    DemoVendor,
)
from erp_adapters.demo.seeding import demo_erp_seed
from erp_adapters.registry import get_adapter
from tests.erp_adapters.demo.conftest import TENANT


def test_vendors_are_listed_with_origin_id_code_and_staged_record_data(books, adapter):
    vendors = list(adapter.vendors.list())
    assert len(vendors) == 25
    first = vendors[0]
    row = DemoVendor.objects.get(tenant=TENANT, code="V-000001")
    assert (first.item_type, first.origin_id, first.origin_code) == (
        "vendor",
        str(row.guid),
        "V-000001",
    )
    assert first.data == {
        "name": row.name,
        "address": row.address,
        "city": row.city,
        "state_code": row.state_code,
        "zip": row.zip,
        "country_code": "US",
        "business_phone": row.business_phone,
        "email_address": row.email_address,
        "website": row.website,
        "is_active": row.is_active,
    }
    assert len({v.origin_id for v in vendors}) == 25


def test_listing_streams_one_page_per_query(books, adapter):
    """25 vendors, pages of 10: the first vendor arrives after one bounded query, and the
    whole list costs three, never one query that loads everything."""
    stream = adapter.vendors.list()
    assert inspect.isgenerator(stream)
    with CaptureQueriesContext(connection) as queries:
        next(stream)
        assert len(queries) == 1
        rest = list(stream)
    assert len(rest) == 24
    assert len(queries) == 3
    assert all("LIMIT 10" in q["sql"] for q in queries)


def test_a_vendor_added_during_a_listing_is_neither_skipped_nor_repeated(books, adapter):
    stream = adapter.vendors.list()
    seen = [next(stream).origin_code for _ in range(12)]
    DemoVendor.objects.create(tenant=TENANT, code="V-900000", name="Late Arrival LLC")
    seen += [v.origin_code for v in stream]
    assert len(seen) == 26 == len(set(seen))
    assert seen[-1] == "V-900000"


def test_each_tenant_sees_only_its_own_books(books, db):
    demo_erp_seed(tenant="other", vendors=3, jobs=1, commitments_per_job=0)
    other = get_adapter("demo", {"tenant": "other"})
    assert [v.origin_code for v in other.vendors.list()] == ["V-000001", "V-000002", "V-000003"]
    assert len(list(other.jobs.list())) == 1
    assert list(other.commitments.list()) == []
    assert list(get_adapter("demo", {"tenant": "empty"}).vendors.list()) == []


def test_cost_codes_come_parents_first_with_procore_segments(books, adapter):
    codes = list(adapter.standard_cost_codes.list())
    assert len(codes) == DemoCostCode.objects.filter(tenant=TENANT).count()
    by_code = {c.origin_code: c for c in codes}
    position = {c.origin_code: i for i, c in enumerate(codes)}
    section, division, leaf = by_code["03-300"], by_code["03"], by_code["03-300-20"]
    assert section.item_type == "standard_cost_code"
    assert section.data == {
        "name": "Cast-in-Place Concrete",
        "code": "300",
        "parent_origin_id": division.origin_id,
    }
    assert division.data["parent_origin_id"] is None
    assert leaf.data["code"] == "20"
    assert leaf.data["parent_origin_id"] == section.origin_id
    for c in codes:
        if c.data["parent_origin_id"]:
            parent = next(p for p in codes if p.origin_id == c.data["parent_origin_id"])
            assert position[parent.origin_code] < position[c.origin_code]


def test_cost_types_are_the_five_standard_categories(books, adapter):
    types = {t.origin_code: t.data for t in adapter.standard_categories.list()}
    assert types == {
        "E": {"name": "Equipment", "csv_import_code": "E"},
        "L": {"name": "Labor", "csv_import_code": "L"},
        "M": {"name": "Material", "csv_import_code": "M"},
        "O": {"name": "Other", "csv_import_code": "O"},
        "S": {"name": "Subcontract", "csv_import_code": "S"},
    }
    assert {t.item_type for t in adapter.standard_categories.list()} == {"line_item_type"}


def test_jobs_are_projects(books, adapter):
    job = next(j for j in adapter.jobs.list() if j.origin_code == "J-1001")
    row = DemoJob.objects.get(tenant=TENANT, code="J-1001")
    assert job.item_type == "project"
    assert job.data["project_number"] == "J-1001"
    assert job.data["name"] == row.name
    assert job.data["estimated_value"] == f"{row.estimated_value:.2f}"
    assert job.data["estimated_start_date"] == row.start_date.isoformat()


def test_commitments_carry_their_lines_as_children(books, adapter):
    with CaptureQueriesContext(connection) as queries:
        commitments = list(adapter.commitments.list())
    assert len(commitments) == 4
    assert len(queries) == 2  # one page of headers, one query for all their lines
    sub = next(c for c in commitments if c.item_type == "work_order_contract")
    row = DemoCommitment.objects.get(guid=sub.origin_id)
    assert sub.data["project_origin_id"] == str(row.job.guid)
    assert sub.data["vendor_origin_id"] == str(row.vendor.guid)
    assert sub.data["retainage_percent"] == "10.00"
    assert len(sub.children) == 3
    line = sub.children[0]
    first_line = row.lines.order_by("position").first()
    assert line.item_type == "line_item"
    assert line.data["amount"] == f"{first_line.amount:.2f}"
    assert line.data["cost_code_origin_id"] == f"{row.job.guid}|{first_line.cost_code.guid}"
    assert line.data["line_item_type_origin_id"] == str(first_line.cost_type.guid)
    assert {c.item_type for c in commitments} == {"work_order_contract", "purchase_order_contract"}


def test_change_orders_point_at_their_commitment_and_lines(books, adapter):
    orders = list(adapter.commitment_change_orders.list())
    assert len(orders) == 2
    order = orders[0]
    row = DemoChangeOrder.objects.get(guid=order.origin_id)
    assert order.item_type == "commitment_change_order"
    assert order.data["commitment_origin_id"] == str(row.commitment.guid)
    assert order.data["project_origin_id"] == str(row.commitment.job.guid)
    (line,) = order.children
    assert line.data["commitment_line_item_origin_id"] == str(row.lines.get().commitment_line.guid)


def test_content_hash_changes_only_when_the_object_does(books, adapter):
    before = {v.origin_code: v.content_hash() for v in adapter.vendors.list()}
    assert before == {v.origin_code: v.content_hash() for v in adapter.vendors.list()}
    DemoVendor.objects.filter(tenant=TENANT, code="V-000007").update(name="Renamed Vendor Inc")
    after = {v.origin_code: v.content_hash() for v in adapter.vendors.list()}
    assert {code for code in before if before[code] != after[code]} == {"V-000007"}


def test_offline_books_fail_with_a_retryable_error(books):
    adapter = get_adapter("demo", {"tenant": TENANT, "offline": True})
    with pytest.raises(ERPUnavailable, match="offline"):
        next(adapter.vendors.list())
