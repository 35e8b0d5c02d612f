"""When each company's entities are imported: our ``ImportSchedule`` rows, and the django-q2
``Schedule`` each one drives.

Support edits the cadence on our row (in the admin); the django-q2 row is derived from it here
and never edited by hand, so the two cannot drift apart. Catch-up is off for the whole cluster
(``Q_CLUSTER["catch_up"] = False``): a worker that was down for a day runs one import when it
comes back, not one per missed tick.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from integrations.enqueue import SCHEDULED_IMPORT_TASK
from integrations.models import Company, ImportEntity, ImportSchedule

TASK = SCHEDULED_IMPORT_TASK

# Vendors, jobs and costs change daily in a busy ERP; reference data rarely. An unchanged list
# costs no Procore call, so hourly job costs only cost reading the ERP.
DEFAULT_MINUTES: dict[str, int] = {
    ImportEntity.VENDORS: 60,
    ImportEntity.JOBS: 60,
    ImportEntity.SUB_JOBS: 60,
    ImportEntity.JOB_COSTS: 60,
    ImportEntity.STANDARD_COST_CODES: 24 * 60,
    ImportEntity.STANDARD_CATEGORIES: 24 * 60,
    # An owner contract changes when the owner signs a change: hourly is soon enough.
    ImportEntity.PRIME_CONTRACTS: 60,
    ImportEntity.CONTRACT_PAYMENTS: 60,  # issue 11: payments the ERP recorded on invoices
}


def import_schedule_sync(*, import_schedule: ImportSchedule) -> ImportSchedule:
    """Make the django-q2 schedule match the row: created, re-timed, or removed when disabled."""
    row = import_schedule
    with transaction.atomic():
        current = Schedule.objects.filter(pk=row.schedule_id).first() if row.schedule_id else None
        if not row.enabled:
            if current is not None:
                current.delete()
            if row.schedule_id is not None:
                row.schedule = None
                ImportSchedule.objects.filter(pk=row.pk).update(schedule=None)
            return row
        now = timezone.now()
        if current is None:
            # The first tick is one cadence away: a newly connected company's first import is
            # the approver's Refresh button (or support's "Run import now"), not a surprise.
            current = Schedule(next_run=now + timedelta(minutes=row.every_minutes))
        elif current.minutes != row.every_minutes:
            current.next_run = now + timedelta(minutes=row.every_minutes)
        current.name = f"Import {row.entity} for company {row.company.procore_company_id}"[:100]
        current.func = TASK
        current.args = repr((row.company_id, str(row.entity)))
        current.kwargs = None
        current.schedule_type = Schedule.MINUTES
        current.minutes = row.every_minutes
        current.repeats = -1
        current.save()
        if row.schedule_id != current.pk:
            row.schedule = current
            ImportSchedule.objects.filter(pk=row.pk).update(schedule=current)
    return row


def import_schedule_set(
    *, company: Company, entity: str, every_minutes: int | None = None, enabled: bool = True
) -> ImportSchedule:
    """Create or change one company's schedule for one entity (safe to repeat)."""
    minutes = every_minutes or DEFAULT_MINUTES.get(entity, 60)
    row, created = ImportSchedule.objects.get_or_create(
        company=company,
        entity=entity,
        defaults={"every_minutes": minutes, "enabled": enabled},
    )
    if not created and (row.every_minutes, row.enabled) != (minutes, enabled):
        row.every_minutes, row.enabled = minutes, enabled
        row.save(update_fields=["every_minutes", "enabled", "updated_at"])
    return import_schedule_sync(import_schedule=row)


def import_schedules_ensure(*, company: Company) -> list[ImportSchedule]:
    """A schedule for every importable entity the company does not have one for yet, with the
    default cadence; existing ones (perhaps tuned by support) are left alone."""
    rows = []
    for entity in ImportEntity.values:
        row = ImportSchedule.objects.filter(company=company, entity=entity).first()
        rows.append(row or import_schedule_set(company=company, entity=entity))
    return rows


def import_schedule_delete(*, import_schedule: ImportSchedule) -> None:
    with transaction.atomic():
        if import_schedule.schedule_id:
            Schedule.objects.filter(pk=import_schedule.schedule_id).delete()
        import_schedule.delete()
