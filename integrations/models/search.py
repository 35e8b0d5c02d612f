"""Indexes behind the admin's partial, case-insensitive search."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db.models.functions import Upper


def trigram_indexes(prefix: str, fields: tuple[str, ...]) -> list[GinIndex]:
    """Trigram indexes that serve Django's ``icontains`` (``UPPER(x) LIKE UPPER('%term%')``) on
    PostgreSQL, so the admin's partial search stays an index scan on a million rows. They exist
    on PostgreSQL only: the migration that adds them skips SQLite (``migrations/0020``)."""
    return [
        GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=f"{prefix}_{field}_trgm")
        for field in fields
    ]
