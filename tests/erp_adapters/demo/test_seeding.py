"""Seeding the demo ERP: deterministic per seed, realistic vendors, a cost code tree, and jobs
with commitments and change orders."""

from __future__ import annotations

import re

import pytest

from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCostCode,
    DemoCostType,
    DemoVendor,
)
from erp_adapters.demo.seeding import demo_erp_seed


@pytest.mark.django_db
def test_seeding_is_deterministic_per_seed():
    demo_erp_seed(tenant="a", vendors=20, jobs=2, seed=7)
    demo_erp_seed(tenant="b", vendors=20, jobs=2, seed=7)
    demo_erp_seed(tenant="c", vendors=20, jobs=2, seed=8)

    def vendors(tenant):
        return list(
            DemoVendor.objects.filter(tenant=tenant)
            .order_by("code")
            .values_list("name", "tax_id", "city")
        )

    assert vendors("a") == vendors("b") != vendors("c")
    ids_a = set(DemoVendor.objects.filter(tenant="a").values_list("guid", flat=True))
    ids_b = set(DemoVendor.objects.filter(tenant="b").values_list("guid", flat=True))
    assert not ids_a & ids_b  # ERP ids are unique across books


@pytest.mark.django_db
def test_seeded_vendors_look_real_and_fit_the_erp():
    demo_erp_seed(tenant="t", vendors=500, jobs=1)
    vendors = DemoVendor.objects.filter(tenant="t")
    names = [v.name for v in vendors]
    assert len(set(names)) == 500
    assert max(map(len, names)) <= 30
    for vendor in vendors[:50]:
        assert re.fullmatch(r"\d{2}-\d{7}", vendor.tax_id)
        assert re.fullmatch(r"\(\d{3}\) 555-01\d{2}", vendor.business_phone)
        assert vendor.email_address.endswith(".example.com")
        assert vendor.trade and vendor.city and len(vendor.state_code) == 2
        assert vendor.full_clean() is None


@pytest.mark.django_db
def test_cost_codes_form_a_tree_and_jobs_have_commitments_with_change_orders():
    demo_erp_seed(tenant="t", vendors=10, jobs=3, commitments_per_job=2)
    section = DemoCostCode.objects.get(tenant="t", code="03-300")
    assert section.parent.code == "03"
    assert DemoCostCode.objects.get(tenant="t", code="03-300-10").parent == section
    assert set(DemoCostType.objects.filter(tenant="t").values_list("code", "name")) == {
        ("L", "Labor"),
        ("M", "Material"),
        ("E", "Equipment"),
        ("S", "Subcontract"),
        ("O", "Other"),
    }
    assert DemoCommitment.objects.filter(tenant="t", kind="subcontract").count() == 3
    assert DemoChangeOrder.objects.filter(tenant="t").count() == 3
    for commitment in DemoCommitment.objects.filter(tenant="t"):
        assert commitment.lines.count() == 3
