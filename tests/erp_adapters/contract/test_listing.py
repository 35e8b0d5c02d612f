"""The contract every adapter keeps when listing: every record of the books, once, in Procore's
shape, streamed, stable between reads; parents before children; lines inside their document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import ERPObject
from tests.erp_adapters.contract.books import Books, sample_books
from tests.erp_adapters.contract.entities import SPECS, EntitySpec, Expected, decimal_equal

by_entity = pytest.mark.parametrize("spec", SPECS, ids=[str(spec.entity) for spec in SPECS])


def assert_matches(obj: ERPObject, expected: Expected) -> None:
    where = f"{expected.item_type} {expected.origin_code}"
    assert (obj.item_type, obj.origin_id, obj.origin_code) == (
        expected.item_type,
        expected.origin_id,
        expected.origin_code,
    ), where
    for key, value in expected.data.items():
        assert key in obj.data, f"{where}: data lacks {key!r}"
        if isinstance(value, Decimal):
            assert decimal_equal(obj.data[key], value), f"{where}: {key} is {obj.data[key]!r}"
        else:
            assert obj.data[key] == value, f"{where}: {key} is {obj.data[key]!r}"
    assert "origin_id" not in obj.data and "origin_code" not in obj.data, where
    json.dumps(obj.data)  # JSON values only: no Decimal, date or UUID objects
    assert [c.origin_id for c in obj.children] == [c.origin_id for c in expected.children], where
    for child, expected_child in zip(obj.children, expected.children, strict=True):
        assert_matches(child, expected_child)


@by_entity
def test_every_record_is_listed_once_in_procore_shape(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    listed = erp.listed(spec.entity)
    expected = spec.expected(books)
    assert sorted(o.origin_id for o in listed) == sorted(e.origin_id for e in expected)
    by_id = {o.origin_id: o for o in listed}
    for item in expected:
        assert_matches(by_id[item.origin_id], item)


@by_entity
def test_empty_books_list_nothing(make_erp, spec: EntitySpec):
    assert make_erp(Books()).listed(spec.entity) == []


@by_entity
def test_listing_is_a_stream_not_a_list(make_erp, spec: EntitySpec):
    """A generator (or any iterator) lets the engine diff 100,000 objects in bounded memory."""
    stream = make_erp(sample_books()).adapter.entity(spec.entity).list()
    assert isinstance(stream, Iterator)
    assert not isinstance(stream, list | tuple)
    assert isinstance(next(stream), ERPObject)


@by_entity
def test_an_unchanged_object_hashes_the_same_on_every_read(make_erp, spec: EntitySpec):
    erp = make_erp(sample_books())
    first = {o.origin_id: o.content_hash() for o in erp.listed(spec.entity)}
    again = {o.origin_id: o.content_hash() for o in erp.listed(spec.entity)}
    assert first and first == again


def test_cost_codes_come_after_their_parents(make_erp):
    (spec,) = [s for s in SPECS if s.ordered_parents_first]
    listed = make_erp(sample_books()).listed(spec.entity)
    seen: set[str] = set()
    for obj in listed:
        parent: Any = obj.data.get("parent_origin_id")
        assert parent is None or parent in seen, f"{obj.origin_code} came before its parent"
        seen.add(obj.origin_id)


def test_many_vendors_are_each_listed_once(make_erp):
    """More rows than any adapter's page: no row skipped or repeated at page boundaries."""
    books = sample_books().with_vendors(57)
    listed = make_erp(books).listed(SPECS[0].entity)
    assert len(listed) == len(books.vendors) == 60
    assert {o.origin_code for o in listed} == {v.code for v in books.vendors}
