"""Old ledger rows are purged in batches, counted, and nothing still in flight is touched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ApiAttempt, AuditEntry, NotificationEvent
from integrations.services.retention import retention_purge
from tests.factories import ApiAttemptFactory, CompanyFactory, NotificationEventFactory

pytestmark = pytest.mark.django_db


def aged(queryset, days: int, field: str) -> None:
    queryset.update(**{field: timezone.now() - timedelta(days=days)})


def test_what_is_older_than_its_age_goes_in_batches_and_is_counted(settings):
    settings.RETENTION_EVENTS_DAYS = 90
    settings.RETENTION_API_ATTEMPTS_DAYS = 30
    settings.RETENTION_AUDIT_DAYS = 365
    company = CompanyFactory()
    old_done = [NotificationEventFactory(company=company, state="processed") for _ in range(7)]
    old_waiting = NotificationEventFactory(company=company, state="received")
    recent = NotificationEventFactory(company=company, state="processed")
    aged(NotificationEvent.objects.filter(pk__in=[e.pk for e in old_done]), 91, "received_at")
    aged(NotificationEvent.objects.filter(pk=old_waiting.pk), 200, "received_at")
    attempts = [ApiAttemptFactory(company=company) for _ in range(5)]
    aged(ApiAttempt.objects.filter(pk__in=[a.pk for a in attempts[:4]]), 31, "created_at")
    for n in range(3):
        AuditEntry.objects.create(action="action", object_type="x", object_id=str(n))
    aged(AuditEntry.objects.filter(object_id__in=["0", "1"]), 400, "created_at")

    counts = retention_purge(batch=3)

    assert counts == {"events": 7, "api_attempts": 4, "audit_entries": 2}
    left = set(NotificationEvent.objects.values_list("pk", flat=True))
    assert left == {old_waiting.pk, recent.pk}  # an event still waiting is never purged
    assert ApiAttempt.objects.count() == 1 and AuditEntry.objects.count() == 1
    assert retention_purge(batch=3) == {"events": 0, "api_attempts": 0, "audit_entries": 0}
