from __future__ import annotations

from django.db import models


class NotificationEvent(models.Model):
    """Every webhook delivery from Procore, stored as received before anything else happens.

    Unique per company on the event's ``ulid`` (or ``id`` when there is no ulid), so a
    redelivery is recognised and acknowledged without doing anything twice. Its state follows
    the ERP request it names (``services/notification_events.py``): support filtering on
    Processed or Failed sees what really happened to each event.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received (its request is waiting or being processed)"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored (not an ERP request)"
        DUPLICATE = "duplicate", "Duplicate (its request came with an earlier event)"

    company = models.ForeignKey(
        "integrations.Company",
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # the composite indexes below lead with company
    )
    dedupe_key = models.CharField(max_length=64, help_text="The event's ulid, else id:<id>.")
    event_id = models.BigIntegerField(null=True, blank=True)
    ulid = models.CharField(max_length=26, blank=True)
    resource_name = models.CharField(max_length=100, blank=True)
    resource_id = models.BigIntegerField(null=True, blank=True)
    event_type = models.CharField(max_length=32, blank=True)
    api_version = models.CharField(max_length=16, blank=True)
    payload = models.JSONField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    last_error = models.TextField(
        blank=True, default="", help_text="Why its request failed, when it did."
    )
    erp_request = models.ForeignKey(
        "integrations.ERPRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(
        null=True, blank=True, help_text="When its request ended (processed or failed)."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "dedupe_key"], name="event_unique_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["state", "-id"], name="event_state_idx"),
            models.Index(fields=["company", "-id"], name="event_company_idx"),
            # The self-service dashboard's events-per-day chart (selfservice/selectors).
            models.Index(fields=["company", "received_at"], name="event_company_received_idx"),
            models.Index(fields=["resource_id"], name="event_resource_idx"),
            models.Index(fields=["event_id"], name="event_event_id_idx"),
            models.Index(fields=["ulid"], name="event_ulid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_name} {self.event_type} {self.resource_id} ({self.dedupe_key})"
