"""Import schedules per company and entity, and the import task each one fires."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule

from integrations.models import ImportSchedule, SyncRun
from integrations.services.import_schedules import (
    TASK,
    import_schedule_set,
    import_schedules_ensure,
)
from tests.integrations.conftest import seed_vendors

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
    assert minutes == {
        "vendors": 15,
        "standard_cost_codes": 1440,
        "standard_categories": 1440,
        "jobs": 60,
        "sub_jobs": 60,
        "prime_contracts": 60,
        "job_costs": 60,
        "contract_payments": 60,
        "commitments": 60,
        "commitment_change_orders": 60,
    }
    assert import_schedules().count() == 10
