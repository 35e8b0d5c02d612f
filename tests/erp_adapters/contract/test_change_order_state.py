"""The contract for ``unlink_commitment_change_order`` (branch "change-orders" adds the protocol,
``ChangeOrderState``): every adapter says whether a change order is still in the ERP, void, or
gone, names it, and gives the Procore ids of its lines. Skipped until that branch is merged."""

from __future__ import annotations

import pytest

from erp_adapters import base
from erp_adapters.base import Entity
from tests.erp_adapters.contract.books import oid, sample_books
from tests.erp_adapters.contract.entities import change_order_export

pytestmark = pytest.mark.skipif(
    not hasattr(base, "ChangeOrderState"), reason="needs branch change-orders (ChangeOrderState)"
)


def _change_orders(erp):
    adapter = erp.adapter.commitment_change_orders
    if not hasattr(adapter, "state"):
        pytest.skip("this adapter's change orders have no state() before the change-orders merge")
    return adapter


def test_a_change_order_in_the_erp_exists_and_is_named(make_erp):
    state = _change_orders(make_erp(sample_books())).state(oid("co1"), None)
    assert (state.exists, state.void, state.unlinkable) == (True, False, False)
    assert state.label == "change order 1 on commitment SC-001"


def test_a_change_order_the_erp_does_not_hold_may_be_unlinked(make_erp):
    state = _change_orders(make_erp(sample_books())).state(oid("never-in-the-erp"), 558)
    assert (state.exists, state.unlinkable) == (False, True)


def test_an_exported_change_order_is_found_by_its_procore_id_with_its_lines(make_erp):
    books = sample_books()
    erp = make_erp(books)
    adapter = _change_orders(erp)
    erp.create(Entity.COMMITMENT_CHANGE_ORDERS, change_order_export(books))
    state = adapter.state(None, 3)
    assert state.exists and not state.void
    assert state.label == "change order 2 on commitment SC-001"
    assert state.line_procore_ids == (188,)
