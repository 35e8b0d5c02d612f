"""``manage.py seed_demo_erp``: which books it fills, that running it again adds nothing, and
errors a person can act on."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from erp_adapters.demo import sample_data
from erp_adapters.demo.models import DemoCommitment, DemoCostCode, DemoCostType, DemoJob, DemoVendor


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
def test_command_errors_a_person_can_act_on():
    with pytest.raises(CommandError, match="--tenant"):
        seed("--vendors", "5")
    with pytest.raises(CommandError, match="tenant: 'Bad Books' does not match"):
        seed("--tenant", "Bad Books")
    with pytest.raises(CommandError, match="--vendors cannot be negative"):
        seed("--tenant", "ok", "--vendors", "-1")
    with pytest.raises(CommandError, match="at most 999,999 vendors"):
        seed("--tenant", "ok", "--vendors", "1000000")
