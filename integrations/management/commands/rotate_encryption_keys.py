"""Re-encrypt every secret with the first key of FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first, deploy, run this, then remove the old key.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from integrations import crypto
from integrations.fields import EncryptedJSONField, EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the newest key (the first in FIELD_ENCRYPTION_KEYS)."
    )

    def handle(self, *args, **options) -> None:
        total = 0
        for model in apps.get_models():
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if isinstance(f, EncryptedTextField | EncryptedJSONField)
            ]
            if not fields:
                continue
            with transaction.atomic():
                for pk, *stored in _raw_rows(model, fields):
                    updates = {
                        name: crypto.rotate(value)
                        for name, value in zip(fields, stored, strict=True)
                        if value
                    }
                    if updates:
                        model._base_manager.filter(pk=pk).update(**_as_raw(model, updates))
                        total += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted secrets on {total} rows."))


def _raw_rows(model, fields: list[str]):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk_column}, {columns} FROM {table}")  # noqa: S608 - names only
        yield from cursor.fetchall()


def _as_raw(model, updates: dict[str, str]) -> dict:
    """Write already-encrypted values without encrypting them again."""
    from django.db.models import Value
    from django.db.models.fields import TextField

    return {name: Value(value, output_field=TextField()) for name, value in updates.items()}
