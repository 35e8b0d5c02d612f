"""The contract every adapter keeps when creating a Procore export: the links Procore needs
back, one ERP object however often the export arrives, refusals as sentences with nothing
written, and the new object listed afterwards."""

from __future__ import annotations

import pytest

from erp_adapters.base import ConstraintViolation, ERPUnavailable
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.entities import SPECS, EntitySpec

by_entity = pytest.mark.parametrize("spec", SPECS, ids=[str(spec.entity) for spec in SPECS])


@by_entity
def test_the_adapter_handles_the_entity(make_erp, spec: EntitySpec):
    assert make_erp(sample_books()).adapter.supports(spec.entity)


@by_entity
def test_an_export_is_created_with_a_link_for_the_header_and_each_line(make_erp, spec):
    books = sample_books()
    erp = make_erp(books)
    payload = spec.export(books)
    assert erp.adapter.entity(spec.entity).check_create(payload) == []
    result = erp.create(spec.entity, payload)
    assert result.created is True
    assert result.origin_code == spec.created_code
    assert result.origin_id
    assert [(link.item_type, link.item_id) for link in result.links] == spec.links
    assert result.links[0].origin_id == result.origin_id
    assert len({link.origin_id for link in result.links}) == len(result.links)


@by_entity
def test_the_created_object_is_listed(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    result = erp.create(spec.entity, spec.export(books))
    listed = {o.origin_id: o for o in erp.listed(spec.entity)}
    assert len(listed) == len(spec.expected(books)) + 1
    created = listed[result.origin_id]
    assert created.origin_code == spec.created_code
    line_links = [link.origin_id for link in result.links if link.item_type == "line_item"]
    assert [child.origin_id for child in created.children] == line_links


@by_entity
def test_the_same_export_twice_is_one_object(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    first = erp.create(spec.entity, spec.export(books))
    again = erp.create(spec.entity, spec.export(books))
    assert again.created is False
    assert (again.origin_id, again.origin_code, again.links) == (
        first.origin_id,
        first.origin_code,
        first.links,
    )
    # Nothing left to fix: a retried request closes out successfully.
    assert erp.adapter.entity(spec.entity).check_create(spec.export(books)) == []
    assert len(erp.listed(spec.entity)) == len(spec.expected(books)) + 1


@by_entity
def test_a_refused_export_says_why_and_writes_nothing(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    payload = spec.refused(books)
    problems = erp.adapter.entity(spec.entity).check_create(payload)
    assert problems and all(isinstance(p, str) and p.strip() for p in problems)
    with pytest.raises(ConstraintViolation) as refused:
        erp.create(spec.entity, payload)
    assert refused.value.messages
    assert len(erp.listed(spec.entity)) == len(spec.expected(books))


@by_entity
def test_an_export_without_a_procore_id_is_refused(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    payload = spec.export(books)
    header = payload[spec.header_key] if spec.header_key else payload
    header["id"] = None
    with pytest.raises(ConstraintViolation):
        erp.create(spec.entity, payload)
    assert len(erp.listed(spec.entity)) == len(spec.expected(books))


@by_entity
def test_an_unreachable_erp_is_retryable(make_erp, spec: EntitySpec):
    books = sample_books()
    unavailable = make_erp(books).unavailable()
    if unavailable is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    with pytest.raises(ERPUnavailable):
        list(unavailable.entity(spec.entity).list())
    with pytest.raises(ERPUnavailable):
        unavailable.entity(spec.entity).create(spec.export(books))
