"""The fields the SQL adapter reads and writes per entity, in the portal's words.

A mapping in the settings says which column holds each field (``{"name": "VendorName"}``);
these lists say which fields exist, which are required, and how a value is turned into the
JSON Procore wants (money as a 2-place decimal string, dates as ISO strings). Listing and
creating use different lists: what the ERP shows is not what an export carries. Amounts go
through ``erp_adapters.money`` both ways: read exactly, rounded once (half up) when written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from erp_adapters.base import Entity
from erp_adapters.money import CENTS, NotAnAmount, Precision, amount, as_text, to_erp

TEXT, MONEY, QUANTITY, DATE, BOOL, INT = "text", "money", "quantity", "date", "bool", "int"
# Quantities and unit costs, as the sample layout keeps them (NUMERIC(16, 4)).
QUANTITIES = Precision(places=4)
PRECISIONS = {MONEY: CENTS, QUANTITY: QUANTITIES}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = False
    description: str = ""


def _f(name: str, kind: str = TEXT, *, required: bool = False, description: str = "") -> Field:
    return Field(name, kind, required, description)


ORIGIN_ID = _f("origin_id", required=True, description="the ERP's own id, stable for life")
ORIGIN_CODE = _f("origin_code", required=True, description="the code a person sees in the ERP")
PROCORE_ID = _f("procore_id", INT, required=True, description="the exported object's Procore id")

ADDRESS_FIELDS = tuple(
    _f(name) for name in ("address", "city", "state_code", "zip", "country_code")
)

# What a listing reads: ``origin_id``/``origin_code`` become the object's ids, the rest its
# ``data`` (under the same names, Procore's staged-record fields).
LIST_FIELDS: dict[Entity, tuple[Field, ...]] = {
    Entity.VENDORS: (
        ORIGIN_ID,
        ORIGIN_CODE,
        _f("name", required=True),
        *ADDRESS_FIELDS,
        _f("business_phone"),
        _f("email_address"),
        _f("website"),
        _f("is_active", BOOL),
    ),
    Entity.JOBS: (
        ORIGIN_ID,
        ORIGIN_CODE,
        _f("name", required=True),
        *ADDRESS_FIELDS,
        _f("estimated_start_date", DATE),
        _f("estimated_completion_date", DATE),
        _f("estimated_value", MONEY),
    ),
    Entity.STANDARD_COST_CODES: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the full code, e.g. 03-300"),
        _f("name", required=True),
        _f("parent_origin_id", description="the parent cost code's origin id; empty at the top"),
        _f("code", description="the code's own segment (300 in 03-300); derived when unmapped"),
    ),
    Entity.STANDARD_CATEGORIES: (ORIGIN_ID, ORIGIN_CODE, _f("name", required=True)),
    Entity.COMMITMENTS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the commitment number"),
        _f("type", description="subcontract or purchase order, translated by 'types'"),
        _f("project_origin_id", required=True),
        _f("vendor_origin_id", required=True),
        _f("title"),
        _f("description"),
        _f("status"),
        _f("executed", BOOL),
        _f("retainage_percent", MONEY),
    ),
    Entity.COMMITMENT_CHANGE_ORDERS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the change order number"),
        _f("project_origin_id", required=True),
        _f("commitment_origin_id", required=True),
        _f("title"),
        _f("description"),
        _f("status"),
    ),
    Entity.REQUISITIONS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the invoice number"),
        _f("commitment_origin_id", required=True, description="the commitment it bills"),
        _f("status", description="Void for a cancelled invoice (it bills nothing)"),
    ),
    Entity.CONTRACT_PAYMENTS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the payment number"),
        _f("requisition_origin_id", required=True, description="the invoice it pays"),
        _f(
            "requisition_procore_id",
            INT,
            required=True,
            description="the Procore id of the invoice it pays (blank: not an invoice from Procore)",
        ),
        _f("amount", MONEY, required=True),
        _f("payment_date", DATE, required=True),
        _f("check_number"),
        _f("payment_method"),
        _f("status", description="Void for a cancelled payment (not listed)"),
        _f(
            "procore_id",
            INT,
            description="set on a payment exported from Procore (not listed back)",
        ),
    ),
    Entity.PAYMENT_APPLICATIONS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the pay application number"),
        _f("project_origin_id", required=True, description="the job's origin id"),
        _f("status", description="the ERP's word for its state: Void (or Cancelled) lets it go"),
    ),
    Entity.COMPANY_LEVEL_DIRECT_COSTS: (
        ORIGIN_ID,
        _f("origin_code", description="the invoice number"),
        _f("vendor_origin_id"),
        _f("kind", description="invoice, expense, payroll or subcontractor_invoice"),
        _f("status", description="the ERP's word for its state: Void (or Cancelled) lets it go"),
    ),
    Entity.SUB_JOBS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the sub job's code, unique on its job"),
        _f("name", required=True),
        _f("project_origin_id", required=True, description="the job's origin id"),
    ),
}

LINE_LIST_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True, description="the document's origin id"),
    ORIGIN_ID,
    _f("position", INT, required=True),
    _f("description"),
    _f("amount", MONEY, required=True),
    _f("quantity", QUANTITY),
    _f("unit_cost", QUANTITY),
    _f("uom"),
    _f("cost_code_origin_id", required=True, description="the standard cost code's origin id"),
    _f("line_item_type_origin_id", required=True, description="the cost type's origin id"),
)
CHANGE_ORDER_LINE_EXTRA = (_f("commitment_line_item_origin_id"),)

DOCUMENTS = (Entity.COMMITMENTS, Entity.COMMITMENT_CHANGE_ORDERS, Entity.REQUISITIONS)

# What an export writes. ``procore_id`` makes creating idempotent, ``origin_id`` is generated by
# the adapter (a UUID) unless the column is left out and the database fills it in.
CREATE_FIELDS: dict[Entity, tuple[Field, ...]] = {
    Entity.VENDORS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code"),
        _f("name", required=True),
        *ADDRESS_FIELDS,
        _f("business_phone"),
        _f("email_address"),
        _f("website"),
        _f("trade_name"),
        _f("is_active", BOOL),
    ),
    Entity.JOBS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("name", required=True),
        *ADDRESS_FIELDS,
        _f("is_active", BOOL),
    ),
    Entity.STANDARD_COST_CODES: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("name", required=True),
        _f("parent_origin_id"),
    ),
    Entity.STANDARD_CATEGORIES: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("name", required=True),
    ),
    Entity.COMMITMENTS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("type"),
        _f("project_origin_id", required=True),
        _f("vendor_origin_id", required=True),
        _f("title"),
        _f("description"),
        _f("status"),
        _f("executed", BOOL),
        _f("retainage_percent", MONEY),
    ),
    Entity.COMMITMENT_CHANGE_ORDERS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("project_origin_id"),
        _f("commitment_origin_id", required=True),
        _f("title"),
        _f("description"),
        _f("status"),
    ),
    Entity.PRIME_CONTRACT_CHANGE_ORDERS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True, description="the change order number"),
        _f("prime_contract_origin_id", required=True, description="the prime contract's origin id"),
        _f("project_origin_id"),
        _f("title"),
        _f("description"),
        _f("status"),
        _f("transaction_date", DATE),
    ),
    Entity.REQUISITIONS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True, description="the invoice number"),
        _f("commitment_origin_id", required=True),
        _f("billing_date", DATE),
        _f("status"),
    ),
    Entity.CONTRACT_PAYMENTS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True, description="the payment number (PC-<Procore id>)"),
        _f("requisition_origin_id", required=True),
        _f("amount", MONEY, required=True),
        _f("payment_date", DATE, required=True),
        _f("check_number"),
        _f("payment_method"),
        _f("status"),
    ),
    Entity.PAYMENT_APPLICATIONS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True, description="the pay application number"),
        _f("project_origin_id", required=True),
        _f("contract_name"),
        _f("billing_date", DATE),
        _f("period_start", DATE),
        _f("period_end", DATE),
        _f("status"),
        _f("scheduled_value", MONEY),
        _f(
            "billed_this_period",
            MONEY,
            description="work completed and materials stored this period",
        ),
        _f("retainage", MONEY, description="retainage held this period"),
        _f("amount_due", MONEY, description="billed this period less retainage"),
    ),
    Entity.COMPANY_LEVEL_DIRECT_COSTS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", description="the invoice number"),
        _f("kind", required=True),
        _f("vendor_origin_id"),
        _f("description"),
        _f("direct_cost_date", DATE),
        _f("accounting_date", DATE),
        _f("status"),
        _f("total", MONEY, required=True),
    ),
    Entity.SUB_JOBS: (
        PROCORE_ID,
        _f("origin_id"),
        _f("origin_code", required=True),
        _f("name", required=True),
        _f("project_origin_id", required=True),
    ),
}

LINE_CREATE_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True),
    _f("procore_id", INT),
    _f("origin_id"),
    _f("position", INT),
    _f("description"),
    _f("amount", MONEY, required=True),
    _f("quantity", QUANTITY),
    _f("unit_cost", QUANTITY),
    _f("uom"),
    _f("cost_code_origin_id", required=True),
    _f("line_item_type_origin_id", required=True),
)


def line_list_fields(entity: Entity) -> tuple[Field, ...]:
    if entity in OWN_LINE_FIELDS:
        return OWN_LINE_FIELDS[entity][0]
    if entity is Entity.COMMITMENT_CHANGE_ORDERS:
        return LINE_LIST_FIELDS + CHANGE_ORDER_LINE_EXTRA
    return LINE_LIST_FIELDS


def line_create_fields(entity: Entity) -> tuple[Field, ...]:
    if entity in OWN_LINE_FIELDS:
        return OWN_LINE_FIELDS[entity][1]
    if entity is Entity.COMMITMENT_CHANGE_ORDERS:
        return LINE_CREATE_FIELDS + CHANGE_ORDER_LINE_EXTRA
    return LINE_CREATE_FIELDS


# -- values -------------------------------------------------------------------------------------


def to_json(value: Any, kind: str) -> Any:
    """A column value as the JSON Procore takes: never a Decimal, date or UUID object."""
    if value is None:
        return None
    if kind in PRECISIONS:
        return as_text(amount(value), PRECISIONS[kind])
    if kind == DATE:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)[:10]
    if kind == BOOL:
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "t", "yes", "y")
        return bool(value)
    if kind == INT:
        return int(value)
    return str(value)


def _text(value: Any) -> str | None:
    return value if value is None or type(value) is str else str(value)


def converter(kind: str) -> Any:
    """``to_json`` for one kind, as a function (text, the common case, costs one type check)."""
    if kind == TEXT:
        return _text
    return lambda value: to_json(value, kind)


def parse_decimal(value: Any, kind: str = MONEY) -> Decimal | None:
    """A payload number (Procore sends amounts as strings, sometimes as JSON numbers) as the ERP
    keeps it: exact, rounded once to the column's places; blank is zero; None when it is not a
    number."""
    try:
        return to_erp(amount(value), PRECISIONS[kind])
    except NotAnAmount:
        return None


# -- prime contracts (listed) and their change orders (created) ---------------------------------
# A prime contract is the ERP's and only listed (``list``, ``list_lines``); its change orders come
# from Procore and are only created (``create``, ``create_lines``, ``create_markups``).

LIST_ONLY_FIELDS: dict[Entity, tuple[Field, ...]] = {
    Entity.PRIME_CONTRACTS: (
        ORIGIN_ID,
        _f("origin_code", required=True, description="the prime contract number"),
        _f("project_origin_id", required=True, description="the job's origin id"),
        _f("title"),
        _f("description"),
        _f("status"),
        _f("executed", BOOL),
        _f("retainage_percent", MONEY),
        _f("contract_start_date", DATE),
        _f("contract_estimated_completion_date", DATE),
    ),
}

PRIME_CHANGE_ORDER_LINE_EXTRA = (
    _f("prime_contract_line_item_origin_id", description="the prime contract line it changes"),
)
MARKUP_CREATE_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True, description="the change order line's origin id"),
    _f("procore_id", INT),
    _f("origin_id"),
    _f("name"),
    _f("percentage", QUANTITY),
    _f("amount", MONEY, required=True),
    _f("cost_code_origin_id", description="where the markup posts: a cost code's origin id"),
    _f("line_item_type_origin_id", description="where the markup posts: a cost type's origin id"),
)


def entity_parts(entity: Entity) -> tuple[str, ...]:
    if entity in ENTITY_PARTS:
        return ENTITY_PARTS[entity]
    if entity in DOCUMENTS:
        return ("list", "create", "list_lines", "create_lines")
    return ("list", "create")


def part_fields(entity: Entity, part: str) -> tuple[Field, ...]:
    """The fields one part of an entity's mapping reads or writes."""
    if part == "list":
        return LIST_FIELDS[entity] if entity in LIST_FIELDS else LIST_ONLY_FIELDS[entity]
    if part == "create":
        return CREATE_FIELDS[entity]
    if part == "list_lines":
        return line_list_fields(entity)
    if part == "create_markups":
        return MARKUP_CREATE_FIELDS
    if entity is Entity.PRIME_CONTRACT_CHANGE_ORDERS:
        return LINE_CREATE_FIELDS + PRIME_CHANGE_ORDER_LINE_EXTRA
    return line_create_fields(entity)


# -- Requisitions (subcontractor invoices) and contract payments (issue 13) --------------------
# An invoice is a document: its header in ``list``/``create``, its lines in ``list_lines``/
# ``create_lines``. The listing of invoices is read for what they have billed (the over-billing
# check), never imported into Procore. Payments are listed back into Procore as invoice
# payments: ``requisition_procore_id`` is the Procore id of the invoice a payment pays (a join
# on the invoices' import table, blank for an invoice not exported from Procore), ``procore_id``
# that of a payment exported from Procore (such a payment is not listed back).
REQUISITION_LINE_LIST_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True, description="the invoice's origin id"),
    ORIGIN_ID,
    _f("amount", MONEY, required=True),
    _f("commitment_line_item_origin_id", description="the commitment line it bills"),
    _f("change_order_line_item_origin_id", description="the change order line it bills"),
)
REQUISITION_LINE_CREATE_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True),
    _f("procore_id", INT),
    _f("origin_id"),
    _f("position", INT),
    _f("item_type", description="Procore's requisition item type (Billings::ContractItem, …)"),
    _f("description"),
    _f("amount", MONEY, required=True),
    _f("retainage", MONEY),
    _f("commitment_line_item_origin_id"),
    _f("change_order_line_item_origin_id"),
)


# -- Payment applications and company-level direct costs ----------------------------------------
# Exported from Procore only: "list" maps where the ERP shows its documents with their status (what
# an unlink reads), "create" and "create_lines" where an export is written. Their lines are not
# commitment lines, so they have field lists of their own (``OWN_LINE_FIELDS``).

PAY_APP_LINE_CREATE_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True),
    _f("procore_id", INT),
    _f("origin_id"),
    _f("position", INT),
    _f("description"),
    _f("contract_line_ref", description="the ERP id of the prime contract line it bills"),
    _f("scheduled_value", MONEY),
    _f("previously_completed", MONEY),
    _f("completed_this_period", MONEY),
    _f("materials_stored", MONEY),
    _f("completed_to_date", MONEY),
    _f("retainage", MONEY),
    _f("amount", MONEY, required=True, description="billed this period"),
)
DIRECT_COST_LINE_CREATE_FIELDS: tuple[Field, ...] = (
    _f("parent_origin_id", required=True),
    _f("procore_id", INT),
    _f("origin_id"),
    _f("position", INT),
    _f("description"),
    _f("job_origin_id", required=True),
    _f("cost_code_origin_id", required=True, description="the standard cost code's origin id"),
    _f("line_item_type_origin_id", required=True, description="the cost type's origin id"),
    _f("quantity", QUANTITY),
    _f("unit_cost", QUANTITY),
    _f("uom"),
    _f("amount", MONEY, required=True),
)

# -- which parts each entity's mapping has ------------------------------------------------------

# Documents whose lines are not commitment lines: (list_lines fields, create_lines fields).
# Payment applications and direct costs are never listed: no list_lines fields.
OWN_LINE_FIELDS: dict[Entity, tuple[tuple[Field, ...], tuple[Field, ...]]] = {
    Entity.REQUISITIONS: (REQUISITION_LINE_LIST_FIELDS, REQUISITION_LINE_CREATE_FIELDS),
    Entity.PAYMENT_APPLICATIONS: ((), PAY_APP_LINE_CREATE_FIELDS),
    Entity.COMPANY_LEVEL_DIRECT_COSTS: ((), DIRECT_COST_LINE_CREATE_FIELDS),
}

# The parts of an entity's mapping when they are not ``list`` and ``create`` (plus the line parts
# of a document): the settings schema and the health check ask for exactly these. Payment
# applications and direct costs: "list" (the status an unlink reads), "create", "create_lines".
ENTITY_PARTS: dict[Entity, tuple[str, ...]] = {
    Entity.PRIME_CONTRACTS: ("list", "list_lines"),
    Entity.PRIME_CONTRACT_CHANGE_ORDERS: ("create", "create_lines", "create_markups"),
    Entity.PAYMENT_APPLICATIONS: ("list", "create", "create_lines"),
    Entity.COMPANY_LEVEL_DIRECT_COSTS: ("list", "create", "create_lines"),
}

# -- Sub jobs, job costs and budgets (the job cost structure) -----------------------------------
# Sub jobs are listed and created like any entity. Job costs and budgets have their own parts
# (``JOB_STRUCTURE_FIELDS``): a job's cost codes and the cost types on them are read from two
# mappings and written to two others, and a budget is a header with its transactions.


_PROJECT = _f("project_origin_id", required=True, description="the job's origin id")
_SUB_JOB = _f("sub_job_origin_id", description="the sub job's origin id; empty for the job's own")
_COST_CODE = _f(
    "cost_code_origin_id", required=True, description="the standard cost code's origin id"
)
_COST_TYPE = _f("cost_type_origin_id", required=True, description="the cost type's origin id")
JOB_COST_AMOUNTS = ("original_estimate", "estimate", "job_to_date_cost")

JOB_STRUCTURE_FIELDS: dict[tuple[Entity, str], tuple[Field, ...]] = {
    # One row per cost code opened on a job or sub job.
    (Entity.JOB_COSTS, "list"): (
        _PROJECT,
        _SUB_JOB,
        _COST_CODE,
        _f("code", required=True, description="the cost code's full code, e.g. 03-300"),
        _f("name", required=True, description="the cost code's name"),
    ),
    # One row per cost type assigned to such a cost code, with what is posted on the pair.
    (Entity.JOB_COSTS, "list_lines"): (
        _PROJECT,
        _SUB_JOB,
        _COST_CODE,
        _COST_TYPE,
        *(_f(name, MONEY) for name in JOB_COST_AMOUNTS),
    ),
    (Entity.JOB_COSTS, "create"): (
        _f("origin_id"),
        _PROJECT,
        _SUB_JOB,
        _COST_CODE,
        _f("procore_id", INT, description="the Procore id of the project cost code"),
    ),
    (Entity.JOB_COSTS, "create_lines"): (
        _f("origin_id"),
        _PROJECT,
        _SUB_JOB,
        _COST_CODE,
        _COST_TYPE,
        *(_f(name, MONEY) for name in JOB_COST_AMOUNTS),
    ),
    # The budget of a job (one per job), and each transaction posted to it.
    (Entity.BUDGETS, "create"): (
        _f("origin_id"),
        _PROJECT,
        _f("procore_id", INT, description="the Procore id of the budget"),
    ),
    (Entity.BUDGETS, "create_lines"): (
        _f("origin_id"),
        _f("parent_origin_id", required=True, description="the budget's origin id"),
        _f("procore_id", INT, required=True, description="Procore's transaction id"),
        _PROJECT,
        _SUB_JOB,
        _COST_CODE,
        _COST_TYPE,
        _f("kind", description="original_estimate or modification"),
        _f("amount", MONEY, required=True),
        _f("notes"),
        _f("procore_job_cost_id", INT, description="the Procore id of the budget line"),
    ),
}
# Which parts a company must map: job costs are imported (the two listings), and written only
# when Procore exports a job's cost codes; a budget is written.
JOB_STRUCTURE_REQUIRED = {
    Entity.JOB_COSTS: ("list", "list_lines"),
    Entity.BUDGETS: ("create", "create_lines"),
}
