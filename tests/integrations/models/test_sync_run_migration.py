"""Migrations 0009-0011: the notes leave ``SyncRun.error``, duplicate unfinished runs are settled before
the one-unfinished-run constraint, and a provisioning under way keeps its lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("integrations", "0010_circuit_breakers")]
AFTER = [("integrations", "0013_sync_run_one_unfinished_per_entity")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


def test_notes_move_out_of_error_and_older_unfinished_runs_are_superseded(old_apps):
    Company = old_apps.get_model("integrations", "Company")
    Connection = old_apps.get_model("integrations", "Connection")
    SyncRun = old_apps.get_model("integrations", "SyncRun")
    acme = Company.objects.create(procore_company_id=1, name="Acme")
    other = Company.objects.create(procore_company_id=2, name="Other")

    def run(company, state, error="", entity="vendors", **extra):
        return SyncRun.objects.create(
            company=company,
            entity=entity,
            item_type="vendor",
            trigger="schedule",
            state=state,
            error=error,
            **extra,
        ).pk

    partial = run(acme, "partial", "V-1: name: is taken\nan item: unreadable", entity="x")
    failed = run(acme, "failed", "Procore refused the import: Paused sign | HTTP 403", entity="x")
    older = run(
        acme,
        "running",
        "V-2: zip: is invalid",
        lease_owner="w:1",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    oldest = run(acme, "pending", "Paused, will resume: 503")
    newest = run(acme, "pending", "V-3: bad\nPaused, will resume: 503 | HTTP 503")
    elsewhere = run(other, "pending", "Paused after an internal error: KeyError: 'x'")
    provisioning = Connection.objects.create(
        company=acme, provisioning_until=timezone.now() + timedelta(minutes=5)
    )
    idle = Connection.objects.create(
        company=other, provisioning_until=timezone.now() - timedelta(minutes=5)
    )

    apps = _migrate(AFTER)

    SyncRun = apps.get_model("integrations", "SyncRun")
    rows = {row.pk: row for row in SyncRun.objects.all()}
    assert (rows[partial].error, rows[partial].pause_note) == ("", "")
    assert rows[partial].refusals == [
        {"item": "V-1", "reason": "name: is taken"},
        {"item": None, "reason": "unreadable"},
    ]
    assert rows[failed].error == "Procore refused the import: Paused sign | HTTP 403"
    assert rows[failed].refusals == []
    assert (rows[newest].state, rows[newest].error) == ("pending", "")
    assert rows[newest].pause_note == "Paused, will resume: 503 | HTTP 503"
    assert rows[newest].refusals == [{"item": "V-3", "reason": "bad"}]
    for superseded in (older, oldest):
        row = rows[superseded]
        assert (row.state, row.error) == ("failed", f"Superseded by run #{newest}")
        assert (row.pause_note, row.lease_owner, row.lease_expires_at) == ("", "", None)
        assert row.finished_at is not None
    assert rows[older].refusals == [{"item": "V-2", "reason": "zip: is invalid"}]
    assert rows[elsewhere].state == "pending"
    assert rows[elsewhere].pause_note == "Paused after an internal error: KeyError: 'x'"

    Connection = apps.get_model("integrations", "Connection")
    held = Connection.objects.get(pk=provisioning.pk)
    assert held.lease_owner.startswith("provisioning") and held.lease_expires_at > timezone.now()
    assert Connection.objects.get(pk=idle.pk).lease_owner == ""
