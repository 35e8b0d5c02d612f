"""Reading the demo ERP's books as Procore-shaped objects, a page at a time.

Listing uses keyset pagination (``WHERE key > last ORDER BY key LIMIT n``) over plain
``values()`` rows: each page is one short query, memory is bounded by the page size, no server
cursor or transaction stays open while the caller talks to Procore between pages, and rows
added meanwhile do not shift later pages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from erp_adapters.base import ERPObject, job_cost_code_origin_id
from erp_adapters.demo.checks import COMMITMENT_TYPES
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)

_ITEM_TYPE_BY_KIND = {kind: item_type for kind, item_type in COMMITMENT_TYPES.values()}


def keyset_pages(
    queryset: QuerySet, fields: Iterable[str], *, page_size: int, key: str = "id"
) -> Iterator[list[dict[str, Any]]]:
    """Pages of ``values(*fields)`` ordered by the unique column ``key``."""
    fields = tuple(dict.fromkeys((key, *fields)))
    last: Any = None
    while True:
        page_qs = queryset.order_by(key)
        if last is not None:
            page_qs = page_qs.filter(**{f"{key}__gt": last})
        rows = list(page_qs.values(*fields)[:page_size])
        if not rows:
            return
        yield rows
        if len(rows) < page_size:
            return
        last = rows[-1][key]


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def quantity(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


def iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


# --------------------------------------------------------------------------------------------

VENDOR_FIELDS = (
    "guid",
    "code",
    "name",
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "business_phone",
    "email_address",
    "website",
    "is_active",
)


def vendor_object(row: dict[str, Any]) -> ERPObject:
    data = {name: row[name] for name in VENDOR_FIELDS if name not in ("guid", "code")}
    return ERPObject("vendor", str(row["guid"]), row["code"], data)


def list_vendors(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    queryset = DemoVendor.objects.filter(tenant=tenant)
    for page in keyset_pages(queryset, VENDOR_FIELDS, page_size=page_size):
        yield from map(vendor_object, page)


JOB_FIELDS = (
    "guid",
    "code",
    "name",
    "address",
    "city",
    "state_code",
    "zip",
    "country_code",
    "start_date",
    "completion_date",
    "estimated_value",
)


def job_object(row: dict[str, Any]) -> ERPObject:
    data = {
        "name": row["name"],
        "project_number": row["code"],
        "address": row["address"],
        "city": row["city"],
        "state_code": row["state_code"],
        "zip": row["zip"],
        "country_code": row["country_code"],
        "estimated_start_date": iso(row["start_date"]),
        "estimated_completion_date": iso(row["completion_date"]),
        "estimated_value": money(row["estimated_value"]),
    }
    return ERPObject("project", str(row["guid"]), row["code"], data)


def list_jobs(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    queryset = DemoJob.objects.filter(tenant=tenant)
    for page in keyset_pages(queryset, JOB_FIELDS, page_size=page_size):
        yield from map(job_object, page)


def cost_code_segment(code: str, parent_code: str | None) -> str:
    if parent_code and code.startswith(parent_code + "-"):
        return code[len(parent_code) + 1 :]
    return code


def cost_code_object(row: dict[str, Any]) -> ERPObject:
    parent_guid = row["parent__guid"]
    data = {
        "name": row["name"],
        "code": cost_code_segment(row["code"], row["parent__code"]),
        "parent_origin_id": None if parent_guid is None else str(parent_guid),
    }
    return ERPObject("standard_cost_code", str(row["guid"]), row["code"], data)


def list_standard_cost_codes(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """Ordered by full code, so a parent (``03``) always comes before its children
    (``03-300``): Procore resolves ``parent_origin_id`` against codes it already has."""
    queryset = DemoCostCode.objects.filter(tenant=tenant, is_active=True)
    fields = ("guid", "name", "parent__guid", "parent__code")
    for page in keyset_pages(queryset, fields, page_size=page_size, key="code"):
        yield from map(cost_code_object, page)


def cost_type_object(row: dict[str, Any]) -> ERPObject:
    data = {"name": row["name"], "csv_import_code": row["code"]}
    return ERPObject("line_item_type", str(row["guid"]), row["code"], data)


def list_cost_types(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    queryset = DemoCostType.objects.filter(tenant=tenant)
    for page in keyset_pages(queryset, ("guid", "code", "name"), page_size=page_size):
        yield from map(cost_type_object, page)


LINE_FIELDS = (
    "guid",
    "position",
    "description",
    "quantity",
    "unit_cost",
    "uom",
    "amount",
    "cost_code__guid",
    "cost_type__guid",
)


def line_object(row: dict[str, Any], job_guid: Any) -> ERPObject:
    data = {
        "amount": money(row["amount"]),
        "description": row["description"],
        "position": row["position"],
        "quantity": quantity(row["quantity"]),
        "unit_cost": quantity(row["unit_cost"]),
        "uom": row["uom"],
        "cost_code_origin_id": job_cost_code_origin_id(str(job_guid), str(row["cost_code__guid"])),
        "line_item_type_origin_id": str(row["cost_type__guid"]),
    }
    if "commitment_line__guid" in row:
        commitment_line = row["commitment_line__guid"]
        data["commitment_line_item_origin_id"] = (
            None if commitment_line is None else str(commitment_line)
        )
    return ERPObject("line_item", str(row["guid"]), str(row["position"]), data)


def _lines_by_parent(model, parent_field: str, parent_ids: list[int], extra: tuple[str, ...]):
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        model.objects.filter(**{f"{parent_field}__in": parent_ids})
        .order_by(parent_field, "position", "id")
        .values(parent_field, *LINE_FIELDS, *extra)
    )
    for row in rows:
        lines[row[parent_field]].append(row)
    return lines


COMMITMENT_FIELDS = (
    "guid",
    "kind",
    "number",
    "title",
    "description",
    "status",
    "executed",
    "retainage_percent",
    "job__guid",
    "vendor__guid",
)


# The books' commitment states as Procore's commitment statuses.
_PROCORE_STATUS = {"open": "Draft", "approved": "Approved", "void": "Void"}


def list_commitments(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """Two queries per page: the headers, then all their lines. A void commitment is history,
    not something to import: it is left out (and archived in Procore if it was staged)."""
    queryset = DemoCommitment.objects.filter(tenant=tenant).exclude(status="void")
    for page in keyset_pages(queryset, COMMITMENT_FIELDS, page_size=page_size):
        lines = _lines_by_parent(DemoCommitmentLine, "commitment_id", [r["id"] for r in page], ())
        for row in page:
            data = {
                "project_origin_id": str(row["job__guid"]),
                "vendor_origin_id": str(row["vendor__guid"]),
                "number": row["number"],
                "title": row["title"],
                "description": row["description"],
                "status": _PROCORE_STATUS.get(row["status"], "Draft"),
                "executed": row["executed"],
                "retainage_percent": money(row["retainage_percent"]),
            }
            children = tuple(line_object(line, row["job__guid"]) for line in lines[row["id"]])
            yield ERPObject(
                _ITEM_TYPE_BY_KIND[row["kind"]], str(row["guid"]), row["number"], data, children
            )


CHANGE_ORDER_FIELDS = (
    "guid",
    "number",
    "title",
    "description",
    "status",
    "commitment__guid",
    "commitment__job__guid",
)


# Commitment change orders: the books' states as Procore's change order statuses.
_CHANGE_ORDER_STATUS = {"open": "Draft", "approved": "Approved", "void": "Void"}


def list_change_orders(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """A void change order is history, not something to import: it is left out (and archived
    in Procore if it was staged)."""
    queryset = DemoChangeOrder.objects.filter(tenant=tenant).exclude(status="void")
    for page in keyset_pages(queryset, CHANGE_ORDER_FIELDS, page_size=page_size):
        lines = _lines_by_parent(
            DemoChangeOrderLine,
            "change_order_id",
            [r["id"] for r in page],
            ("commitment_line__guid",),
        )
        for row in page:
            job_guid = row["commitment__job__guid"]
            data = {
                "project_origin_id": str(job_guid),
                "commitment_origin_id": str(row["commitment__guid"]),
                "number": row["number"],
                "title": row["title"],
                "description": row["description"],
                "status": _CHANGE_ORDER_STATUS.get(row["status"], "Draft"),
            }
            children = tuple(line_object(line, job_guid) for line in lines[row["id"]])
            yield ERPObject(
                "commitment_change_order", str(row["guid"]), row["number"], data, children
            )
