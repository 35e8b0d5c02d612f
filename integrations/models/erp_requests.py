from __future__ import annotations

from typing import Any

from django.db import models

from integrations.models.leases import Leased
from integrations.models.search import trigram_indexes


class WorkState(models.TextChoices):
    """Life of a unit of work that a worker claims with a lease and may retry."""

    PENDING = "pending", "Pending"
    PROCESSING = "processing", "Processing"
    RETRYING = "retrying", "Waiting to retry"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (permanent)"
    NOT_HANDLED = "not_handled", "Not handled yet"
    DEAD = "dead", "Dead letter (retries exhausted)"
    RESOLVED = "resolved", "Resolved by support"
    WAITING = "waiting", "Waiting for the ERP (in progress)"
    STALE = "stale", "Stale (can no longer complete)"


OPEN_STATES = (WorkState.PENDING, WorkState.RETRYING, WorkState.WAITING)


def work_due(now: Any) -> models.Q:
    """Rows whose next attempt is due: open, or left ``processing`` by a worker that died (the
    lease tells those from rows being worked on: see ``lease_free``)."""
    return models.Q(state__in=(*OPEN_STATES, WorkState.PROCESSING)) & (
        models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
    )


class GaveUpBecause(models.TextChoices):
    """What a dead letter died of: decides whether it is re-driven by itself (``dead_letters``)."""

    NOTHING = "", "—"
    PROCORE = "procore", "Procore did not answer"
    ERP = "erp", "The ERP did not answer"
    INTERNAL = "internal", "An internal error"


class LeasedWork(Leased):
    """Columns shared by units of work that a worker claims with a lease and may retry."""

    state = models.CharField(max_length=16, choices=WorkState.choices, default=WorkState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    gave_up_because = models.CharField(
        max_length=16, choices=GaveUpBecause.choices, blank=True, default=""
    )
    redriven_at = models.DateTimeField(
        null=True, blank=True, help_text="When a person (or the healing) last re-drove it."
    )
    attempts_before_redrive = models.PositiveIntegerField(
        default=0,
        help_text="Attempts made before the last re-drive: the retry budget counts from here, "
        "while ``attempts`` keeps the whole history.",
    )

    class Meta:
        abstract = True


class ERPRequest(LeasedWork):
    """An ERP Request in Procore (the webhook's ``resource_id``) and how far we got with it."""

    company = models.ForeignKey(
        "integrations.Company",
        on_delete=models.CASCADE,
        related_name="erp_requests",
        db_index=False,  # the composite indexes below lead with company
    )
    procore_request_id = models.BigIntegerField(help_text="Procore's ERP Request id.")
    request_name = models.CharField(max_length=100, blank=True, default="", db_index=True)
    request_data = models.JSONField(null=True, blank=True)
    integration_app_name = models.CharField(max_length=255, blank=True, default="")
    external_links = models.JSONField(
        default=list,
        blank=True,
        help_text="External Data updates ({item_type, item_id, origin_id}) to send before the "
        "close-out, batched with other requests of the company.",
    )

    class Meta:
        verbose_name = "ERP request"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "procore_request_id"], name="erp_request_unique_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="erp_request_due_idx"),
            models.Index(fields=["state", "-id"], name="erp_request_state_idx"),
            models.Index(fields=["procore_request_id"], name="erp_request_procore_idx"),
            models.Index(fields=["company", "-id"], name="erp_request_company_idx"),
            # The self-service errors queue (a company's failed, dead, stale requests) and the
            # dashboard's requests-per-day chart (selfservice/selectors).
            models.Index(fields=["company", "state", "-id"], name="erp_request_company_state_idx"),
            models.Index(
                fields=["company", "completed_at", "state"], name="erp_request_company_done_idx"
            ),
            *trigram_indexes("erp_request", ("request_name",)),
        ]

    def __str__(self) -> str:
        return f"ERP request {self.procore_request_id} {self.request_name or '(not fetched)'}"


class ERPRequestDetail(LeasedWork):
    """A Request Detail to close out in Procore; the ERP tab shows its status and messages."""

    class Status(models.TextChoices):
        OPEN = "open", "Open (not closed out)"
        IN_PROGRESS = "in_progress", "In progress"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        STALE = "stale", "Stale"

    company = models.ForeignKey(
        "integrations.Company",
        on_delete=models.CASCADE,
        related_name="erp_request_details",
        db_index=False,  # the composite indexes below lead with company
    )
    erp_request = models.ForeignKey(
        "integrations.ERPRequest", on_delete=models.CASCADE, related_name="details"
    )
    procore_detail_id = models.BigIntegerField(help_text="Procore's request_detail_id.")
    item_type = models.CharField(max_length=32, blank=True)
    item_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    messages = models.JSONField(default=list, blank=True)
    closed_out_at = models.DateTimeField(null=True, blank=True)
    history = models.JSONField(
        default=list,
        blank=True,
        help_text="Every close-out sent to Procore, oldest first ({at, status, messages}): a "
        "retry never hides what the approver read before.",
    )

    class Meta:
        verbose_name = "ERP request detail"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "procore_detail_id"], name="erp_detail_unique_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="erp_detail_due_idx"),
            models.Index(fields=["procore_detail_id"], name="erp_detail_procore_idx"),
            models.Index(fields=["status", "-id"], name="erp_detail_status_idx"),
            models.Index(fields=["state", "-id"], name="erp_detail_state_idx"),
        ]

    def __str__(self) -> str:
        return f"Request detail {self.procore_detail_id} ({self.status})"
