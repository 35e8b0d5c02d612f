from __future__ import annotations

from django.db import models

from integrations.models.leases import Leased
from integrations.models.objects import ItemType


class SyncRun(Leased):
    """One import run of one entity for one company: what it found and what it did.

    At most one run per company and entity is unfinished (pending or running) at a time, by a
    partial unique constraint: two runs at once would stage the same objects twice, and the
    database refuses the second one whatever the race. A worker holds the run through its lease
    (``services/leases.py``) while it sends.
    """

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        EVENT = "event", "Procore event"
        ADMIN = "admin", "Support staff"
        COMMAND = "command", "Command line"
        SELF_SERVICE = "self_service", "Company user (portal or API)"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with item errors"
        FAILED = "failed", "Failed"

    UNFINISHED = (State.PENDING, State.RUNNING)
    FINISHED = (State.SUCCEEDED, State.PARTIAL, State.FAILED)

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
    unreadable = models.PositiveIntegerField(
        default=0,
        help_text="Records the ERP holds that its adapter could not read (bad rows of an "
        "import file); the first few are among the refusals, with file, line and column.",
    )
    skipped = models.PositiveIntegerField(
        default=0,
        help_text="Objects held back because what they hang on (their job, their vendor) is "
        "not in Procore yet; the first few are among the refusals, with the reason. They are "
        "sent by a later run once it is.",
    )
    api_calls = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the run failed; empty otherwise.")
    pause_note = models.TextField(
        blank=True,
        help_text="Why the run is paused, and that it resumes; empty once it runs again.",
    )
    refusals = models.JSONField(
        default=list,
        blank=True,
        help_text='The first few items Procore refused: [{"item": origin code or id, '
        '"reason": …}]; every refusal is on its object link. Records the ERP adapter could '
        'not read carry "source": "erp" and name the file, line and column.',
    )
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
        constraints = [
            # SyncRun.UNFINISHED; the Meta class cannot see State.
            models.UniqueConstraint(
                fields=["company", "entity"],
                condition=models.Q(state__in=["pending", "running"]),
                name="sync_run_one_unfinished_per_entity",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_type} run #{self.pk} ({self.state})"
