"""The contract for ``unlink_commitment_change_order`` (``DocumentStanding``): every adapter
says whether a change order is still in the ERP, void, or gone, names it, and gives the Procore
ids of its lines."""

from __future__ import annotations

from erp_adapters.base import DocumentState, Entity
from tests.erp_adapters.contract.books import oid, sample_books
from tests.erp_adapters.contract.entities import change_order_export


def _change_orders(erp):
    return erp.adapter.commitment_change_orders


def test_a_change_order_in_the_erp_exists_and_is_named(make_erp):
    state = _change_orders(make_erp(sample_books())).standing({"origin_id": oid("co1")})
    assert (state.live, state.unlinkable) == (True, False)
    assert state.label == "change order 1 on commitment SC-001"


def test_a_change_order_the_erp_does_not_hold_may_be_unlinked(make_erp):
    ref = {"origin_id": oid("never-in-the-erp"), "procore_id": 558}
    state = _change_orders(make_erp(sample_books())).standing(ref)
    assert (state.state, state.unlinkable) == (DocumentState.GONE, True)


def test_an_exported_change_order_is_found_by_its_procore_id_with_its_lines(make_erp):
    books = sample_books()
    erp = make_erp(books)
    adapter = _change_orders(erp)
    erp.create(Entity.COMMITMENT_CHANGE_ORDERS, change_order_export(books))
    state = adapter.standing({"procore_id": 3})
    assert state.live
    assert state.label == "change order 2 on commitment SC-001"
    assert state.line_procore_ids == (188,)
