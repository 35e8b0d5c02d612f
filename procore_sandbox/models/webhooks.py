"""Webhook hooks, triggers, events and deliveries (procore-erp-api.md §c).

A ``Delivery`` is one event queued for one hook; each HTTP try is a ``DeliveryAttempt``, which is
what the deliveries endpoint lists (Procore's delivery objects carry one ``outcome`` per try).
Pausing is per hook: after a failure nothing else goes to that endpoint until ``next_attempt_at``.
"""

from __future__ import annotations

from django.db import models


class Hook(models.Model):
    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="hooks"
    )
    project_id = models.BigIntegerField(null=True, blank=True)
    owned_by_user_id = models.BigIntegerField(null=True, blank=True)
    api_version = models.CharField(max_length=8, default="v2")
    namespace = models.CharField(max_length=100)
    destination_url = models.CharField(max_length=1000)
    destination_headers = models.JSONField(default=dict, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"hook {self.id} -> {self.destination_url}"


class Trigger(models.Model):
    hook = models.ForeignKey(Hook, on_delete=models.CASCADE, related_name="triggers")
    resource_name = models.CharField(max_length=100)
    event_type = models.CharField(max_length=16)
    user_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hook", "resource_name", "event_type"], name="sandbox_trigger_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_name}/{self.event_type} on hook {self.hook_id}"


class WebhookEvent(models.Model):
    """An event as Procore records it; ``id`` is a random 64-bit integer like Procore's."""

    id = models.BigIntegerField(primary_key=True)
    ulid = models.CharField(max_length=26, unique=True)
    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="webhook_events"
    )
    project_id = models.BigIntegerField(null=True, blank=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    application_id = models.CharField(max_length=200, null=True, blank=True)
    resource_name = models.CharField(max_length=100)
    resource_id = models.BigIntegerField()
    event_type = models.CharField(max_length=16)
    timestamp = models.DateTimeField()

    class Meta:
        ordering = ["timestamp"]

    def __str__(self) -> str:
        return f"event {self.id} {self.resource_name}/{self.event_type} {self.resource_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        OK = "ok", "Delivered"
        DISCARDED = "discarded", "Discarded"

    hook = models.ForeignKey(Hook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    duplicate = models.BooleanField(
        default=False, help_text="A second copy sent on purpose (at-least-once delivery)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["hook", "status", "id"], name="sandbox_delivery_queue")]

    def __str__(self) -> str:
        return f"delivery {self.id} of event {self.event_id} ({self.status})"


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        OK = "ok", "ok"
        RETRIED = "retried", "retried"
        FAILED = "failed", "failed"
        DISCARDED = "discarded", "discarded"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_rows")
    hook = models.ForeignKey(Hook, on_delete=models.CASCADE, related_name="attempts")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    response_status = models.CharField(max_length=64, null=True, blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    response_body = models.TextField(null=True, blank=True)
    response_error = models.TextField(null=True, blank=True)
    started_at = models.DateTimeField()
    completed_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"attempt {self.id} {self.outcome}"
