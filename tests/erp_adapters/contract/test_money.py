"""The contract on money, for every adapter and every document with amounts (commitments and
their change orders): what Procore sends comes back from the ERP to the cent, as a decimal
string, whether Procore sent a string or a JSON number, however large the amount the ERP's
columns hold; and the lines still add up to the same total. No amount ever passes through a
binary float (erp_adapters/money.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import ConstraintViolation, Entity, ERPObject
from erp_adapters.money import amount, total
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.entities import (
    SPECS,
    EntitySpec,
    commitment_export,
    expected_commitments,
)

DOCUMENTS = [
    spec for spec in SPECS if spec.entity.endswith("commitments") or "change" in spec.entity
]
by_document = pytest.mark.parametrize(
    "spec", DOCUMENTS, ids=[str(spec.entity) for spec in DOCUMENTS]
)

# What Procore may send as line amounts (a JSON number among them), and what the ERP must keep.
SENT: list[tuple[Any, Decimal]] = [
    ("987654321098.76", Decimal("987654321098.76")),  # 14 digits, the sample columns' widest
    (1087.8, Decimal("1087.80")),  # a JSON number: its shortest decimal, not the float's digits
    ("0.10", Decimal("0.10")),
    ("-250.00", Decimal("-250.00")),
]


def _lines_key(payload: dict[str, Any]) -> str:
    return "change_order_items" if "change_order_items" in payload else "commitment_items"


def _with_amounts(payload: dict[str, Any]) -> dict[str, Any]:
    key = _lines_key(payload)
    template = payload[key][0]
    lines = []
    for n, (sent, _kept) in enumerate(SENT, start=1):
        line = {**template, "id": 7000 + n, "position": n, "amount": sent}
        line["description"] = f"Line {n}"
        lines.append(line)
    payload[key] = lines
    return _totalled(payload, [kept for _sent, kept in SENT])


def _totalled(payload: dict[str, Any], kept: list[Decimal]) -> dict[str, Any]:
    """The header's total as Procore sends it with these lines (the demo ERP checks it)."""
    if "grand_total" in payload.get("commitment", {}) and "commitment_items" in payload:
        payload["commitment"]["grand_total"] = str(total(kept))
    return payload


def _created(listed: list[ERPObject], origin_id: str) -> ERPObject:
    return next(o for o in listed if o.origin_id == origin_id)


@by_document
def test_amounts_come_back_to_the_cent(make_erp, spec: EntitySpec):
    books = sample_books()
    erp = make_erp(books)
    result = erp.create(spec.entity, _with_amounts(spec.export(books)))
    document = _created(erp.listed(spec.entity), result.origin_id)
    shown = [child.data["amount"] for child in document.children]
    assert all(isinstance(value, str) for value in shown), shown
    assert [Decimal(value) for value in shown] == [kept for _sent, kept in SENT]
    assert total(amount(value) for value in shown) == Decimal("987654321936.66")


@by_document
def test_seeded_amounts_are_listed_exactly(make_erp, spec: EntitySpec):
    """The books' own amounts (12,500.00, 0.10, 840.50, -250.00) as decimal strings."""
    books = sample_books()
    listed = {o.origin_id: o for o in make_erp(books).listed(spec.entity)}
    for expected in spec.expected(books):
        for child, line in zip(listed[expected.origin_id].children, expected.children, strict=True):
            assert isinstance(child.data["amount"], str)
            assert Decimal(child.data["amount"]) == line.data["amount"]


HALVES: list[tuple[Any, Decimal]] = [
    ("0.125", Decimal("0.13")),
    ("-0.125", Decimal("-0.13")),
    (2.675, Decimal("2.68")),  # as a float 2.67499999…; Procore meant 2.675
    ("10.005", Decimal("10.01")),
]


@by_document
def test_a_half_cent_is_rounded_once_half_up(make_erp, spec: EntitySpec, request):
    """The ERP keeps cents: a half cent goes away from zero (money.to_erp), on every database
    (PostgreSQL's NUMERIC does so by itself; SQLite and a CSV file do what they are given)."""
    books = sample_books()
    erp = make_erp(books)
    payload = spec.export(books)
    key = _lines_key(payload)
    template = payload[key][0]
    payload[key] = [
        {**template, "id": 7100 + n, "position": n, "amount": sent, "description": f"Line {n}"}
        for n, (sent, _kept) in enumerate(HALVES, start=1)
    ]
    _totalled(payload, [kept for _sent, kept in HALVES])
    result = erp.create(spec.entity, payload)
    document = _created(erp.listed(spec.entity), result.origin_id)
    assert [Decimal(c.data["amount"]) for c in document.children] == [k for _s, k in HALVES]


def test_a_commitment_whose_lines_miss_its_total_is_refused(make_erp):
    """Each line rounded as the ERP keeps it must add up to the total Procore shows; otherwise
    nothing is written and the approver reads both figures."""
    books = sample_books()
    erp = make_erp(books)
    payload = commitment_export(books)  # lines of 250.00 and 1,000.00
    payload["commitment"]["grand_total"] = "1250.01"
    expected = (
        "The lines add up to 1,250.00 in the ERP (each rounded to the cent), but the "
        "commitment's total in Procore is 1,250.01; correct the line amounts in Procore and "
        "export it again."
    )
    assert expected in erp.adapter.commitments.check_create(payload)
    with pytest.raises(ConstraintViolation) as refused:
        erp.create(Entity.COMMITMENTS, payload)
    assert expected in refused.value.messages
    assert len(erp.listed(Entity.COMMITMENTS)) == len(expected_commitments(books))
    payload["commitment"]["grand_total"] = "1250.00"
    assert erp.create(Entity.COMMITMENTS, payload).created is True
