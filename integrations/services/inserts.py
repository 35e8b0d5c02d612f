"""INSERT … VALUES (…), (…) ON CONFLICT (key) DO NOTHING RETURNING …, in one statement.

The webhook endpoint's hot path stores a batch of rows per transaction. Django's insert
compiler spends about 100 µs of Python per row preparing every field of every object, and
psycopg then quotes every one of those values; that was more than the database spent on the
rows (docs/benchmarks.md). Here a row carries only the columns the caller knows; every other
column must have a database default (``db_default``) or be nullable, and the database fills it
in. The SQL is plain enough for SQLite (3.35+) and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connections, models, router


def insert_rows_if_absent(
    model: type[models.Model],
    *,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    unique: Sequence[str],
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """Insert each row unless a row with the same ``unique`` key is stored (or earlier in
    ``rows``); the ``returning`` fields of the rows inserted, in no promised order.

    ``columns``, ``unique`` and ``returning`` name model fields; each row holds the values of
    ``columns`` in database form (ints, strings, JSON as text).
    """
    if not rows:
        return []
    using = router.db_for_write(model)
    head, row_sql, tail = _statement(model, tuple(columns), tuple(unique), tuple(returning), using)
    params = [value for row in rows for value in row]
    with connections[using].cursor() as cursor:
        cursor.execute(f"{head}{', '.join([row_sql] * len(rows))}{tail}", params)
        return [tuple(found) for found in cursor.fetchall()]


@lru_cache(maxsize=64)
def _statement(
    model: type[models.Model],
    columns: tuple[str, ...],
    unique: tuple[str, ...],
    returning: tuple[str, ...],
    using: str,
) -> tuple[str, str, str]:
    meta = model._meta
    quote = connections[using].ops.quote_name
    left_out = [
        f.name
        for f in meta.local_concrete_fields
        if not f.primary_key
        and f.name not in columns
        and not f.has_db_default()
        and not (f.null and not f.has_default())
    ]
    if left_out:
        raise ValueError(f"{meta.label}: {', '.join(left_out)} must be given or have a db_default")

    def names(fields: Sequence[str]) -> str:
        return ", ".join(quote(meta.get_field(name).column) for name in fields)

    # Only quoted identifiers from the model's metadata are formatted in; values are parameters.
    head = f"INSERT INTO {quote(meta.db_table)} ({names(columns)}) VALUES "  # noqa: S608
    tail = f" ON CONFLICT ({names(unique)}) DO NOTHING RETURNING {names(returning)}"
    return head, "(" + ", ".join(["%s"] * len(columns)) + ")", tail


def stored_pks(
    model: type[models.Model], *, scope: str, key: str, keys: Sequence[tuple[Any, Any]]
) -> dict[tuple[Any, Any], Any]:
    """The primary keys of stored rows by ``(scope, key)`` value pairs, one query per scope value:
    the rows that ``insert_rows_if_absent`` skipped because they were there already."""
    using = router.db_for_read(model)
    meta = model._meta
    quote = connections[using].ops.quote_name
    by_scope: dict[Any, list[Any]] = {}
    for scope_value, key_value in keys:
        by_scope.setdefault(scope_value, []).append(key_value)
    pk, scope_column, key_column = (
        quote(meta.pk.column),
        quote(meta.get_field(scope).column),
        quote(meta.get_field(key).column),
    )
    found: dict[tuple[Any, Any], Any] = {}
    with connections[using].cursor() as cursor:
        for scope_value, values in by_scope.items():
            cursor.execute(
                f"SELECT {pk}, {key_column} FROM {quote(meta.db_table)} "  # noqa: S608
                f"WHERE {scope_column} = %s AND {key_column} IN ({', '.join(['%s'] * len(values))})",
                [scope_value, *values],
            )
            for row_pk, key_value in cursor.fetchall():
                found[(scope_value, key_value)] = row_pk
    return found
