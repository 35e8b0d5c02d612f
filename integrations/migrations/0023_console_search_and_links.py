"""The support console: API attempts name the request or import run they served, object links
keep the object's name, the object links list is ordered by last change, and partial search is
served by trigram indexes on PostgreSQL (SQLite keeps the model state and skips the indexes)."""

import django.contrib.postgres.indexes
import django.db.models.deletion
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


class PostgresOnlyAddIndex(migrations.AddIndex):
    """An index in the model state everywhere, in the database on PostgreSQL only (a trigram
    GIN index has no SQLite equivalent; SQLite's search stays a scan, fine at its sizes)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class PostgresOnlyTrigramExtension(TrigramExtension):
    """Django's CreateExtension skips other databases going forwards but not backwards (it asks
    SQLite for ``pg_extension``): this one skips them both ways, so the migration reverses on
    SQLite too."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def _trigram(model_name, field, prefix):
    return PostgresOnlyAddIndex(
        model_name=model_name,
        index=django.contrib.postgres.indexes.GinIndex(
            django.contrib.postgres.indexes.OpClass(
                django.db.models.functions.text.Upper(field), name="gin_trgm_ops"
            ),
            name=f"{prefix}_{field}_trgm",
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0022_selfservice_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiattempt",
            name="erp_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="api_attempts",
                to="integrations.erprequest",
            ),
        ),
        migrations.AddField(
            model_name="apiattempt",
            name="sync_run",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="api_attempts",
                to="integrations.syncrun",
            ),
        ),
        migrations.AddField(
            model_name="objectlink",
            name="name",
            field=models.CharField(
                blank=True,
                default="",
                help_text="The object's name as the ERP or Procore last gave it, so support "
                "finds it by name; filled by the engine when it links or syncs the object.",
                max_length=255,
            ),
        ),
        migrations.AddIndex(
            model_name="objectlink",
            index=models.Index(fields=["-updated_at", "-id"], name="object_link_changed_idx"),
        ),
        PostgresOnlyTrigramExtension(),
        _trigram("company", "name", "company"),
        _trigram("erprequest", "request_name", "erp_request"),
        _trigram("objectlink", "name", "object_link"),
        _trigram("objectlink", "origin_code", "object_link"),
    ]
