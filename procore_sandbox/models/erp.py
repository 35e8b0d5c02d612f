"""The ERP Integrations Tool: its connection, the export queue, ERP Requests and their Request
Details, and staged records (procore-erp-api.md §a, §b.1, §i)."""

from __future__ import annotations

from django.db import models


class ErpConnection(models.Model):
    """Created by the integrator with its metadata; creating it creates the company's one
    ERP Standard Cost Code List."""

    company = models.OneToOneField(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="erp_connection"
    )
    app = models.ForeignKey(
        "procore_sandbox.App", on_delete=models.PROTECT, related_name="erp_connections"
    )
    service_url = models.CharField(max_length=500, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    standard_cost_code_list = models.ForeignKey(
        "procore_sandbox.ProcoreObject", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ERP connection of {self.company_id}"


class ExportRequest(models.Model):
    """A project user's "Send to ERP": waits on Ready to Export until the approver decides."""

    class Status(models.TextChoices):
        READY = "ready", "Ready to export"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="exports"
    )
    item = models.ForeignKey(
        "procore_sandbox.ProcoreObject", on_delete=models.CASCADE, related_name="exports"
    )
    request_name = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.READY)
    reject_reason = models.TextField(blank=True)
    erp_request = models.OneToOneField(
        "procore_sandbox.ErpRequest",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="export",
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.request_name} of {self.item_id} ({self.status})"


class ErpRequest(models.Model):
    """One event of the ERP tool; its id is the webhook's ``resource_id``."""

    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="erp_requests"
    )
    request_name = models.CharField(max_length=80, db_index=True)
    request_data = models.JSONField(default=dict, blank=True)
    integration_app_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.request_name} #{self.id}"


class ErpRequestDetail(models.Model):
    """Tracks one ERP Request; the integrator closes it out with a status and messages."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"
        STALE = "stale", "Stale"

    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="erp_request_details"
    )
    erp_request = models.ForeignKey(ErpRequest, on_delete=models.CASCADE, related_name="details")
    item = models.ForeignKey(
        "procore_sandbox.ProcoreObject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request_details",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    messages = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"detail #{self.id} {self.status}"


class StagedRecord(models.Model):
    """An ERP object waiting on Ready to Import (``erp_staged_records.md``)."""

    class Status(models.TextChoices):
        STAGED = "staged", "Staged"
        IMPORTED = "imported", "Imported"
        INVALID = "invalid", "Invalid"
        ARCHIVED = "archived", "Archived"

    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="staged_records"
    )
    item_type = models.CharField(max_length=40)
    origin_id = models.CharField(max_length=255)
    origin_code = models.CharField(max_length=255, blank=True, default="")
    origin_data = models.JSONField(null=True, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.STAGED)
    data = models.JSONField(default=dict, blank=True)
    imported_object = models.ForeignKey(
        "procore_sandbox.ProcoreObject",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staged_records",
    )
    import_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["company", "item_type", "status"], name="sandbox_staged_lookup")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "item_type", "origin_id"], name="sandbox_staged_origin_unique"
            )
        ]

    def __str__(self) -> str:
        return f"staged {self.item_type} {self.origin_id} ({self.status})"

    @property
    def label(self) -> str:
        data = self.data or {}
        for key in ("name", "title", "description"):
            if data.get(key):
                return str(data[key])
        return self.origin_code or self.origin_id
