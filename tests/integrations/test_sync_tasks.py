"""The import tasks django-q2 runs: a paused import resumes on the next tick."""

from __future__ import annotations

import pytest

from integrations.models import SyncRun
from integrations.sync_tasks import scheduled_import
from tests.integrations.conftest import seed_vendors

pytestmark = pytest.mark.django_db


def test_a_paused_scheduled_import_is_resumed_by_the_next_tick(company, connection, procore):
    seed_vendors(2)
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()

    assert scheduled_import(company.pk, "vendors").startswith("Paused, resumes on the next run")

    connection.adapter_settings = {"tenant": "books"}
    connection.save()
    assert scheduled_import(company.pk, "vendors") == "Staged 2 new vendors; 0 unchanged."
    assert SyncRun.objects.count() == 1
