from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from erp_adapters.demo import sample_data
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)
from erp_adapters.demo.seeding import demo_erp_seed


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo_erp", *args, stdout=out)
    return out.getvalue()


def counts(tenant: str) -> dict[str, int]:
    return {
        model.__name__: model.objects.filter(tenant=tenant).count()
        for model in (DemoVendor, DemoCostCode, DemoCostType, DemoJob, DemoCommitment)
    }


@pytest.mark.django_db
def test_seeding_fills_the_books_it_is_given():
    output = seed("--tenant", "5100000001", "--vendors", "40", "--jobs", "4")
    assert counts("5100000001") == {
        "DemoVendor": 40,
        "DemoCostCode": len(sample_data.COST_CODES),
        "DemoCostType": 5,
        "DemoJob": 4,
        "DemoCommitment": 8,
    }
    assert "Demo ERP books '5100000001' seeded" in output
    assert "vendors 40 new (40 in all)" in output


@pytest.mark.django_db
def test_seeding_twice_adds_nothing_and_growing_adds_only_the_rest():
    tenant = "acme"
    seed("--tenant", tenant, "--vendors", "30")
    first = counts(tenant)
    names = list(DemoVendor.objects.filter(tenant=tenant).order_by("code").values_list("name"))
    output = seed("--tenant", tenant, "--vendors", "30")
    assert counts(tenant) == first
    assert "vendors 0 new (30 in all)" in output
    seed("--tenant", tenant, "--vendors", "45")
    grown = DemoVendor.objects.filter(tenant=tenant).order_by("code")
    assert grown.count() == 45
    assert list(grown.values_list("name")[:30]) == names


@pytest.mark.django_db
def test_only_the_given_books_are_touched():
    seed("--tenant", "acme", "--vendors", "5")
    assert DemoVendor.objects.filter(tenant="acme").count() == 5
    assert not DemoVendor.objects.exclude(tenant="acme").exists()


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


@pytest.mark.django_db
def test_command_errors_a_person_can_act_on():
    with pytest.raises(CommandError, match="--tenant"):
        seed("--vendors", "5")
    with pytest.raises(CommandError, match="tenant: 'Bad Books' does not match"):
        seed("--tenant", "Bad Books")
    with pytest.raises(CommandError, match="--vendors cannot be negative"):
        seed("--tenant", "ok", "--vendors", "-1")
    with pytest.raises(CommandError, match="at most 999,999 vendors"):
        seed("--tenant", "ok", "--vendors", "1000000")
