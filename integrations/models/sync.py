from __future__ import annotations

from django.db import models

from integrations.models.objects import ItemType


class SyncRun(models.Model):
    """One import run of one entity for one company: what it found and what it did."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        EVENT = "event", "Procore event"
        ADMIN = "admin", "Support staff"
        COMMAND = "command", "Command line"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with item errors"
        FAILED = "failed", "Failed"

    company = models.ForeignKey(
        "integrations.Company",
        on_delete=models.CASCADE,
        related_name="sync_runs",
        db_index=False,  # the composite indexes below lead with company
    )
    item_type = models.CharField(max_length=32, choices=ItemType.choices)
    entity = models.CharField(max_length=32, blank=True, help_text="The ERP adapter entity.")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    erp_request = models.ForeignKey(
        "integrations.ERPRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sync_runs",
    )
    list_version = models.ForeignKey(
        "integrations.ObjectListVersion", null=True, blank=True, on_delete=models.SET_NULL
    )
    listed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    api_calls = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_owner = models.CharField(max_length=64, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "item_type", "-id"], name="sync_run_company_idx"),
            models.Index(fields=["state", "-id"], name="sync_run_state_idx"),
            models.Index(fields=["item_type", "-id"], name="sync_run_type_idx"),
            models.Index(fields=["trigger", "-id"], name="sync_run_trigger_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} run #{self.pk} ({self.state})"
