"""The file layouts, per entity: what the ERP's export files hold (import) and what the
portal writes to the outbox (export). docs/adapters.md shows each one with an example; the
sample files in ``erp_adapters/files/samples/`` follow them.

Import files are named after the entity (``vendors.csv`` or ``vendors.xlsx``). Each row turns
into the same Procore-shaped ``ERPObject`` the demo ERP lists (``erp_adapters/demo/listing.py``),
so the engine cannot tell the two ERPs apart.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from erp_adapters.base import Entity, ERPObject
from erp_adapters.files.reading import Column

# -- import layouts -------------------------------------------------------------------------

VENDOR_COLUMNS = (
    Column("erp_id", required=True),
    Column("code", required=True),
    Column("name", required=True),
    Column("address"),
    Column("city"),
    Column("state_code"),
    Column("zip"),
    Column("country_code", default="US"),
    Column("business_phone"),
    Column("email_address"),
    Column("website"),
    Column("is_active", kind="bool", default=True),
)

JOB_COLUMNS = (
    Column("erp_id", required=True),
    Column("code", required=True),
    Column("name", required=True),
    Column("address"),
    Column("city"),
    Column("state_code"),
    Column("zip"),
    Column("country_code", default="US"),
    Column("start_date", kind="date", default=None),
    Column("completion_date", kind="date", default=None),
    Column("estimated_value", kind="decimal", default=None),
)

COST_CODE_COLUMNS = (
    Column("erp_id", required=True),
    Column("code", required=True),
    Column("name", required=True),
    Column("parent_erp_id", default=None),
    Column("is_active", kind="bool", default=True),
)

COST_TYPE_COLUMNS = (
    Column("erp_id", required=True),
    Column("code", required=True),
    Column("name", required=True),
)

IMPORT_LAYOUTS: dict[Entity, tuple[Column, ...]] = {
    Entity.VENDORS: VENDOR_COLUMNS,
    Entity.JOBS: JOB_COLUMNS,
    Entity.STANDARD_COST_CODES: COST_CODE_COLUMNS,
    Entity.STANDARD_CATEGORIES: COST_TYPE_COLUMNS,
}

# The import file of each entity, without its extension (.csv or .xlsx).
IMPORT_FILE_STEMS: dict[Entity, str] = {
    Entity.VENDORS: "vendors",
    Entity.JOBS: "jobs",
    Entity.STANDARD_COST_CODES: "cost_codes",
    Entity.STANDARD_CATEGORIES: "cost_types",
}


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def vendor_object(values: dict[str, Any]) -> ERPObject:
    data = {
        "name": values["name"],
        "address": values["address"],
        "city": values["city"],
        "state_code": values["state_code"].upper(),
        "zip": values["zip"],
        "country_code": values["country_code"].upper(),
        "business_phone": values["business_phone"],
        "email_address": values["email_address"],
        "website": values["website"],
        "is_active": values["is_active"],
    }
    return ERPObject("vendor", values["erp_id"], values["code"], data)


def job_object(values: dict[str, Any]) -> ERPObject:
    start, end = values["start_date"], values["completion_date"]
    data = {
        "name": values["name"],
        "project_number": values["code"],
        "address": values["address"],
        "city": values["city"],
        "state_code": values["state_code"].upper(),
        "zip": values["zip"],
        "country_code": values["country_code"].upper(),
        "estimated_start_date": None if start is None else start.isoformat(),
        "estimated_completion_date": None if end is None else end.isoformat(),
        "estimated_value": money(values["estimated_value"]),
    }
    return ERPObject("project", values["erp_id"], values["code"], data)


def cost_type_object(values: dict[str, Any]) -> ERPObject:
    data = {"name": values["name"], "csv_import_code": values["code"]}
    return ERPObject("line_item_type", values["erp_id"], values["code"], data)


def cost_code_segment(code: str, parent_code: str | None) -> str:
    """The code's own segment (``300`` of ``03-300``), as Procore's cost code tree wants it."""
    if parent_code and code.startswith(parent_code + "-"):
        return code[len(parent_code) + 1 :]
    return code


def cost_code_object(values: dict[str, Any], parent_code: str | None) -> ERPObject:
    data = {
        "name": values["name"],
        "code": cost_code_segment(values["code"], parent_code),
        "parent_origin_id": values["parent_erp_id"],
    }
    return ERPObject("standard_cost_code", values["erp_id"], values["code"], data)


# -- export layouts -------------------------------------------------------------------------
# One CSV per exported object, with a header; the ERP's importer keys on ``procore_id``, so a
# file delivered twice cannot make two records.


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def vendor_export_row(payload: dict[str, Any]) -> dict[str, str]:
    vendor = payload.get("vendor") or {}
    return {
        "procore_id": _text(vendor.get("id")),
        "code": _text(vendor.get("origin_code")),
        "name": _text(vendor.get("name")) or _text(vendor.get("company")),
        "address": _text(vendor.get("address")),
        "city": _text(vendor.get("city")),
        "state_code": _text(vendor.get("state_code")).upper(),
        "zip": _text(vendor.get("zip")),
        "country_code": _text(vendor.get("country_code")).upper(),
        "business_phone": _text(vendor.get("business_phone")),
        "email_address": _text(vendor.get("email_address")),
        "website": _text(vendor.get("website")),
        "is_active": "false" if vendor.get("is_active") is False else "true",
    }


def job_export_row(payload: dict[str, Any]) -> dict[str, str]:
    job = payload.get("job") or {}
    return {
        "procore_id": _text(job.get("id")),
        "code": _text(job.get("origin_code")),
        "name": _text(job.get("name")),
        "address": _text(job.get("address")),
        "city": _text(job.get("city")),
        "state_code": _text(job.get("state_code")).upper(),
        "zip": _text(job.get("zip")),
        "country_code": _text(job.get("country_code")).upper(),
    }


def cost_code_export_row(payload: dict[str, Any]) -> dict[str, str]:
    return {
        "procore_id": _text(payload.get("id")),
        "code": _text(payload.get("full_code")) or _text(payload.get("code")),
        "name": _text(payload.get("name")),
        "parent_erp_id": _text(payload.get("parent_origin_id")),
        "parent_procore_id": _text(payload.get("parent_id")),
    }


def cost_type_export_row(payload: dict[str, Any]) -> dict[str, str]:
    return {
        "procore_id": _text(payload.get("id")),
        "code": _text(payload.get("code")),
        "name": _text(payload.get("name")),
    }
