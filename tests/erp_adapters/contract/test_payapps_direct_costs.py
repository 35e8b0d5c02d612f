"""The contract for payment applications and company-level direct costs, for every adapter: an
export is entered whole (header and every line) with the links Procore needs, once per Procore
id; a refusal names every line's problem and writes nothing; 500 lines add up in the ERP to the
cent; and an unlink learns where the document stands (live, void or gone), a void one letting go
of its Procore id so that exporting it again enters a new document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import ConstraintViolation, DocumentState, Entity, ERPUnavailable
from erp_adapters.money import amount, to_erp, total
from tests.erp_adapters.contract.billing_exports import (
    direct_cost_export,
    direct_cost_line,
    pay_app_export,
)
from tests.erp_adapters.contract.books import Books, billing_books, oid


@dataclass(frozen=True)
class DocumentSpec:
    entity: Entity
    header_key: str
    export: Callable[[Books], dict[str, Any]]
    links: list[tuple[str, int]]
    created_code: str
    # Every line of the export wrong in its own way, and the sentences that say so.
    refused: Callable[[Books], dict[str, Any]]
    refusals: list[str]
    # An export whose last line only is wrong.
    last_line_refused: Callable[[Books], dict[str, Any]]
    held: str  # the live document of billing_books(), and its label
    held_label: str
    void: str
    void_label: str


def pay_app_refused(books: Books) -> dict[str, Any]:
    data = pay_app_export(
        books, ("General Conditions", 1000, "250.00"), ("Roofing", 500, 600), ("Paint", 10, "x1")
    )
    data["payment_application"]["summary"].update(project_number="99-999", project_name="Other")
    return data


def pay_app_last_line_refused(books: Books) -> dict[str, Any]:
    return pay_app_export(
        books, ("General Conditions", 1000, "250.00"), ("Sitework", 2000, 5), ("Roofing", 500, 600)
    )


def direct_cost_refused(books: Books) -> dict[str, Any]:
    data = direct_cost_export(books)
    direct_cost = data["direct_cost"]
    direct_cost["vendor"] = {"id": "3999", "name": "Nobody Supply", "origin_id": oid("nobody")}
    direct_cost["line_items"] = [
        direct_cost_line(books, 1, "1000.00", job=oid("no-job")),
        direct_cost_line(books, 2, "250.50", code=oid("no-code"), cost_type=oid("no-type")),
    ]
    direct_cost["line_items"][0]["project"]["name"] = "Harbor Tower"
    direct_cost["line_items"][1]["wbs_code"]["flat_code"] = "99-999"
    return data


def direct_cost_last_line_refused(books: Books) -> dict[str, Any]:
    data = direct_cost_export(books, "10.00", "20.00", "30.00")
    data["direct_cost"]["line_items"][2]["line_item_type_origin_id"] = oid("no-type")
    return data


PAY_APPS = DocumentSpec(
    entity=Entity.PAYMENT_APPLICATIONS,
    header_key="payment_application",
    export=pay_app_export,
    links=[
        ("payment_application", 77),
        ("payment_application_line_item", 901),
        ("payment_application_line_item", 902),
    ],
    created_code="7",
    refused=pay_app_refused,
    refusals=[
        "Job '99-999 Other' is not in the ERP; export the project first (its project number "
        "must be the ERP job code).",
        "Line 2 'Roofing': billed to date 600.00 is more than its scheduled value 500.00; the "
        "ERP refuses over-billing.",
        "Line 3 'Paint' work completed this period must be an amount, not 'x1'.",
    ],
    last_line_refused=pay_app_last_line_refused,
    held=oid("pa1"),
    held_label="pay application 1 on job J-1001",
    void=oid("pa-void"),
    void_label="pay application 2 on job J-1002",
)
DIRECT_COSTS = DocumentSpec(
    entity=Entity.COMPANY_LEVEL_DIRECT_COSTS,
    header_key="direct_cost",
    export=direct_cost_export,
    links=[("company_level_direct_cost", 88)],
    created_code="INV-7781",
    refused=direct_cost_refused,
    refusals=[
        "Vendor 'Nobody Supply' is not in the ERP; export the vendor first.",
        "Line 1: job 'Harbor Tower' is not in the ERP; export the project first.",
        "Line 2: cost code 99-999 is not in the ERP's cost code list.",
        f"Line 2: its cost type ({oid('no-type')}) is not in the ERP.",
    ],
    last_line_refused=direct_cost_last_line_refused,
    held=oid("dc1"),
    held_label="invoice INV-501 of Acme Paving Inc",
    void=oid("dc-void"),
    void_label="expense EXP-9",
)
SPECS = [PAY_APPS, DIRECT_COSTS]
by_document = pytest.mark.parametrize("spec", SPECS, ids=[str(s.entity) for s in SPECS])


def procore_id(spec: DocumentSpec, payload: dict[str, Any]) -> int:
    return int(payload[spec.header_key]["id"])


def assert_nothing_written(erp, spec: DocumentSpec, payload: dict[str, Any]) -> None:
    standing = erp.adapter.entity(spec.entity).standing(
        {"procore_id": procore_id(spec, payload), "origin_id": None}
    )
    assert standing.state is DocumentState.GONE


# -- creating ------------------------------------------------------------------------------------


@by_document
def test_the_adapter_handles_the_document(make_erp, spec: DocumentSpec):
    assert make_erp(billing_books()).adapter.supports(spec.entity)


@by_document
def test_an_export_is_entered_with_a_link_for_the_header_and_each_line(make_erp, spec):
    books = billing_books()
    erp = make_erp(books)
    payload = spec.export(books)
    assert erp.adapter.entity(spec.entity).check_create(payload) == []
    result = erp.create(spec.entity, payload)
    assert (result.created, result.origin_code) == (True, spec.created_code)
    assert [(link.item_type, link.item_id) for link in result.links] == spec.links
    assert result.links[0].origin_id == result.origin_id
    assert len({link.origin_id for link in result.links}) == len(result.links)
    booked_total, booked_lines = erp.booked(spec.entity, result.origin_id)
    assert booked_lines == [Decimal("250.10"), Decimal("0.10")] or booked_lines == [
        Decimal("1000.00"),
        Decimal("250.50"),
    ]
    assert booked_total == total(booked_lines)


@by_document
def test_the_same_export_twice_is_one_document(make_erp, spec: DocumentSpec):
    books = billing_books()
    erp = make_erp(books)
    first = erp.create(spec.entity, spec.export(books))
    assert erp.adapter.entity(spec.entity).check_create(spec.export(books)) == []
    again = erp.create(spec.entity, spec.export(books))
    assert again.created is False
    assert (again.origin_id, again.origin_code, again.links) == (
        first.origin_id,
        first.origin_code,
        first.links,
    )


@by_document
def test_a_refusal_names_every_line_and_writes_nothing(make_erp, spec: DocumentSpec):
    books = billing_books()
    erp = make_erp(books)
    payload = spec.refused(books)
    assert erp.adapter.entity(spec.entity).check_create(payload) == spec.refusals
    with pytest.raises(ConstraintViolation) as refused:
        erp.create(spec.entity, payload)
    assert refused.value.messages == spec.refusals
    assert_nothing_written(erp, spec, payload)


@by_document
def test_one_bad_line_at_the_end_leaves_nothing_behind(make_erp, spec: DocumentSpec):
    """Header and the lines before the bad one are not kept: all or nothing."""
    books = billing_books()
    erp = make_erp(books)
    payload = spec.last_line_refused(books)
    problems = erp.adapter.entity(spec.entity).check_create(payload)
    assert len(problems) == 1 and problems[0].startswith("Line 3")
    with pytest.raises(ConstraintViolation):
        erp.create(spec.entity, payload)
    assert_nothing_written(erp, spec, payload)
    # Corrected in Procore and exported again: entered whole.
    assert erp.create(spec.entity, spec.export(books)).created is True


def _five_hundred(n: int) -> Any:
    """Amounts as Procore sends them: strings with cents, JSON numbers, halves to round."""
    return (f"{n}.{n % 100:02d}", n + 0.1, f"{n % 7}.005", -0.25)[n % 4]


def test_a_500_line_pay_application_adds_up_to_the_cent(make_erp):
    books = billing_books()
    erp = make_erp(books)
    sent = [_five_hundred(n) for n in range(1, 501)]
    lines = [(f"Line {n}", "1000000.00", value) for n, value in enumerate(sent, start=1)]
    result = erp.create(Entity.PAYMENT_APPLICATIONS, pay_app_export(books, *lines))
    expected = [to_erp(amount(value)) for value in sent]
    booked_total, booked_lines = erp.booked(Entity.PAYMENT_APPLICATIONS, result.origin_id)
    assert booked_lines == expected
    assert booked_total == total(expected) == total(booked_lines)
    assert len(result.links) == 501


def test_a_500_line_direct_cost_adds_up_to_the_cent(make_erp):
    books = billing_books()
    erp = make_erp(books)
    sent = [_five_hundred(n) for n in range(1, 501)]
    result = erp.create(Entity.COMPANY_LEVEL_DIRECT_COSTS, direct_cost_export(books, *sent))
    expected = [to_erp(amount(value)) for value in sent]
    booked_total, booked_lines = erp.booked(Entity.COMPANY_LEVEL_DIRECT_COSTS, result.origin_id)
    assert booked_lines == expected
    assert booked_total == total(expected) == total(booked_lines)


def test_a_direct_cost_whose_lines_miss_its_total_is_refused(make_erp):
    books = billing_books()
    erp = make_erp(books)
    payload = direct_cost_export(books, "1000.00", "250.50")
    payload["direct_cost"]["line_item_total"] = "1250.49"
    expected = [
        "The lines add up to 1,250.50 but the direct cost's total is 1,250.49; the ERP needs "
        "them to agree."
    ]
    assert erp.adapter.direct_costs.check_create(payload) == expected
    with pytest.raises(ConstraintViolation):
        erp.create(Entity.COMPANY_LEVEL_DIRECT_COSTS, payload)
    assert_nothing_written(erp, DIRECT_COSTS, payload)


# -- standing (unlink) -----------------------------------------------------------------------------


@by_document
def test_a_document_the_erp_holds_is_live_and_named(make_erp, spec: DocumentSpec):
    standing = (
        make_erp(billing_books())
        .adapter.entity(spec.entity)
        .standing({"procore_id": 555, "origin_id": spec.held})
    )
    assert standing.live and not standing.unlinkable
    assert standing.label == spec.held_label


@by_document
def test_a_void_document_may_be_unlinked(make_erp, spec: DocumentSpec):
    standing = (
        make_erp(billing_books())
        .adapter.entity(spec.entity)
        .standing({"procore_id": 556, "origin_id": spec.void})
    )
    assert standing.state is DocumentState.VOID and standing.unlinkable
    assert standing.label == spec.void_label


@by_document
def test_a_document_the_erp_does_not_hold_is_gone(make_erp, spec: DocumentSpec):
    standing = (
        make_erp(billing_books())
        .adapter.entity(spec.entity)
        .standing({"procore_id": 557, "origin_id": oid("never-in-the-erp"), "origin_code": "X-1"})
    )
    assert standing.state is DocumentState.GONE and standing.unlinkable


@by_document
def test_an_exported_document_is_found_by_its_procore_id(make_erp, spec: DocumentSpec):
    books = billing_books()
    erp = make_erp(books)
    payload = spec.export(books)
    erp.create(spec.entity, payload)
    standing = erp.adapter.entity(spec.entity).standing(
        {"procore_id": procore_id(spec, payload), "origin_id": None}
    )
    assert standing.live
    assert spec.created_code in standing.label


@by_document
def test_a_void_document_is_never_revived_and_its_unlink_lets_go(make_erp, spec: DocumentSpec):
    books = billing_books()
    erp = make_erp(books)
    payload = spec.export(books)
    first = erp.create(spec.entity, payload)
    erp.void(spec.entity, first.origin_id)
    documents = erp.adapter.entity(spec.entity)
    (refusal,) = documents.check_create(payload)
    assert "is void in the ERP, and a void" in refusal
    with pytest.raises(ConstraintViolation):
        erp.create(spec.entity, payload)
    standing = documents.standing({"procore_id": procore_id(spec, payload), "origin_id": None})
    assert standing.state is DocumentState.VOID
    # Unlinked in Procore, exported again: a new document beside the void one.
    assert documents.check_create(payload) == []
    again = erp.create(spec.entity, payload)
    assert again.created is True and again.origin_id != first.origin_id
    assert (
        erp.adapter.entity(spec.entity)
        .standing({"procore_id": None, "origin_id": first.origin_id})
        .state
        is DocumentState.VOID
    )


@by_document
def test_an_unreachable_erp_is_retryable(make_erp, spec: DocumentSpec):
    books = billing_books()
    unavailable = make_erp(books).unavailable()
    if unavailable is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    documents = unavailable.entity(spec.entity)
    with pytest.raises(ERPUnavailable):
        documents.check_create(spec.export(books))
    with pytest.raises(ERPUnavailable):
        documents.create(spec.export(books))
    with pytest.raises(ERPUnavailable):
        documents.standing({"procore_id": 555, "origin_id": spec.held})
