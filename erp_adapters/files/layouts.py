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

from erp_adapters.base import (
    Entity,
    ERPObject,
    job_cost_code_origin_id,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.change_order_markups import line_base, markups_of
from erp_adapters.document_status import is_void, procore_status
from erp_adapters.files.reading import Column
from erp_adapters.money import CENTS, NotAnAmount, Precision, amount, as_text
from erp_adapters.payload import as_dict, text

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

# Documents with lines: one row per line, the document's own columns repeated on each of its
# rows (taken from its first row); the rows of one document are together. A document without
# lines is one row with the line columns blank.
LINE_COLUMNS = (
    Column("line_erp_id", default=None),
    Column("line_position", kind="int", default=None),
    Column("line_description"),
    Column("line_quantity", kind="decimal", default=None),
    Column("line_unit_cost", kind="decimal", default=None),
    Column("line_uom"),
    Column("line_amount", kind="decimal", default=None),
    Column("line_cost_code_erp_id", default=None),
    Column("line_cost_type_erp_id", default=None),
)
LINE_REQUIRED = ("line_amount", "line_cost_code_erp_id", "line_cost_type_erp_id")

COMMITMENT_KINDS = {
    "subcontract": "work_order_contract",
    "purchase_order": "purchase_order_contract",
}
PROCORE_COMMITMENT_TYPES = {
    "WorkOrderContract": "subcontract",
    "PurchaseOrderContract": "purchase_order",
}

COMMITMENT_COLUMNS = (
    Column("erp_id", required=True),
    Column("kind", required=True),
    Column("number", required=True),
    Column("title"),
    Column("description"),
    Column("status", default="Approved"),
    Column("executed", kind="bool", default=False),
    Column("retainage_percent", kind="decimal", default=None),
    Column("job_erp_id", required=True),
    Column("vendor_erp_id", required=True),
    *LINE_COLUMNS,
)

CHANGE_ORDER_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("title"),
    Column("description"),
    Column("status", default="Approved"),
    Column("job_erp_id", required=True),
    Column("commitment_erp_id", required=True),
    *LINE_COLUMNS,
    Column("line_commitment_line_erp_id", default=None),
)

# Quantities and unit costs keep four places, amounts two (erp_adapters/money.py rounds).
QUANTITIES = Precision(places=4)


def money(value: Decimal | None) -> str | None:
    return None if value is None else as_text(value)


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


def quantity(value: Decimal | None) -> str | None:
    return None if value is None else as_text(value, QUANTITIES)


def line_object(values: dict[str, Any], position: int, job_erp_id: str) -> ERPObject:
    """One line of a document, as the demo ERP lists it (a job cost code's origin id is
    ``<job>|<cost code>``)."""
    data = {
        "amount": money(values["line_amount"]),
        "description": values["line_description"],
        "position": position,
        "quantity": quantity(values["line_quantity"]),
        "unit_cost": quantity(values["line_unit_cost"]),
        "uom": values["line_uom"],
        "cost_code_origin_id": job_cost_code_origin_id(job_erp_id, values["line_cost_code_erp_id"]),
        "line_item_type_origin_id": values["line_cost_type_erp_id"],
    }
    if "line_commitment_line_erp_id" in values:
        data["commitment_line_item_origin_id"] = values["line_commitment_line_erp_id"]
    return ERPObject("line_item", values["line_erp_id"], str(position), data)


def document_lines(rows: list[dict[str, Any]], job_erp_id: str) -> tuple[ERPObject, ...]:
    """The lines of one document in position order (a blank position is the row's order)."""
    numbered = [
        (values["line_position"] if values["line_position"] is not None else n, values)
        for n, values in enumerate(rows, start=1)
        if values["line_erp_id"] is not None
    ]
    numbered.sort(key=lambda pair: pair[0])
    return tuple(line_object(values, position, job_erp_id) for position, values in numbered)


def commitment_object(rows: list[dict[str, Any]]) -> ERPObject | None:
    """One commitment with its lines; None for a void one (history, not to import)."""
    head = rows[0]
    if is_void(head["status"]):
        return None
    data = {
        "project_origin_id": head["job_erp_id"],
        "vendor_origin_id": head["vendor_erp_id"],
        "number": head["number"],
        "title": head["title"],
        "description": head["description"],
        "status": procore_status(head["status"]),
        "executed": head["executed"],
        "retainage_percent": money(head["retainage_percent"]),
    }
    return ERPObject(
        COMMITMENT_KINDS[head["kind"]],
        head["erp_id"],
        head["number"],
        data,
        document_lines(rows, head["job_erp_id"]),
    )


def change_order_object(rows: list[dict[str, Any]]) -> ERPObject:
    head = rows[0]
    data = {
        "project_origin_id": head["job_erp_id"],
        "commitment_origin_id": head["commitment_erp_id"],
        "number": head["number"],
        "title": head["title"],
        "description": head["description"],
        "status": head["status"],
    }
    return ERPObject(
        "commitment_change_order",
        head["erp_id"],
        head["number"],
        data,
        document_lines(rows, head["job_erp_id"]),
    )


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


def vendor_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    vendor = payload.get("vendor") or {}
    return [
        {
            "procore_id": text(vendor.get("id")),
            "code": text(vendor.get("origin_code")),
            "name": text(vendor.get("name")) or text(vendor.get("company")),
            "address": text(vendor.get("address")),
            "city": text(vendor.get("city")),
            "state_code": text(vendor.get("state_code")).upper(),
            "zip": text(vendor.get("zip")),
            "country_code": text(vendor.get("country_code")).upper(),
            "business_phone": text(vendor.get("business_phone")),
            "email_address": text(vendor.get("email_address")),
            "website": text(vendor.get("website")),
            "is_active": "false" if vendor.get("is_active") is False else "true",
        }
    ]


def job_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    job = payload.get("job") or {}
    return [
        {
            "procore_id": text(job.get("id")),
            "code": text(job.get("origin_code")),
            "name": text(job.get("name")),
            "address": text(job.get("address")),
            "city": text(job.get("city")),
            "state_code": text(job.get("state_code")).upper(),
            "zip": text(job.get("zip")),
            "country_code": text(job.get("country_code")).upper(),
        }
    ]


def cost_code_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "procore_id": text(payload.get("id")),
            "code": text(payload.get("full_code")) or text(payload.get("code")),
            "name": text(payload.get("name")),
            "parent_erp_id": text(payload.get("parent_origin_id")),
            "parent_procore_id": text(payload.get("parent_id")),
        }
    ]


def cost_type_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "procore_id": text(payload.get("id")),
            "code": text(payload.get("code")),
            "name": text(payload.get("name")),
        }
    ]


def cost_code_erp_id(ref: dict[str, Any]) -> str:
    """The ERP id of the standard cost code a Procore cost code reference stands for."""
    standard = text(ref.get("standard_cost_code_origin_id"))
    if standard:
        return standard
    origin = text(ref.get("origin_id"))
    return standard_part_of_cost_code_origin_id(origin) if origin else ""


# The export columns holding numbers, and how each is kept: written with the adapter's
# decimal separator (``decimal_cells``).
NUMBER_CELLS: dict[str, Precision] = {
    "line_amount": CENTS,
    "line_quantity": QUANTITIES,
    "line_unit_cost": QUANTITIES,
    "retainage_percent": CENTS,
    # Payment applications and company-level direct costs
    "billed_this_period": CENTS,
    "retainage": CENTS,
    "amount_due": CENTS,
    "total": CENTS,
    "line_scheduled_value": CENTS,
    "line_previously_completed": CENTS,
    "line_completed_this_period": CENTS,
    "line_materials_stored": CENTS,
    "line_completed_to_date": CENTS,
    "line_retainage": CENTS,
    # Prime contract change order markups, contract payments and budget transactions
    "markup_percentage": QUANTITIES,
    "amount": CENTS,
    "transaction_amount": CENTS,
}


def number_cell(value: Any, precision: Precision = CENTS) -> str:
    """A Procore number as the ERP keeps it: exact, rounded once, blank when Procore sent none.
    A value that is no number is written as sent (``number_problems`` has refused it first)."""
    if value is None or text(value) == "":
        return ""
    try:
        return as_text(amount(value), precision)
    except NotAnAmount:
        return text(value)


def number_problems(label: str, values: dict[str, Any]) -> list[str]:
    """One sentence per value (``{"amount": "12,5x"}``) that is not a number."""
    problems = []
    for name, value in values.items():
        try:
            amount(value)
        except NotAnAmount:
            problems.append(f"{label} {name.replace('_', ' ')} '{value}' is not a number.")
    return problems


def decimal_cells(rows: list[dict[str, str]], separator: str) -> list[dict[str, str]]:
    """The rows with their numbers written with ``separator`` (',' for ERPs that read 12,50)."""
    if separator == ".":
        return rows
    return [
        {k: v.replace(".", separator) if k in NUMBER_CELLS else v for k, v in row.items()}
        for row in rows
    ]


def _line_cells(item: dict[str, Any], position: int) -> dict[str, str]:
    return {
        "line_procore_id": text(item.get("id")),
        "line_position": text(item.get("position")) or str(position),
        "line_description": text(item.get("description")),
        "line_quantity": number_cell(item.get("quantity"), NUMBER_CELLS["line_quantity"]),
        "line_unit_cost": number_cell(item.get("unit_cost"), NUMBER_CELLS["line_unit_cost"]),
        "line_uom": text(item.get("uom")),
        "line_amount": number_cell(item.get("amount"), NUMBER_CELLS["line_amount"]),
        "line_cost_code_erp_id": cost_code_erp_id(as_dict(item.get("cost_code"))),
        "line_cost_type_erp_id": text(as_dict(item.get("line_item_type")).get("origin_id")),
    }


def _document_rows(head: dict[str, str], items: list[Any], extra=None) -> list[dict[str, str]]:
    blank = {name: "" for name in _line_cells({}, 0)}
    if extra is not None:
        blank.update(extra({}))
    rows = []
    for position, item in enumerate(filter(None, map(as_dict, items)), start=1):
        cells = _line_cells(item, position)
        if extra is not None:
            cells.update(extra(item))
        rows.append({**head, **cells})
    return rows or [{**head, **blank}]


def commitment_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    commitment = as_dict(payload.get("commitment"))
    project = as_dict(commitment.get("project"))
    head = {
        "procore_id": text(commitment.get("id")),
        "kind": PROCORE_COMMITMENT_TYPES.get(text(commitment.get("type")), ""),
        "number": text(commitment.get("number")),
        "title": text(commitment.get("title")),
        "description": text(commitment.get("description")),
        "status": text(commitment.get("status")),
        "executed": "true" if commitment.get("executed") else "false",
        "retainage_percent": number_cell(commitment.get("retainage_percent")),
        "job_erp_id": text(payload.get("job_id")) or text(project.get("origin_id")),
        "vendor_erp_id": text(as_dict(commitment.get("vendor")).get("origin_id")),
    }
    return _document_rows(head, list(payload.get("commitment_items") or []))


def change_order_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    change_order = as_dict(payload.get("change_order"))
    commitment = as_dict(payload.get("commitment"))
    project = as_dict(commitment.get("project"))
    head = {
        "procore_id": text(change_order.get("id")),
        "number": text(change_order.get("number")),
        "title": text(change_order.get("title")),
        "description": text(change_order.get("description")),
        "status": text(change_order.get("status")),
        "job_erp_id": text(payload.get("job_origin_id")) or text(project.get("origin_id")),
        "commitment_erp_id": text(commitment.get("origin_id")),
        "commitment_procore_id": text(commitment.get("id")),
    }

    def commitment_line(item: dict[str, Any]) -> dict[str, str]:
        return {"line_commitment_line_procore_id": text(item.get("commitment_line_item_id"))}

    return _document_rows(head, list(payload.get("change_order_items") or []), commitment_line)


# -- prime contracts (imported) and their change orders (exported) ------------------------------
# ``prime_contracts.csv``: each job's owner contract, one row per line like commitments.
# ``prime_contract_change_orders.csv``: the ERP's prime contract change orders (read to answer an
# unlink: is it still there, is it void); the outbox file of an exported one has a row per line
# followed by a row per markup of that line (``line_kind`` ``markup``), each with its Procore id,
# so the acknowledgement's ``line_erp_ids`` gives the ERP ids of lines and markups in file order.

PRIME_CONTRACT_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("title"),
    Column("description"),
    Column("status", default="Approved"),
    Column("executed", kind="bool", default=False),
    Column("retainage_percent", kind="decimal", default=None),
    Column("start_date", kind="date", default=None),
    Column("completion_date", kind="date", default=None),
    Column("job_erp_id", required=True),
    *LINE_COLUMNS,
)

PRIME_CHANGE_ORDER_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("title"),
    Column("description"),
    Column("status", default="Approved"),
    Column("transaction_date", kind="date", default=None),
    Column("job_erp_id"),
    Column("prime_contract_erp_id", required=True),
    Column("line_kind", default="line"),
    *LINE_COLUMNS,
    Column("line_prime_contract_line_erp_id", default=None),
    Column("markup_name"),
    Column("markup_percentage", kind="decimal", default=None),
)


def prime_contract_object(rows: list[dict[str, Any]]) -> ERPObject | None:
    """One owner contract with its lines, as the demo ERP stages it; None for a void one."""
    head = rows[0]
    if is_void(head["status"]):
        return None
    start, end = head["start_date"], head["completion_date"]
    data = {
        "project_origin_id": head["job_erp_id"],
        "number": head["number"],
        "title": head["title"],
        "description": head["description"],
        "status": procore_status(head["status"]),
        "executed": head["executed"],
        "accounting_method": "amount",
        "retainage_percent": money(head["retainage_percent"]),
        "contract_start_date": None if start is None else start.isoformat(),
        "contract_estimated_completion_date": None if end is None else end.isoformat(),
    }
    return ERPObject(
        "prime_contract",
        head["erp_id"],
        head["number"],
        data,
        document_lines(rows, head["job_erp_id"]),
    )


def prime_change_order_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The change order's rows: each line at its own amount (Procore's amount less its
    markups), then a row per markup of it (its amount, and where it posts)."""
    change_order = as_dict(payload.get("prime_contract_change_order"))
    contract = as_dict(payload.get("prime_contract"))
    head = {
        "procore_id": text(change_order.get("id")),
        "number": text(change_order.get("number")),
        "title": text(change_order.get("title")),
        "description": text(change_order.get("description")),
        "status": text(change_order.get("status")),
        "transaction_date": text(
            as_dict(change_order.get("erp_custom_fields")).get("transaction_date")
        )[:10],
        "job_erp_id": text(as_dict(payload.get("project")).get("origin_id")),
        "prime_contract_erp_id": text(contract.get("origin_id")),
        "prime_contract_procore_id": text(contract.get("id")),
    }
    prime_lines = {
        text(item.get("id")): text(item.get("origin_id"))
        for item in map(as_dict, payload.get("prime_contract_items") or [])
    }
    blank = {"line_kind": "", **_line_cells({}, 0), "line_prime_contract_line_erp_id": ""}
    blank |= {"markup_name": "", "markup_percentage": "", "markup_of_line_procore_id": ""}
    rows = []
    items = filter(None, map(as_dict, payload.get("prime_contract_change_order_items") or []))
    for position, item in enumerate(items, start=1):
        base = line_base(item)
        cells = _line_cells(item, position)
        cells["line_amount"] = number_cell(item.get("amount") if base is None else base)
        prime_line = text(item.get("prime_line_item_origin_id")) or prime_lines.get(
            text(item.get("prime_line_item_id")), ""
        )
        rows.append(
            {
                **head,
                **blank,
                **cells,
                "line_kind": "line",
                "line_prime_contract_line_erp_id": prime_line,
            }
        )
        for markup_item in markups_of(item):
            markup = as_dict(markup_item.get("markup"))
            rows.append(
                {
                    **head,
                    **blank,
                    "line_kind": "markup",
                    "line_procore_id": text(markup_item.get("id")),
                    "line_position": cells["line_position"],
                    "line_description": text(markup.get("name")),
                    "line_amount": number_cell(markup_item.get("amount")),
                    "line_cost_code_erp_id": cost_code_erp_id(
                        as_dict(markup.get("destination_cost_code"))
                    ),
                    "line_cost_type_erp_id": text(
                        as_dict(markup.get("destination_line_item_type")).get("origin_id")
                    ),
                    "markup_name": text(markup.get("name")),
                    "markup_percentage": number_cell(markup.get("percentage"), QUANTITIES),
                    "markup_of_line_procore_id": text(item.get("id")),
                }
            )
    return rows or [{**head, **blank}]


# -- Requisitions (subcontractor invoices) and contract payments (issue 13) --------------------
# requisitions.csv: the ERP's invoices, one row per line (like commitments), read for what they
# have billed; ``procore_id`` is the Procore requisition an invoice came from (blank for one
# entered in the ERP). contract_payments.csv: the ERP's payments on invoices; ``procore_id`` is
# set on one exported from Procore (never listed back).
REQUISITION_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("status", default="Approved"),
    Column("commitment_erp_id", required=True),
    Column("procore_id", kind="int", default=None),
    Column("billing_date", kind="date", default=None),
    Column("line_erp_id", default=None),
    Column("line_position", kind="int", default=None),
    Column("line_procore_id", kind="int", default=None),
    Column("line_item_type"),
    Column("line_description"),
    Column("line_amount", kind="decimal", default=None),
    Column("line_retainage", kind="decimal", default=None),
    Column("line_commitment_line_erp_id", default=None),
    Column("line_change_order_line_erp_id", default=None),
)
PAYMENT_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("requisition_erp_id", required=True),
    Column("amount", kind="decimal", required=True),
    Column("payment_date", kind="date", required=True),
    Column("check_number"),
    Column("payment_method"),
    Column("status", default="Posted"),
    Column("procore_id", kind="int", default=None),
)

# -- Payment applications and company-level direct costs ----------------------------------------
# Exported from Procore, never imported: the ERP's own export of them (one row per line, like
# commitments) is what the portal reads to learn a document's state when Procore asks to unlink
# it (its ``status``: Void or Cancelled lets it go).

PAY_APP_STATUS_COLUMNS = (
    Column("erp_id", required=True),
    Column("number", required=True),
    Column("job_erp_id", default=None),
    Column("status", default="Open"),
    Column("billed_this_period", kind="decimal", default=None),
    Column("line_erp_id", default=None),
    Column("line_position", kind="int", default=None),
    Column("line_description"),
    Column("line_amount", kind="decimal", default=None),
)

DIRECT_COST_STATUS_COLUMNS = (
    Column("erp_id", required=True),
    Column("number"),
    Column("kind", default="invoice"),
    Column("vendor_erp_id", default=None),
    Column("status", default="Open"),
    Column("total", kind="decimal", default=None),
    Column("line_erp_id", default=None),
    Column("line_position", kind="int", default=None),
    Column("line_description"),
    Column("line_job_erp_id", default=None),
    Column("line_cost_code_erp_id", default=None),
    Column("line_cost_type_erp_id", default=None),
    Column("line_amount", kind="decimal", default=None),
)


# -- Sub jobs, job costs and budgets (the job cost structure) ------------------------------------
# ``sub_jobs.csv``: one row per sub job. ``job_costs.csv``: one row per cost type on a cost code
# opened on a job or sub job (a cost code without cost types: one row, cost type blank), the rows
# of one job together (sorted by job_erp_id; its sub jobs' rows inside its block). A cost code's
# code and name come from cost_codes.csv.

SUB_JOB_COLUMNS = (
    Column("erp_id", required=True),
    Column("code", required=True),
    Column("name", required=True),
    Column("job_erp_id", required=True),
)

JOB_COST_COLUMNS = (
    Column("job_erp_id", required=True),
    Column("sub_job_erp_id", default=None),
    Column("cost_code_erp_id", required=True),
    Column("cost_type_erp_id", default=None),
    Column("original_estimate", kind="decimal", default=None),
    Column("estimate", kind="decimal", default=None),
    Column("job_to_date_cost", kind="decimal", default=None),
)


def sub_job_object(values: dict[str, Any]) -> ERPObject:
    data = {
        "name": values["name"],
        "code": values["code"],
        "project_origin_id": values["job_erp_id"],
    }
    return ERPObject("sub_job", values["erp_id"], values["code"], data)


STRUCTURE_CELLS = (
    "cost_code_procore_id",
    "cost_code_erp_id",
    "cost_code",
    "cost_type_procore_id",
    "cost_type_erp_id",
    "cost_type",
)


def structure_cells(payload: dict[str, Any]) -> list[dict[str, str]]:
    """The cost codes a job or sub job export opens, one row per cost type on each (a cost
    code without cost types: one row, the cost type cells blank)."""
    rows = []
    for ref in filter(None, map(as_dict, payload.get("all_cost_codes") or [])):
        code = {
            "cost_code_procore_id": text(ref.get("id")),
            "cost_code_erp_id": cost_code_erp_id(ref),
            "cost_code": text(ref.get("full_code")) or text(ref.get("code")),
        }
        types = [as_dict(item) for item in ref.get("line_item_types") or []]
        for item in types or [{}]:
            rows.append(
                {
                    **code,
                    "cost_type_procore_id": text(item.get("id")),
                    "cost_type_erp_id": text(item.get("origin_id")),
                    "cost_type": text(item.get("code")),
                }
            )
    return rows


def _with_structure(head: dict[str, str], payload: dict[str, Any]) -> list[dict[str, str]]:
    cells = structure_cells(payload)
    return [{**head, **row} for row in cells] or [{**head, **dict.fromkeys(STRUCTURE_CELLS, "")}]


def job_structure_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """A job export: the job's columns on every row, then one cost code and cost type a row."""
    return _with_structure(job_export_rows(payload)[0], payload)


def sub_job_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    sub_job = as_dict(payload.get("sub_job"))
    project = as_dict(sub_job.get("project"))
    head = {
        "procore_id": text(sub_job.get("id")),
        "code": text(sub_job.get("code")),
        "name": text(sub_job.get("name")),
        "job_erp_id": text(project.get("origin_id")),
        "job_procore_id": text(project.get("id")),
    }
    return _with_structure(head, payload)


def budget_export_rows(payload: dict[str, Any]) -> list[dict[str, str]]:
    """One row per budget transaction of the payload (the caller leaves in only those not
    handed over yet), with its budget line's job, sub job, cost code and cost type.
    ``line_procore_id`` is Procore's transaction id: the ERP answers each one's ERP id in
    ``line_erp_ids``, in file order."""
    budget = as_dict(payload.get("budget"))
    job_costs = {text(jc.get("id")): jc for jc in map(as_dict, payload.get("job_costs") or [])}
    rows = []
    for item in map(as_dict, payload.get("transactions") or []):
        line = as_dict(job_costs.get(text(item.get("job_cost_id"))))
        kind = text(item.get("type"))
        rows.append(
            {
                "budget_procore_id": text(budget.get("id")),
                "budget_erp_id": text(budget.get("origin_id")),
                "job_erp_id": text(payload.get("job_id")),
                "sub_job_erp_id": text(line.get("sub_job_origin_id")),
                "cost_code_erp_id": standard_part_of_cost_code_origin_id(
                    text(line.get("cost_code_origin_id"))
                ),
                "cost_type_erp_id": text(line.get("line_item_type_origin_id")),
                "line_procore_id": text(item.get("id")),
                "kind": "original_estimate"
                if kind == "Erp::OriginalEstimateTransaction"
                else "modification",
                "transaction_amount": number_cell(item.get("value")),
                "notes": text(item.get("notes")),
                "job_cost_procore_id": text(item.get("job_cost_id")),
            }
        )
    if not rows:  # a budget without transactions: the ERP still answers its id
        rows.append(
            {
                "budget_procore_id": text(budget.get("id")),
                "budget_erp_id": text(budget.get("origin_id")),
                "job_erp_id": text(payload.get("job_id")),
                **dict.fromkeys(
                    (
                        "sub_job_erp_id",
                        "cost_code_erp_id",
                        "cost_type_erp_id",
                        "line_procore_id",
                        "kind",
                        "transaction_amount",
                        "notes",
                        "job_cost_procore_id",
                    ),
                    "",
                ),
            }
        )
    return rows


# -- the files of each entity ----------------------------------------------------------------

IMPORT_LAYOUTS: dict[Entity, tuple[Column, ...]] = {
    Entity.VENDORS: VENDOR_COLUMNS,
    Entity.JOBS: JOB_COLUMNS,
    Entity.STANDARD_COST_CODES: COST_CODE_COLUMNS,
    Entity.STANDARD_CATEGORIES: COST_TYPE_COLUMNS,
    Entity.COMMITMENTS: COMMITMENT_COLUMNS,
    Entity.COMMITMENT_CHANGE_ORDERS: CHANGE_ORDER_COLUMNS,
    Entity.PRIME_CONTRACTS: PRIME_CONTRACT_COLUMNS,
    Entity.PRIME_CONTRACT_CHANGE_ORDERS: PRIME_CHANGE_ORDER_COLUMNS,
    Entity.REQUISITIONS: REQUISITION_COLUMNS,
    Entity.CONTRACT_PAYMENTS: PAYMENT_COLUMNS,
    Entity.PAYMENT_APPLICATIONS: PAY_APP_STATUS_COLUMNS,
    Entity.COMPANY_LEVEL_DIRECT_COSTS: DIRECT_COST_STATUS_COLUMNS,
    Entity.SUB_JOBS: SUB_JOB_COLUMNS,
    Entity.JOB_COSTS: JOB_COST_COLUMNS,
}

# The import file of each entity, without its extension (.csv or .xlsx).
IMPORT_FILE_STEMS: dict[Entity, str] = {
    Entity.VENDORS: "vendors",
    Entity.JOBS: "jobs",
    Entity.STANDARD_COST_CODES: "cost_codes",
    Entity.STANDARD_CATEGORIES: "cost_types",
    Entity.COMMITMENTS: "commitments",
    Entity.COMMITMENT_CHANGE_ORDERS: "commitment_change_orders",
    Entity.PRIME_CONTRACTS: "prime_contracts",
    Entity.PRIME_CONTRACT_CHANGE_ORDERS: "prime_contract_change_orders",
    Entity.REQUISITIONS: "requisitions",
    Entity.CONTRACT_PAYMENTS: "contract_payments",
    Entity.PAYMENT_APPLICATIONS: "payment_applications",
    Entity.COMPANY_LEVEL_DIRECT_COSTS: "company_level_direct_costs",
    Entity.SUB_JOBS: "sub_jobs",
    Entity.JOB_COSTS: "job_costs",
}

# Entities exported to the ERP that it never exports back (no import file): their outbox stem.
EXPORT_FILE_STEMS: dict[Entity, str] = {Entity.BUDGETS: "budgets"}
