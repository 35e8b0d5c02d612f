"""Sending refused objects again (``--retry-refused``, the admin's and the self-service action)
covers every item type of the entity: purchase orders as well as subcontracts."""

from __future__ import annotations

import pytest

from integrations.models import ObjectLink
from integrations.services.sync_runs import sync_refusals_reset

pytestmark = pytest.mark.django_db


def test_refused_purchase_orders_are_sent_again_with_the_subcontracts(company):
    for item_type in ("work_order_contract", "purchase_order_contract"):
        ObjectLink.objects.create(
            company=company,
            item_type=item_type,
            origin_id=f"{item_type}-1",
            state="failed",
            content_hash="refused as it is",
        )

    assert sync_refusals_reset(company=company, entity="commitments") == 2
    assert set(ObjectLink.objects.values_list("content_hash", flat=True)) == {""}
