"""What the contract expects of each entity: the objects a listing yields for some books, an
export the ERP accepts (and the External Data links it answers with), and one it must refuse.

Export payloads are the events dictionary's ``request_data`` (the demo tests' fixtures), pointed
at records of ``sample_books()``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from erp_adapters.base import Entity
from tests.erp_adapters.contract.books import Books, CommitmentRow, LineRow, oid

FIXTURES = Path(__file__).parent.parent / "demo" / "fixtures"

COMMITMENT_ITEM_TYPES = {
    "subcontract": "work_order_contract",
    "purchase_order": "purchase_order_contract",
}


def request_data(request_name: str) -> Any:
    document = json.loads((FIXTURES / f"{request_name}.json").read_text())
    return copy.deepcopy(document["request_data"])


@dataclass(frozen=True)
class Expected:
    """An object a listing must yield: ``data`` holds the fields the contract checks (a
    ``Decimal`` compares numerically with the decimal string the adapter gives)."""

    item_type: str
    origin_id: str
    origin_code: str
    data: dict[str, Any]
    children: tuple[Expected, ...] = ()


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    expected: Callable[[Books], list[Expected]]
    export: Callable[[Books], dict[str, Any]]
    # (item_type, Procore id) of each External Data link the export must produce, header first.
    links: list[tuple[str, int]]
    created_code: str
    refused: Callable[[Books], dict[str, Any]]
    # Where the exported object sits in the payload (None: the payload is the object).
    header_key: str | None = None
    ordered_parents_first: bool = False


# -- listing ----------------------------------------------------------------------------------


def _present(**values: Any) -> dict[str, Any]:
    """Only the values the books set: blank optional fields may come back as '' or null."""
    return {k: v for k, v in values.items() if v not in ("", None)}


def expected_vendors(books: Books) -> list[Expected]:
    return [
        Expected(
            "vendor",
            v.origin_id,
            v.code,
            _present(
                name=v.name, city=v.city, state_code=v.state_code, email_address=v.email_address
            ),
        )
        for v in books.vendors
    ]


def expected_jobs(books: Books) -> list[Expected]:
    return [
        Expected(
            "project",
            j.origin_id,
            j.code,
            {"name": j.name, "project_number": j.code}
            | _present(city=j.city, state_code=j.state_code),
        )
        for j in books.jobs
    ]


def _segment(code: str, parent_code: str | None) -> str:
    if parent_code and code.startswith(parent_code + "-"):
        return code[len(parent_code) + 1 :]
    return code


def expected_cost_codes(books: Books) -> list[Expected]:
    by_id = {c.origin_id: c for c in books.cost_codes}
    out = []
    for c in sorted(books.cost_codes, key=lambda c: c.code):
        parent = by_id.get(c.parent_origin_id) if c.parent_origin_id else None
        out.append(
            Expected(
                "standard_cost_code",
                c.origin_id,
                c.code,
                {
                    "name": c.name,
                    "code": _segment(c.code, parent.code if parent else None),
                    "parent_origin_id": c.parent_origin_id,
                },
            )
        )
    return out


def expected_cost_types(books: Books) -> list[Expected]:
    return [
        Expected("line_item_type", t.origin_id, t.code, {"name": t.name, "csv_import_code": t.code})
        for t in books.cost_types
    ]


def _lines(lines: tuple[LineRow, ...], job_origin_id: str) -> tuple[Expected, ...]:
    return tuple(
        Expected(
            "line_item",
            line.origin_id,
            str(line.position),
            {
                "amount": line.amount,
                "description": line.description,
                "position": line.position,
                "cost_code_origin_id": f"{job_origin_id}|{line.cost_code_origin_id}",
                "line_item_type_origin_id": line.cost_type_origin_id,
            },
        )
        for line in sorted(lines, key=lambda line: line.position)
    )


def expected_commitments(books: Books) -> list[Expected]:
    return [
        Expected(
            COMMITMENT_ITEM_TYPES[c.kind],
            c.origin_id,
            c.number,
            {
                "project_origin_id": c.job_origin_id,
                "vendor_origin_id": c.vendor_origin_id,
                "number": c.number,
                "title": c.title,
            },
            _lines(c.lines, c.job_origin_id),
        )
        for c in books.commitments
        if not c.void
    ]


def expected_change_orders(books: Books) -> list[Expected]:
    out = []
    for co in books.change_orders:
        commitment: CommitmentRow = books.commitment(co.commitment_origin_id)
        out.append(
            Expected(
                "commitment_change_order",
                co.origin_id,
                co.number,
                {
                    "project_origin_id": commitment.job_origin_id,
                    "commitment_origin_id": co.commitment_origin_id,
                    "number": co.number,
                    "title": co.title,
                },
                _lines(co.lines, commitment.job_origin_id),
            )
        )
    return out


# -- exports ----------------------------------------------------------------------------------


def vendor_export(books: Books) -> dict[str, Any]:
    data = request_data("create_vendor")
    data["vendor"].update(id=35, name="Northwind Drywall", company="Northwind Drywall")
    data["vendor"].update(origin_code="V-NEW01", city="Denver", state_code="CO")
    return data


def vendor_refused(books: Books) -> dict[str, Any]:
    data = vendor_export(books)
    data["vendor"].update(name="", company="")
    return data


def job_export(books: Books) -> dict[str, Any]:
    data = request_data("create_or_update_job")
    data["job"].update(id=7, name="Lakeside Offices", origin_code="J-NEW")
    summary, footings = books.cost_code("01-100"), books.cost_code("03-300-10")
    data["all_cost_codes"] = [
        {
            "id": 501,
            "name": summary.name,
            "full_code": summary.code,
            "origin_id": None,
            "standard_cost_code_origin_id": summary.origin_id,
        },
        {
            "id": 502,
            "name": footings.name,
            "full_code": footings.code,
            "origin_id": None,
            "standard_cost_code_origin_id": footings.origin_id,
        },
    ]
    return data


def job_refused(books: Books) -> dict[str, Any]:
    data = job_export(books)
    data["job"]["origin_code"] = ""
    return data


def cost_code_export(books: Books) -> dict[str, Any]:
    (item,) = request_data("create_standard_cost_codes")
    parent = books.cost_code("03")
    item.update(
        id=2,
        code="400",
        full_code="03-400",
        name="Precast Concrete",
        parent_id=None,
        parent_origin_id=parent.origin_id,
    )
    return item


def cost_code_refused(books: Books) -> dict[str, Any]:
    item = cost_code_export(books)
    item.update(full_code="77-100", code="100", parent_origin_id=oid("not-in-the-erp"))
    return item


def cost_type_export(books: Books) -> dict[str, Any]:
    return {"id": 61, "code": "R", "name": "Rental", "base_type": None, "origin_id": None}


def cost_type_refused(books: Books) -> dict[str, Any]:
    return {"id": 61, "code": "", "name": "Rental", "base_type": None, "origin_id": None}


def _line_item(
    books: Books, job_origin_id: str, *, procore_id: int, cost_code: str, amount: str, n: int
) -> dict[str, Any]:
    code, cost_type = books.cost_code(cost_code), books.cost_type("S")
    return {
        "id": procore_id,
        "position": n,
        "description": f"Line {n}",
        "amount": amount,
        "quantity": "0.0",
        "unit_cost": "0.0",
        "uom": None,
        "origin_id": None,
        "commitment_line_item_id": None,
        "cost_code": {
            "id": 9000 + n,
            "name": code.name,
            "full_code": code.code,
            "origin_id": f"{job_origin_id}|{code.origin_id}",
            "standard_cost_code_origin_id": code.origin_id,
        },
        "line_item_type": {
            "id": 800 + n,
            "name": cost_type.name,
            "code": cost_type.code,
            "base_type": None,
            "origin_id": cost_type.origin_id,
        },
    }


def commitment_export(books: Books) -> dict[str, Any]:
    data = request_data("create_commitment")
    job, vendor = books.jobs[0], books.vendor("V-000002")
    data["job_id"] = job.origin_id
    commitment = data["commitment"]
    commitment.update(id=41, number="SC-900", title="Electrical", type="WorkOrderContract")
    commitment["project"].update(name=job.name, origin_id=job.origin_id)
    commitment["vendor"].update(company=vendor.name, origin_id=vendor.origin_id)
    data["commitment_items"] = [
        _line_item(books, job.origin_id, procore_id=177, cost_code="03-300", amount="250.0", n=1),
        _line_item(books, job.origin_id, procore_id=178, cost_code="01-100", amount="1000", n=2),
    ]
    commitment["grand_total"] = "1250.0"  # what Procore sends: the lines' sum
    return data


def commitment_refused(books: Books) -> dict[str, Any]:
    data = commitment_export(books)
    data["job_id"] = oid("job-not-in-the-erp")
    data["commitment"]["project"].update(
        id=999, name="Phantom Tower", origin_id=oid("job-not-in-the-erp")
    )
    return data


def change_order_export(books: Books) -> dict[str, Any]:
    data = request_data("create_commitment_change_order")
    commitment = books.commitments[0]
    job = books.job(commitment.job_origin_id)
    data["job_origin_id"] = job.origin_id
    data["commitment"].update(id=None, number=commitment.number, origin_id=commitment.origin_id)
    data["commitment"]["project"].update(name=job.name, origin_id=job.origin_id)
    data["commitment_items"] = []
    data["change_order"].update(id=3, number="2", title="Added rebar")
    data["change_order_items"] = [
        _line_item(books, job.origin_id, procore_id=188, cost_code="03-300", amount="233.0", n=1)
    ]
    return data


def change_order_refused(books: Books) -> dict[str, Any]:
    data = change_order_export(books)
    data["commitment"].update(id=None, number="SC-404", origin_id=oid("commitment-not-in-the-erp"))
    return data


SPECS: tuple[EntitySpec, ...] = (
    EntitySpec(
        Entity.VENDORS,
        expected_vendors,
        vendor_export,
        [("vendor", 35)],
        "V-NEW01",
        vendor_refused,
        header_key="vendor",
    ),
    EntitySpec(
        Entity.STANDARD_COST_CODES,
        expected_cost_codes,
        cost_code_export,
        [("standard_cost_code", 2)],
        "03-400",
        cost_code_refused,
        ordered_parents_first=True,
    ),
    EntitySpec(
        Entity.STANDARD_CATEGORIES,
        expected_cost_types,
        cost_type_export,
        [("line_item_type", 61)],
        "R",
        cost_type_refused,
    ),
    EntitySpec(
        Entity.JOBS,
        expected_jobs,
        job_export,
        [("project", 7), ("cost_code", 501), ("cost_code", 502)],
        "J-NEW",
        job_refused,
        header_key="job",
    ),
    EntitySpec(
        Entity.COMMITMENTS,
        expected_commitments,
        commitment_export,
        [("work_order_contract", 41), ("line_item", 177), ("line_item", 178)],
        "SC-900",
        commitment_refused,
        header_key="commitment",
    ),
    EntitySpec(
        Entity.COMMITMENT_CHANGE_ORDERS,
        expected_change_orders,
        change_order_export,
        [("change_order", 3), ("line_item", 188)],
        "2",
        change_order_refused,
        header_key="change_order",
    ),
)


def decimal_equal(actual: Any, expected: Decimal) -> bool:
    return actual is not None and Decimal(str(actual)) == expected
