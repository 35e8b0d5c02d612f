"""Notification events: one per company and delivery key, in explicit states."""

import pytest
from django.db import IntegrityError, transaction

from integrations.models import NotificationEvent
from tests.factories import NotificationEventFactory

pytestmark = pytest.mark.django_db


def test_duplicate_webhook_event_is_refused_per_company():
    event = NotificationEventFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NotificationEventFactory(company=event.company, ulid=event.ulid)
    # The same key at another company is another event.
    NotificationEventFactory(ulid=event.ulid)
    assert NotificationEvent.objects.filter(dedupe_key=event.ulid).count() == 2


def test_states_are_explicit_choices():
    field = NotificationEvent._meta.get_field("state")
    assert {value for value, _ in field.choices} == {
        "received",
        "processed",
        "ignored",
        "failed",
        "duplicate",
    }
