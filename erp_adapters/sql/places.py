"""The mappings of the job cost structure (``entities.job_costs.*``, ``entities.budgets.*``)
bound like the others' (``mapping.Source``/``Target``), and the few statements they need that
the other entities do not: rows matching several fields (a sub job's own cost codes are those of
its job *and* its sub job, a job's own those whose sub job is empty), ordered reads, updates and
deletes by those fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, select, text
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import SQLAlchemyError

from erp_adapters.base import Entity, ERPMisconfigured
from erp_adapters.sql.database import translate
from erp_adapters.sql.fields import JOB_STRUCTURE_FIELDS
from erp_adapters.sql.mapping import Source, Target, _quote

if TYPE_CHECKING:
    from erp_adapters.sql.books import SqlBooks


def configured(adapter: SqlBooks, entity: Entity, part: str) -> bool:
    return bool((adapter.settings.get("entities") or {}).get(str(entity), {}).get(part))


def place(adapter: SqlBooks, entity: Entity, part: str) -> Any:
    """The bound mapping of ``entities.<entity>.<part>`` (a ``Source`` for ``list*`` parts, a
    ``Target`` for ``create*``), made once per adapter; ``ERPMisconfigured`` naming the setting
    when the company has not mapped it."""
    cache = adapter.__dict__.setdefault("_structure_places", {})
    key = (entity, part)
    if key not in cache:
        setting = f"entities.{entity}.{part}"
        config = (adapter.settings.get("entities") or {}).get(str(entity), {}).get(part)
        if not config:
            raise ERPMisconfigured(
                f"The setting '{setting}' is missing: the SQL adapter does not know where "
                f"{_what(entity, part)} are kept."
            )
        kind = Source if part.startswith("list") else Target
        cache[key] = kind(entity, setting, JOB_STRUCTURE_FIELDS[key], config)
    return cache[key]


def _what(entity: Entity, part: str) -> str:
    return {
        (Entity.JOB_COSTS, "list"): "the cost codes of jobs",
        (Entity.JOB_COSTS, "list_lines"): "the cost types on job cost codes",
        (Entity.JOB_COSTS, "create"): "the cost codes opened on jobs",
        (Entity.JOB_COSTS, "create_lines"): "the cost types assigned on jobs",
        (Entity.BUDGETS, "create"): "budgets",
        (Entity.BUDGETS, "create_lines"): "budget transactions",
    }.get((entity, part), str(entity).replace("_", " "))


def bind(conn: Connection, where: Source | Target, *, what: str, url: str) -> dict[str, str]:
    """``where.bind``, a database error naming this mapping's setting (a missing table is
    ``ERPMisconfigured`` with the setting to fix)."""
    try:
        return where.bind(conn)
    except SQLAlchemyError as exc:
        raise translate(exc, what=what, setting=where.setting, url=url) from exc


def _columns(conn: Connection, where: Source | Target) -> list[Any]:
    mapping = where.bind(conn)
    table = where._table
    assert table is not None
    return [table.c[col].label(name) for name, col in mapping.items()]


def _condition(conn: Connection, where: Source | Target, criteria: Mapping[str, Any]):
    mapping = where.bind(conn)
    table = where._table
    assert table is not None
    parts = []
    for name, value in criteria.items():
        column = table.c[mapping[name]]
        parts.append(column.is_(None) if value is None else column == value)
    return and_(*parts)


def _query_where(
    conn: Connection, where: Source, criteria: Mapping[str, Any], order: Sequence[str]
) -> Any:
    mapping = where.bind(conn)
    cols = ", ".join(f"q.{_quote(conn, col)} AS {_quote(conn, f)}" for f, col in mapping.items())
    conditions, params = [], {}
    for index, (name, value) in enumerate(criteria.items()):
        column = f"q.{_quote(conn, mapping[name])}"
        if value is None:
            conditions.append(f"{column} IS NULL")
        else:
            conditions.append(f"{column} = :v{index}")
            params[f"v{index}"] = value
    sql = f"SELECT {cols} FROM ({where.query}) AS q"  # noqa: S608
    if conditions:
        sql += " WHERE " + " AND ".join(conditions)
    order_by = [f"q.{_quote(conn, mapping[name])}" for name in order if name in mapping]
    if order_by:
        sql += " ORDER BY " + ", ".join(order_by)
    return text(sql).bindparams(**params) if params else text(sql)


def select_matching(
    conn: Connection,
    where: Source | Target,
    criteria: Mapping[str, Any],
    *,
    order: Sequence[str] = (),
) -> Any:
    """The statement reading the rows whose fields equal ``criteria`` (None: the column is
    empty), each field labelled with its own name, ordered by the fields ``order`` names."""
    mapping = where.bind(conn)
    if where._table is None:
        if isinstance(where, Target):
            raise ERPMisconfigured(
                f"The setting '{where.setting}' maps a procedure; this needs a table."
            )
        return _query_where(conn, where, criteria, order)
    stmt = select(*_columns(conn, where))
    if criteria:
        stmt = stmt.where(_condition(conn, where, criteria))
    table = where._table
    for name in order:
        if name in mapping:
            stmt = stmt.order_by(table.c[mapping[name]])
    return stmt


def rows_matching(
    conn: Connection, where: Source | Target, criteria: Mapping[str, Any], **kwargs: Any
) -> list[Row]:
    return list(conn.execute(select_matching(conn, where, criteria, **kwargs)))


def select_in(conn: Connection, where: Source, name: str, values: Sequence[Any]) -> Any:
    """Rows whose field ``name`` is one of ``values`` (one page of jobs)."""
    mapping = where.bind(conn)
    if where._table is not None:
        stmt = select(*_columns(conn, where)).where(where._table.c[mapping[name]].in_(list(values)))
        return stmt
    cols = ", ".join(f"q.{_quote(conn, col)} AS {_quote(conn, f)}" for f, col in mapping.items())
    sql = (
        f"SELECT {cols} FROM ({where.query}) AS q WHERE q.{_quote(conn, mapping[name])} IN :values"  # noqa: S608
    )
    return text(sql).bindparams(bindparam("values", value=list(values), expanding=True))


def table_of(where: Target) -> Any:
    if where._table is None:
        raise ERPMisconfigured(
            f"The setting '{where.setting}' maps a procedure; changing or deleting these rows "
            "needs a table."
        )
    return where._table


def update_matching(
    conn: Connection, where: Target, criteria: Mapping[str, Any], values: Mapping[str, Any]
) -> int:
    mapping = where.bind(conn)
    table = table_of(where)
    row = {mapping[k]: v for k, v in values.items() if k in mapping}
    if not row:
        return 0
    return conn.execute(
        table.update().where(_condition(conn, where, criteria)).values(**row)
    ).rowcount


def delete_matching(conn: Connection, where: Target, criteria: Mapping[str, Any]) -> int:
    table = table_of(where)
    where.bind(conn)
    return conn.execute(table.delete().where(_condition(conn, where, criteria))).rowcount


def put(conn: Connection, where: Target, values: Mapping[str, Any]) -> None:
    """Insert a row (an ERP id made by the adapter unless the database makes it), or call the
    mapped procedure with it."""
    if where.procedure:
        where.call(conn, values)
        return
    row = dict(values)
    if row.get("origin_id") is None:
        row["origin_id"] = where.origin_id_value(conn)
        if row["origin_id"] is None:
            row.pop("origin_id")
    where.insert(conn, row)
