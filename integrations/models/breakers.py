from __future__ import annotations

from django.db import models


class CircuitBreaker(models.Model):
    """Whether calls to one company's Procore, or one company's ERP, may go out right now.

    After repeated failures the breaker opens: calls stop at once (the work waits, it is not
    failed) until a cool-down has passed; then one caller probes, and its outcome closes the
    breaker or opens it again for longer. Shared by every process through this row, so one
    slow company cannot hold every worker.
    """

    class State(models.TextChoices):
        CLOSED = "closed", "Closed (calls go out)"
        OPEN = "open", "Open (calls paused)"
        HALF_OPEN = "half_open", "Half-open (one probe under way)"

    key = models.CharField(
        max_length=100, unique=True, help_text="procore:<company> or erp:<company>"
    )
    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="breakers"
    )
    target = models.CharField(max_length=16, help_text="procore or erp")
    state = models.CharField(max_length=16, choices=State.choices, default=State.CLOSED)
    consecutive_failures = models.PositiveIntegerField(default=0)
    cooldown_seconds = models.PositiveIntegerField(default=0)
    opened_until = models.DateTimeField(null=True, blank=True)
    probe_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    opened_count = models.PositiveIntegerField(default=0, help_text="Times it opened.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["state", "company"], name="breaker_state_idx")]

    def __str__(self) -> str:
        return f"{self.target} breaker of company {self.company_id}: {self.state}"
