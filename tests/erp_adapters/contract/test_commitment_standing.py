"""The contract for ``unlink_commitment``: every adapter says where a commitment stands in the
ERP, live (open or approved: it stays synced), void (history: it may be unlinked, and no
listing shows it) or gone, by the ERP's id or by the Procore id it was exported with."""

from __future__ import annotations

from erp_adapters.base import DocumentState, Entity
from tests.erp_adapters.contract.books import oid, sample_books
from tests.erp_adapters.contract.entities import commitment_export


def test_a_commitment_in_the_erp_is_live_and_named(make_erp):
    standing = make_erp(sample_books()).adapter.commitments.standing(
        {"procore_id": 555, "origin_id": oid("sc1"), "job_origin_id": oid("j1")}
    )
    assert standing.live
    assert standing.label == "Commitment SC-001 on job J-1001"


def test_a_void_commitment_is_void_and_not_listed(make_erp):
    erp = make_erp(sample_books())
    standing = erp.adapter.commitments.standing({"procore_id": 556, "origin_id": oid("sc-void")})
    assert standing.state is DocumentState.VOID and not standing.live
    assert oid("sc-void") not in {o.origin_id for o in erp.listed(Entity.COMMITMENTS)}


def test_a_commitment_the_erp_does_not_hold_is_gone(make_erp):
    standing = make_erp(sample_books()).adapter.commitments.standing(
        {"procore_id": 557, "origin_id": oid("never-in-the-erp")}
    )
    assert standing.state is DocumentState.GONE and not standing.live


def test_an_exported_commitment_is_found_by_its_procore_id(make_erp):
    books = sample_books()
    erp = make_erp(books)
    result = erp.create(Entity.COMMITMENTS, commitment_export(books))
    by_procore_id = erp.adapter.commitments.standing({"procore_id": 41, "origin_id": None})
    assert by_procore_id.live
    assert by_procore_id.label.startswith(f"Commitment {result.origin_code}")
