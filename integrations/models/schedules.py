from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class ImportEntity(models.TextChoices):
    """The ERP adapter entities an import run can bring into Procore (``erp_adapters.base``)."""

    VENDORS = "vendors", "Vendors"
    STANDARD_COST_CODES = "standard_cost_codes", "Standard cost codes"
    STANDARD_CATEGORIES = "standard_categories", "Cost types"
    JOBS = "jobs", "Jobs"
    SUB_JOBS = "sub_jobs", "Sub jobs"
    JOB_COSTS = "job_costs", "Job costs"
    PRIME_CONTRACTS = "prime_contracts", "Prime contracts"
    CONTRACT_PAYMENTS = "contract_payments", "Payments on subcontractor invoices"  # issue 11
    COMMITMENTS = "commitments", "Commitments"
    # -- Commitment change orders
    COMMITMENT_CHANGE_ORDERS = "commitment_change_orders", "Commitment change orders"


class ImportSchedule(models.Model):
    """How often one company's entity is imported from its ERP; support edits it in the admin.

    The django-q2 ``Schedule`` that actually fires is derived from this row by
    ``integrations.services.import_schedules`` and is never edited by hand.
    """

    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="import_schedules"
    )
    entity = models.CharField(max_length=32, choices=ImportEntity.choices)
    every_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text="Minutes between two imports (5 minutes to 7 days).",
    )
    enabled = models.BooleanField(default=True)
    schedule = models.OneToOneField(
        "django_q.Schedule",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="import_schedule",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "entity"], name="import_schedule_unique_entity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_entity_display()} import for {self.company}"
