"""INSERT … ON CONFLICT DO NOTHING, returning the new primary key or None.

Used on the hot path of the webhook endpoint: one round trip tells us whether the row is new,
without a SELECT first or a savepoint around an IntegrityError. It goes through Django's own
insert compiler, so the SQL is right for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from django.db import models, router
from django.db.models import sql
from django.db.models.constants import OnConflict


def insert_if_absent(obj: models.Model) -> int | None:
    """Insert ``obj`` unless a unique constraint already holds its key; the new pk, or None."""
    model = type(obj)
    fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
    for field in fields:
        field.pre_save(obj, add=True)  # auto_now_add and friends
    query = sql.InsertQuery(model, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [obj])
    using = router.db_for_write(model)
    rows = query.get_compiler(using=using).execute_sql([model._meta.pk])
    if not rows or rows[0] is None or rows[0][0] is None:
        return None
    obj.pk = rows[0][0]
    obj._state.adding = False
    obj._state.db = using
    return obj.pk
