"""The demo ERP's commitment change orders: what it refuses (in an accountant's words), what it
says of one Procore wants to unlink, and that a seeded commitment takes a change order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import DocumentState
from erp_adapters.demo.models import (
    ChangeOrderStatus,
    DemoChangeOrder,
    DemoCommitment,
    DemoCostType,
)
from tests.erp_adapters.demo.conftest import TENANT, cost_code_ref, cost_type_ref, request_data


def _on_seeded_line(commitment: DemoCommitment, **line: Any) -> dict[str, Any]:
    """The dictionary's change order, one line changing the commitment's first line."""
    source = commitment.lines.order_by("position").first()
    data = request_data("create_commitment_change_order")
    data["commitment"].update(id=None, number=commitment.number, origin_id=str(commitment.guid))
    (item,) = data["change_order_items"]
    item.update(
        id=7001,
        amount="1087.80",
        commitment_line_item_id=None,
        cost_code=cost_code_ref(source.cost_code, commitment.job),
        line_item_type=cost_type_ref(line.get("cost_type", source.cost_type)),
    )
    data["change_order"].update(id=9001, number="CO-9", status="Approved")
    return data


@pytest.fixture
def commitment(books) -> DemoCommitment:
    return DemoCommitment.objects.filter(tenant=TENANT).order_by("id").first()


def test_a_seeded_commitment_takes_a_change_order_on_the_codes_its_job_has(commitment, adapter):
    data = _on_seeded_line(commitment)
    assert adapter.commitment_change_orders.check_create(data) == []
    result = adapter.commitment_change_orders.create(data)
    row = DemoChangeOrder.objects.get(procore_id=9001)
    assert (row.status, row.lines.get().amount) == (ChangeOrderStatus.APPROVED, Decimal("1087.80"))
    assert [link.item_type for link in result.links] == ["change_order", "line_item"]


def test_a_cost_type_the_job_has_not_assigned_to_the_code_is_refused_by_line(commitment, adapter):
    source = commitment.lines.order_by("position").first()
    assigned = set(
        commitment.job.cost_codes.filter(cost_code=source.cost_code).values_list(
            "cost_types__cost_type_id", flat=True
        )
    )
    other = DemoCostType.objects.filter(tenant=TENANT).exclude(id__in=assigned).first()
    data = _on_seeded_line(commitment, cost_type=other)

    problems = adapter.commitment_change_orders.check_create(data)

    assert problems == [
        f"Line 1: cost type '{other.name}' ({other.code}) is not assigned to cost code "
        f"{source.cost_code.code} on job {commitment.job.code}."
    ]
    assert not DemoChangeOrder.objects.filter(procore_id=9001).exists()


def test_a_void_commitment_takes_no_change_order(commitment, adapter):
    DemoCommitment.objects.filter(pk=commitment.pk).update(status="void")
    problems = adapter.commitment_change_orders.check_create(_on_seeded_line(commitment))
    assert problems == [
        f"Commitment {commitment.number} is void in the ERP; a void commitment takes no "
        "change orders."
    ]


def test_the_erp_says_whether_a_change_order_is_gone_void_or_live(commitment, adapter):
    adapter.commitment_change_orders.create(_on_seeded_line(commitment))
    row = DemoChangeOrder.objects.get(procore_id=9001)
    change_orders = adapter.commitment_change_orders

    live = change_orders.standing({"origin_id": str(row.guid)})
    assert (live.state, live.live, live.unlinkable) == (DocumentState.APPROVED, True, False)
    assert live.label == f"change order CO-9 on commitment {commitment.number}"
    assert live.line_procore_ids == (7001,)

    row.status = ChangeOrderStatus.VOID
    row.save(update_fields=["status"])
    void = change_orders.standing({"procore_id": 9001})  # found by Procore's id too
    assert (void.state, void.unlinkable) == (DocumentState.VOID, True)

    row.lines.all().delete()
    row.delete()
    gone = change_orders.standing({"origin_id": str(row.guid), "procore_id": 9001})
    assert (gone.state, gone.unlinkable) == (DocumentState.GONE, True)


@pytest.mark.parametrize(
    ("procore", "kept"),
    [("Approved", "approved"), ("void", "void"), ("Pending - In Review", "open"), ("", "open")],
)
def test_procores_statuses_are_kept_as_open_approved_or_void(procore, kept):
    from erp_adapters.demo.change_orders import status_of

    assert status_of(procore) == kept
