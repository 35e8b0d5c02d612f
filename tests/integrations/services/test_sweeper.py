"""The worker's own schedules: sweeping twice a minute, healing, reconciling, purging."""

import pytest
from django_q.models import Schedule

from integrations.services.sweeper import SCHEDULES, schedules_ensure

pytestmark = pytest.mark.django_db


def test_migrate_leaves_every_schedule_of_the_worker_in_place():
    rows = {row.name: row for row in Schedule.objects.filter(name__in=[s[0] for s in SCHEDULES])}
    assert set(rows) == {name for name, *_ in SCHEDULES}
    sweeps = [rows["sweep-due-work"], rows["sweep-due-work-half-minute"]]
    assert {row.func for row in sweeps} == {"integrations.tasks.sweep_due_work"}
    assert 25 <= abs((sweeps[1].next_run - sweeps[0].next_run).total_seconds()) % 60 <= 35
    assert rows["heal-dead-letters"].func == "integrations.tasks.heal_dead_letters"
    assert rows["reconcile-webhook-deliveries"].func == "integrations.tasks.reconcile_deliveries"
    assert rows["purge-old-records"].func == "integrations.tasks.purge_old_records"


def test_ensuring_again_corrects_a_changed_schedule_but_keeps_its_timing():
    row = Schedule.objects.get(name="heal-dead-letters")
    when = row.next_run
    Schedule.objects.filter(pk=row.pk).update(func="os.system", minutes=999)
    schedules_ensure()
    row.refresh_from_db()
    assert (row.func, row.minutes, row.next_run) == (
        "integrations.tasks.heal_dead_letters",
        5,
        when,
    )
    assert Schedule.objects.filter(name="heal-dead-letters").count() == 1
