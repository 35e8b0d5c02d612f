"""A standard cost code Procore refused because its parent was refused is not remembered as
refused with its content: it waits for its parent (no call while the parent stays refused) and
goes with it once the parent is fixed, although the child itself did not change."""

from __future__ import annotations

import pytest

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoCostCode
from integrations.models import ObjectLink
from tests.integrations.services.test_sync_runs import run_import

pytestmark = pytest.mark.django_db


def test_a_child_refused_for_its_refused_parent_goes_once_the_parent_is_fixed(company, procore):
    seeding.seed_cost_codes("books")
    codes = list(DemoCostCode.objects.filter(tenant="books").order_by("code"))
    parent = next(c for c in codes if c.parent_id is None)
    children = [c for c in codes if c.parent_id == parent.pk]
    grandchildren = [c for c in codes if c.parent_id in {child.pk for child in children}]
    below = [str(c.guid) for c in children + grandchildren]
    procore.refuse[str(parent.guid)] = {"name": ["is too long"]}
    for origin_id in below:
        procore.refuse[origin_id] = {"parent_origin_id": ["Parent not found"]}

    first = run_import(company, "standard_cost_codes")
    assert first.failed == 1 + len(below)
    procore.sent.clear()
    waiting = run_import(company, "standard_cost_codes")
    assert procore.sent == [] and waiting.skipped == len(below)

    procore.refuse.clear()
    DemoCostCode.objects.filter(pk=parent.pk).update(name="Site work")
    fixed = run_import(company, "standard_cost_codes")

    assert sorted(procore.origin_ids("standard_cost_codes")) == sorted([str(parent.guid), *below])
    assert fixed.failed == 0
    links = ObjectLink.objects.filter(item_type="standard_cost_code", origin_id__in=below)
    assert set(links.values_list("state", flat=True)) == {"synced"}
