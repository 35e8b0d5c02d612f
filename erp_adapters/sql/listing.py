"""Reading the ERP's database as Procore-shaped objects, streamed.

One statement per listing, read through a server-side cursor (``stream_results`` with
``yield_per``): the driver holds ``fetch_size`` rows at a time, whatever the table's size.
Documents read their lines one batch of headers at a time (one ``IN`` query per batch), so a
commitment arrives with its lines and memory stays bounded by the batch. Every listing runs in a
read-only transaction where the database has one (PostgreSQL ``SET TRANSACTION READ ONLY``,
SQLite ``PRAGMA query_only``), so a mapped query cannot write.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from erp_adapters.base import (
    INVOICE_TYPE_REQUISITION,
    Entity,
    ERPMisconfigured,
    ERPObject,
    job_cost_code_origin_id,
)
from erp_adapters.document_status import is_void, procore_status
from erp_adapters.sql.database import connected
from erp_adapters.sql.fields import (
    DATE,
    MONEY,
    converter,
    entity_parts,
    line_list_fields,
    part_fields,
    to_json,
)

if TYPE_CHECKING:
    from erp_adapters.sql.books import SqlBooks
    from erp_adapters.sql.mapping import Source

_DATA_SKIP = frozenset({"origin_id", "origin_code", "type", "code", "parent_origin_id"})


@contextmanager
def read_only(conn: Connection) -> Iterator[None]:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SET TRANSACTION READ ONLY"))
    elif dialect == "sqlite":
        conn.exec_driver_sql("PRAGMA query_only = ON")
    try:
        yield
    finally:
        if dialect == "sqlite":
            conn.rollback()
            conn.exec_driver_sql("PRAGMA query_only = OFF")


def one(adapter: SqlBooks, entity: Entity, row: dict[str, Any]) -> ERPObject | None:
    """One header row of ``entity``'s listing as ``stream`` gives it (without lines)."""
    return _BUILDERS[entity](adapter, row, ())


def stream(adapter: SqlBooks, entity: Entity) -> Iterator[ERPObject]:
    source = adapter.source(entity, "list")
    label = str(entity).replace("_", " ")
    with (
        connected(
            adapter.engine, what=f"listing {label}", setting=source.setting, url=adapter.url
        ) as conn,
        read_only(conn),
    ):
        order = "origin_code" if entity is Entity.STANDARD_COST_CODES else None
        statement = source.select_all(conn, order_by=order)
        result = conn.execution_options(stream_results=True, yield_per=adapter.fetch_size).execute(
            statement
        )
        build = _BUILDERS[entity]
        keys = tuple(result.keys())
        if "list_lines" not in entity_parts(entity):
            for row in result:
                yield build(adapter, dict(zip(keys, row, strict=True)), ())
            return
        lines = adapter.source(entity, "list_lines")
        for batch in result.partitions():
            rows = [dict(zip(keys, row, strict=True)) for row in batch]
            children = _lines_of(conn, lines, entity, [str(r["origin_id"]) for r in rows])
            for row in rows:
                obj = build(adapter, row, children.get(str(row["origin_id"]), []))
                if obj is not None:  # a void commitment: history, not to import
                    yield obj


def _lines_of(
    conn: Connection, lines: Source, entity: Entity, parent_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if not parent_ids:
        return by_parent
    result = conn.execute(lines.select_where_in(conn, "parent_origin_id", parent_ids))
    keys = tuple(result.keys())
    for values in result:
        row = dict(zip(keys, values, strict=True))
        by_parent[str(row["parent_origin_id"])].append(row)
    return by_parent


@functools.cache
def _plan(entity: Entity, keys: tuple[str, ...]) -> tuple[tuple[str, Any], ...]:
    """The data fields a listing's columns give, each with its converter (once per listing)."""
    return tuple(
        (f.name, converter(f.kind))
        for f in part_fields(entity, "list")
        if f.name in keys and f.name not in _DATA_SKIP
    )


def _data(row: dict[str, Any], entity: Entity) -> dict[str, Any]:
    return {name: convert(row[name]) for name, convert in _plan(entity, tuple(row))}


def _ids(row: Any) -> tuple[str, str]:
    return str(row["origin_id"]), "" if row["origin_code"] is None else str(row["origin_code"])


def _vendor(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    origin_id, code = _ids(row)
    return ERPObject("vendor", origin_id, code, _data(row, Entity.VENDORS))


def _job(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    origin_id, code = _ids(row)
    data = {**_data(row, Entity.JOBS), "project_number": code}
    return ERPObject("project", origin_id, code, data)


def _cost_code(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    origin_id, code = _ids(row)
    parent = row.get("parent_origin_id")
    parent = None if parent in (None, "") else str(parent)
    segment = row.get("code")
    if segment in (None, ""):
        separator = adapter.settings["segment_separator"]
        segment = code.rsplit(separator, 1)[-1] if parent and separator in code else code
    data = {"name": to_json(row["name"], "text"), "code": str(segment), "parent_origin_id": parent}
    return ERPObject("standard_cost_code", origin_id, code, data)


def _cost_type(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    origin_id, code = _ids(row)
    data = {"name": to_json(row["name"], "text"), "csv_import_code": code}
    return ERPObject("line_item_type", origin_id, code, data)


def _line(row: Any, job_origin_id: str, entity: Entity) -> ERPObject:
    data: dict[str, Any] = {}
    for f in line_list_fields(entity):
        if f.name in ("parent_origin_id", "origin_id") or f.name not in row:
            continue
        data[f.name] = to_json(row[f.name], f.kind)
    data["cost_code_origin_id"] = job_cost_code_origin_id(
        job_origin_id, str(row["cost_code_origin_id"])
    )
    return ERPObject("line_item", str(row["origin_id"]), str(row["position"]), data)


def _commitment(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject | None:
    if "status" in row and is_void(row["status"]):
        return None
    origin_id, code = _ids(row)
    kind = row.get("type")
    types = adapter.settings["types"]
    if kind in (None, ""):
        item_type = "work_order_contract"
    elif str(kind) in types:
        item_type = types[str(kind)]
    else:
        raise ERPMisconfigured(
            f"Commitment {code} has the type {kind!r}, which the setting 'types' does not "
            f"translate (known: {', '.join(sorted(types))})."
        )
    job = str(row["project_origin_id"])
    data = {**_data(row, Entity.COMMITMENTS), "number": code}
    if "status" in data:
        data["status"] = procore_status(data["status"])
    children = tuple(_line(line, job, Entity.COMMITMENTS) for line in lines)
    return ERPObject(item_type, origin_id, code, data, children)


def _change_order(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    origin_id, code = _ids(row)
    job = str(row["project_origin_id"])
    data = {**_data(row, Entity.COMMITMENT_CHANGE_ORDERS), "number": code}
    children = tuple(_line(line, job, Entity.COMMITMENT_CHANGE_ORDERS) for line in lines)
    return ERPObject("commitment_change_order", origin_id, code, data, children)


def _prime_contract(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject | None:
    """A job's owner contract, as the demo ERP stages it; a void one is history (None)."""
    if "status" in row and is_void(row["status"]):
        return None
    origin_id, code = _ids(row)
    job = str(row["project_origin_id"])
    data = {
        **_data(row, Entity.PRIME_CONTRACTS),
        "project_origin_id": job,
        "number": code,
        "accounting_method": "amount",
    }
    if "status" in data:
        data["status"] = procore_status(data["status"])
    children = tuple(_line(line, job, Entity.PRIME_CONTRACTS) for line in lines)
    return ERPObject("prime_contract", origin_id, code, data, children)


def invoice_payment(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject | None:
    """A payment the ERP recorded on an invoice exported from Procore, as one
    ``invoice_payments/sync`` item; None for one Procore has no business with: void, on an
    invoice that did not come from Procore, or exported from Procore itself."""
    if row.get("procore_id") is not None or row.get("requisition_procore_id") in (None, ""):
        return None
    if is_void(row.get("status")):
        return None
    origin_id, code = _ids(row)
    data = {
        "invoice_type": INVOICE_TYPE_REQUISITION,
        "invoice_id": int(row["requisition_procore_id"]),
        "amount": to_json(row["amount"], MONEY),
        "payment_date": to_json(row["payment_date"], DATE),
        "check_number": "" if row.get("check_number") is None else str(row["check_number"]),
        "payment_method": "" if row.get("payment_method") is None else str(row["payment_method"]),
    }
    return ERPObject("invoice_payment", origin_id, code, data)


def _sub_job(adapter: SqlBooks, row: Any, lines: Any) -> ERPObject:
    def plain(value: Any) -> str:
        return "" if value is None else str(value).strip()

    origin_id, code = str(row["origin_id"]), plain(row["origin_code"])
    data = {
        "name": plain(row["name"]),
        "code": code,
        "project_origin_id": str(row["project_origin_id"]),
    }
    return ERPObject("sub_job", origin_id, code, data)


_BUILDERS = {
    Entity.VENDORS: _vendor,
    Entity.JOBS: _job,
    Entity.STANDARD_COST_CODES: _cost_code,
    Entity.STANDARD_CATEGORIES: _cost_type,
    Entity.COMMITMENTS: _commitment,
    Entity.COMMITMENT_CHANGE_ORDERS: _change_order,
    Entity.PRIME_CONTRACTS: _prime_contract,
    Entity.CONTRACT_PAYMENTS: invoice_payment,
    Entity.SUB_JOBS: _sub_job,
}
