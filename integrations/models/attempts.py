from django.db import models


class ApiAttempt(models.Model):
    """One outbound HTTP attempt to Procore, so support can see what was sent and what came back.

    Never holds a token or secret: excerpts are redacted before they are stored.
    """

    company = models.ForeignKey(
        "integrations.Company",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_attempts",
        db_index=False,  # the composite indexes below lead with company
    )
    # The unit of work the call served (``work_context``), so support walks from a request or
    # an import run to its calls and back.
    erp_request = models.ForeignKey(
        "integrations.ERPRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_attempts",
    )
    sync_run = models.ForeignKey(
        "integrations.SyncRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="api_attempts",
    )
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True, help_text="Timeout, connection error…")
    duration_ms = models.PositiveIntegerField(default=0)
    attempt = models.PositiveSmallIntegerField(default=1)
    request_id = models.CharField(max_length=100, blank=True, help_text="Procore's x-request-id.")
    rate_limit_limit = models.IntegerField(null=True, blank=True)
    rate_limit_remaining = models.IntegerField(null=True, blank=True)
    rate_limit_reset = models.BigIntegerField(null=True, blank=True)
    request_excerpt = models.TextField(blank=True)
    response_excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API attempt"
        indexes = [
            models.Index(fields=["company", "-id"], name="api_attempt_company_idx"),
            models.Index(fields=["status_code", "-id"], name="api_attempt_status_idx"),
            models.Index(fields=["request_id"], name="api_attempt_request_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} → {self.status_code or self.error}"
