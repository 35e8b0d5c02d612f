"""One mapping of the settings (``entities.<entity>.list`` and the like) bound to the database:
which column holds which field, checked against the real table the first time it is used.

A field left out of ``columns`` is taken from a column of the same name when the table has one;
a required field with no column is a settings error that names the setting to fix. Queries are
wrapped (``SELECT … FROM (<query>) AS q``) so that a lookup or a batch of lines can filter them
like a table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Integer, MetaData, Table, Uuid, bindparam, func, select, text
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import quoted_name

from erp_adapters.base import Entity, ERPMisconfigured
from erp_adapters.sql.fields import Field


def _split(name: str) -> tuple[str | None, str]:
    schema, _, table = name.rpartition(".")
    return (schema or None), table


@dataclass
class Source:
    """Where one entity (or its lines) is read from."""

    entity: Entity
    setting: str
    fields: tuple[Field, ...]
    config: Mapping[str, Any]
    _mapping: dict[str, str] | None = field(default=None, repr=False)
    _table: Table | None = field(default=None, repr=False)

    @property
    def table_name(self) -> str | None:
        return self.config.get("table")

    @property
    def query(self) -> str | None:
        return self.config.get("query")

    def describe(self) -> str:
        return f"table {self.table_name}" if self.table_name else "the mapped query"

    def bind(self, conn: Connection) -> dict[str, str]:
        """field → column, checked against the table or the query's columns."""
        if self._mapping is None:
            if self.table_name:
                schema, name = _split(self.table_name)
                self._table = Table(name, MetaData(), schema=schema, autoload_with=conn)
                available = [c.name for c in self._table.columns]
            else:
                wrapped = text(f"SELECT * FROM ({self.query}) AS q WHERE 1 = 0")  # noqa: S608
                available = list(conn.execute(wrapped).keys())
            self._mapping = resolve_columns(
                self.fields, self.config.get("columns") or {}, available, self
            )
        return self._mapping

    def mapped(self, conn: Connection, name: str) -> str | None:
        return self.bind(conn).get(name)

    def select_all(self, conn: Connection, *, order_by: str | None = None):
        """The statement listing every row, each field labelled with its own name."""
        mapping = self.bind(conn)
        if self._table is not None:
            cols = [self._table.c[col].label(name) for name, col in mapping.items()]
            stmt = select(*cols)
            if order_by and order_by in mapping:
                stmt = stmt.order_by(self._table.c[mapping[order_by]])
            return stmt
        cols = ", ".join(
            f"q.{_quote(conn, col)} AS {_quote(conn, name)}" for name, col in mapping.items()
        )
        order = f" ORDER BY q.{_quote(conn, mapping[order_by])}" if order_by in mapping else ""
        return text(f"SELECT {cols} FROM ({self.query}) AS q{order}")  # noqa: S608

    def select_where_in(self, conn: Connection, name: str, values: Sequence[Any]):
        """Rows whose field ``name`` is one of ``values`` (the lines of a batch of documents)."""
        mapping = self.bind(conn)
        if self._table is not None:
            cols = [self._table.c[col].label(f) for f, col in mapping.items()]
            stmt = select(*cols).where(self._table.c[mapping[name]].in_(list(values)))
            if "position" in mapping:
                stmt = stmt.order_by(self._table.c[mapping["position"]])
            return stmt
        cols = ", ".join(
            f"q.{_quote(conn, col)} AS {_quote(conn, f)}" for f, col in mapping.items()
        )
        order = f" ORDER BY q.{_quote(conn, mapping['position'])}" if "position" in mapping else ""
        sql = f"SELECT {cols} FROM ({self.query}) AS q WHERE q.{_quote(conn, mapping[name])} IN :values{order}"  # noqa: S608
        return text(sql).bindparams(bindparam("values", value=list(values), expanding=True))

    def codes_with_prefix(self, conn: Connection, prefix: str) -> list[str]:
        return _highest_codes(conn, self, prefix)

    def find(self, conn: Connection, name: str, value: Any) -> Row | None:
        """The first row whose field ``name`` equals ``value``."""
        mapping = self.bind(conn)
        if name not in mapping:
            return None
        if self._table is not None:
            cols = [self._table.c[col].label(f) for f, col in mapping.items()]
            stmt = select(*cols).where(self._table.c[mapping[name]] == value).limit(1)
            return conn.execute(stmt).first()
        cols = ", ".join(
            f"q.{_quote(conn, col)} AS {_quote(conn, f)}" for f, col in mapping.items()
        )
        sql = (
            f"SELECT {cols} FROM ({self.query}) AS q WHERE q.{_quote(conn, mapping[name])} = :value"  # noqa: S608
        )
        return conn.execute(text(sql), {"value": value}).first()


def _highest_codes(conn: Connection, place: Any, prefix: str) -> list[str]:
    """The highest ``origin_code`` starting with ``prefix`` (one query, ``MAX`` on the column)."""
    mapping = place.bind(conn)
    if "origin_code" not in mapping:
        return []
    table = getattr(place, "_table", None)
    if table is not None:
        column = table.c[mapping["origin_code"]]
        stmt = select(func.max(column)).where(column.like(f"{prefix}%"))
        value = conn.execute(stmt).scalar()
    else:
        col = _quote(conn, mapping["origin_code"])
        sql = f"SELECT MAX(q.{col}) FROM ({place.query}) AS q WHERE q.{col} LIKE :prefix"  # noqa: S608
        value = conn.execute(text(sql), {"prefix": f"{prefix}%"}).scalar()
    return [] if value is None else [str(value)]


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(quoted_name(name, None))


def resolve_columns(
    fields: tuple[Field, ...], columns: Mapping[str, str], available: Sequence[str], where: Any
) -> dict[str, str]:
    """field → column for the fields the table (or query) can give."""
    lower = {name.lower(): name for name in available}
    # A column mapped explicitly to one field is never also taken by name for another (the
    # sample's cost_codes.code is the full code, mapped to origin_code, not the segment).
    claimed = {value.lower() for key, value in columns.items()}
    mapping: dict[str, str] = {}
    for f in fields:
        wanted = columns.get(f.name, f.name)
        actual = wanted if wanted in available else lower.get(wanted.lower())
        if f.name not in columns and actual is not None and actual.lower() in claimed:
            actual = None
        if actual is not None:
            mapping[f.name] = actual
        elif f.name in columns:
            raise ERPMisconfigured(
                f"{where.describe().capitalize()} has no column {wanted!r} for "
                f"{f.name.replace('_', ' ')} (setting '{where.setting}.columns.{f.name}'; it has: "
                f"{', '.join(available)})."
            )
        elif f.required:
            raise ERPMisconfigured(
                f"{where.describe().capitalize()} has no column for "
                f"{f.name.replace('_', ' ')}, which {where.entity.replace('_', ' ')} need: map "
                f"one in the setting '{where.setting}.columns.{f.name}' (it has: "
                f"{', '.join(available)})."
            )
    return mapping


@dataclass
class Target:
    """Where one entity (or its lines) is written: an insert, or a procedure call."""

    entity: Entity
    setting: str
    fields: tuple[Field, ...]
    config: Mapping[str, Any]
    _mapping: dict[str, str] | None = field(default=None, repr=False)
    _table: Table | None = field(default=None, repr=False)

    @property
    def table_name(self) -> str | None:
        return self.config.get("table")

    @property
    def procedure(self) -> str | None:
        return self.config.get("procedure")

    def describe(self) -> str:
        if self.table_name:
            return f"table {self.table_name}"
        return f"procedure {self.procedure}"

    def bind(self, conn: Connection) -> dict[str, str]:
        if self._mapping is None:
            if self.table_name:
                schema, name = _split(self.table_name)
                self._table = Table(name, MetaData(), schema=schema, autoload_with=conn)
                available = [c.name for c in self._table.columns]
                self._mapping = resolve_columns(
                    self.fields, self.config.get("columns") or {}, available, self
                )
            else:
                self._mapping = {name: name for name in self.config.get("arguments", [])}
        return self._mapping

    @property
    def table(self) -> Table:
        assert self._table is not None
        return self._table

    def length_limit(self, conn: Connection, name: str) -> int | None:
        """The column's declared length (the ERP's limit for that field), when it has one."""
        mapping = self.bind(conn)
        if self._table is None or name not in mapping:
            return None
        return getattr(self._table.c[mapping[name]].type, "length", None)

    def origin_id_value(self, conn: Connection) -> Any:
        """A new ERP id when the adapter gives it (a UUID), or None when the database does
        (an integer identity column, or no column)."""
        mapping = self.bind(conn)
        if self._table is None or "origin_id" not in mapping:
            return None
        col = self._table.c[mapping["origin_id"]]
        if isinstance(col.type, Integer):
            return None
        new = uuid.uuid4()
        return new if isinstance(col.type, Uuid) else str(new)

    def insert(self, conn: Connection, values: Mapping[str, Any]) -> None:
        mapping = self.bind(conn)
        row = {mapping[k]: v for k, v in values.items() if k in mapping}
        conn.execute(self.table.insert().values(**row))

    def update(self, conn: Connection, procore_id: int, values: Mapping[str, Any]) -> None:
        mapping = self.bind(conn)
        row = {mapping[k]: v for k, v in values.items() if k in mapping}
        if row:
            key = self.table.c[mapping["procore_id"]]
            conn.execute(self.table.update().where(key == procore_id).values(**row))

    def call(self, conn: Connection, values: Mapping[str, Any]) -> Row | None:
        """Call the procedure with its arguments; its first row (origin_id, origin_code)."""
        names = list(self.config.get("arguments", []))
        params = {f"a{i}": values.get(name) for i, name in enumerate(names)}
        placeholders = ", ".join(f":a{i}" for i in range(len(names)))
        dialect = conn.dialect.name
        if dialect == "mssql":
            sql = f"EXEC {self.procedure} {placeholders}"
        elif dialect in ("mysql", "mariadb"):
            sql = f"CALL {self.procedure}({placeholders})"
        else:
            sql = f"SELECT * FROM {self.procedure}({placeholders})"  # noqa: S608
        result = conn.execute(text(sql), params)
        return result.first() if result.returns_rows else None

    def codes_with_prefix(self, conn: Connection, prefix: str) -> list[str]:
        if self.procedure:
            return []
        return _highest_codes(conn, self, prefix)

    def find(self, conn: Connection, name: str, value: Any) -> Row | None:
        mapping = self.bind(conn)
        if self._table is None or name not in mapping:
            return None
        cols = [self._table.c[col].label(f) for f, col in mapping.items()]
        stmt = select(*cols).where(self._table.c[mapping[name]] == value).limit(1)
        return conn.execute(stmt).first()

    def rows_where(self, conn: Connection, name: str, value: Any) -> Iterator[Row]:
        mapping = self.bind(conn)
        if self._table is None or name not in mapping:
            return iter(())
        cols = [self._table.c[col].label(f) for f, col in mapping.items()]
        stmt = select(*cols).where(self._table.c[mapping[name]] == value)
        if "position" in mapping:
            stmt = stmt.order_by(self._table.c[mapping["position"]])
        return iter(conn.execute(stmt).all())
