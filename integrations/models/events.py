from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class NotificationEvent(models.Model):
    """Every webhook delivery from Procore, stored as received before anything else happens.

    Unique per company on the event's ``ulid`` (or ``id`` when there is no ulid), so a
    redelivery is recognised and acknowledged without doing anything twice. The endpoint
    inserts the columns it knows and leaves the rest to their ``db_default``s.
    """

    class State(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored (not an ERP request)"
        FAILED = "failed", "Failed"

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
    attempts = models.PositiveIntegerField(default=0, db_default=0)
    last_error = models.TextField(blank=True, default="", db_default="")
    erp_request = models.ForeignKey(
        "integrations.ERPRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    received_at = models.DateTimeField(auto_now_add=True, db_default=Now())
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "dedupe_key"], name="event_unique_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["state", "-id"], name="event_state_idx"),
            models.Index(fields=["company", "-id"], name="event_company_idx"),
            models.Index(fields=["resource_id"], name="event_resource_idx"),
            models.Index(fields=["event_id"], name="event_event_id_idx"),
            models.Index(fields=["ulid"], name="event_ulid_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resource_name} {self.event_type} {self.resource_id} ({self.dedupe_key})"
