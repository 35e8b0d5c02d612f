"""Import schedules per company and entity, the task they fire, and the admin around them."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from integrations.models import AuditEntry, ImportSchedule, ObjectLink, SyncRun
from integrations.services.import_schedules import (
    TASK,
    import_schedule_set,
    import_schedules_ensure,
)
from integrations.tasks import scheduled_import
from tests.sync.conftest import seed_vendors

pytestmark = pytest.mark.django_db


def import_schedules():
    return Schedule.objects.filter(func=TASK)


def test_a_schedule_fires_the_import_task_for_its_company_and_entity(company, procore):
    row = import_schedule_set(company=company, entity="vendors", every_minutes=30)

    schedule = Schedule.objects.get(pk=row.schedule_id)
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == ("I", 30, -1)
    # The first tick is one cadence away, not at once.
    assert schedule.next_run > timezone.now() + timedelta(minutes=29)
    # What the cluster does with the row: import the function, evaluate the arguments, call.
    seed_vendors(2)
    result = import_string(schedule.func)(*ast.literal_eval(schedule.args))

    assert result == "Staged 2 new vendors; 0 unchanged."
    assert SyncRun.objects.get().trigger == SyncRun.Trigger.SCHEDULE
    # Missed ticks are not replayed after an outage.
    assert settings.Q_CLUSTER["catch_up"] is False


def test_changing_the_cadence_retimes_the_same_schedule_and_disabling_removes_it(company):
    row = import_schedule_set(company=company, entity="vendors", every_minutes=30)
    first = row.schedule_id

    row = import_schedule_set(company=company, entity="vendors", every_minutes=120)
    assert row.schedule_id == first
    assert Schedule.objects.get(pk=first).minutes == 120

    row = import_schedule_set(company=company, entity="vendors", every_minutes=120, enabled=False)
    assert row.schedule_id is None
    assert not import_schedules().exists()

    row = import_schedule_set(company=company, entity="vendors", every_minutes=120)
    assert Schedule.objects.get(pk=row.schedule_id).minutes == 120


def test_every_importable_entity_gets_a_default_schedule_once(company):
    import_schedule_set(company=company, entity="vendors", every_minutes=15)

    rows = import_schedules_ensure(company=company)
    again = import_schedules_ensure(company=company)

    assert [r.pk for r in rows] == [r.pk for r in again]
    minutes = {r.entity: r.every_minutes for r in ImportSchedule.objects.all()}
    assert minutes == {"vendors": 15, "standard_cost_codes": 1440, "standard_categories": 1440}
    assert import_schedules().count() == 3


def test_a_paused_scheduled_import_is_resumed_by_the_next_tick(company, connection, procore):
    seed_vendors(2)
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()

    assert scheduled_import(company.pk, "vendors").startswith("Paused, resumes on the next run")

    connection.adapter_settings = {"tenant": "books"}
    connection.save()
    assert scheduled_import(company.pk, "vendors") == "Staged 2 new vendors; 0 unchanged."
    assert SyncRun.objects.count() == 1


def test_support_edits_the_cadence_in_the_admin(admin_client_logged_in, company):
    url = reverse("admin:integrations_importschedule_add")
    response = admin_client_logged_in.post(
        url, {"company": company.pk, "entity": "vendors", "every_minutes": 45, "enabled": "on"}
    )
    assert response.status_code == 302, response.content
    row = ImportSchedule.objects.get()
    assert Schedule.objects.get(pk=row.schedule_id).minutes == 45

    change = reverse("admin:integrations_importschedule_change", args=[row.pk])
    response = admin_client_logged_in.post(change, {"every_minutes": 90, "enabled": "on"})
    assert response.status_code == 302, response.content
    assert Schedule.objects.get(pk=row.schedule_id).minutes == 90
    assert AuditEntry.objects.filter(object_type="integrations.ImportSchedule").count() == 2

    page = admin_client_logged_in.get(reverse("admin:integrations_importschedule_changelist"))
    assert page.status_code == 200
    assert b"Vendors" in page.content

    delete = reverse("admin:integrations_importschedule_delete", args=[row.pk])
    admin_client_logged_in.post(delete, {"post": "yes"})
    assert not ImportSchedule.objects.exists() and not import_schedules().exists()


def test_support_can_run_an_import_now_from_the_admin(
    admin_client_logged_in, company, procore, monkeypatch, django_capture_on_commit_callbacks
):
    seed_vendors(3)
    row = import_schedule_set(company=company, entity="vendors")
    ObjectLink.objects.create(
        company=company, item_type="vendor", origin_id="refused", state="failed", content_hash="h"
    )
    queued = []
    monkeypatch.setattr(
        "integrations.enqueue.async_task", lambda func, *args, **kw: queued.append((func, args))
    )
    url = reverse("admin:integrations_importschedule_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_logged_in.post(
            url, {"action": "run_now_retrying_refused", "_selected_action": [row.pk]}
        )

    assert response.status_code == 302
    assert queued == [("integrations.tasks.import_task", (company.pk, "vendors", "admin"))]
    assert ObjectLink.objects.get(origin_id="refused").content_hash == ""
    func, args = queued[0]
    assert import_string(func)(*args) == "Staged 3 new vendors; 0 unchanged."
    assert SyncRun.objects.get().trigger == "admin"
