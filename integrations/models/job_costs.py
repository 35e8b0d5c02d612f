"""What the portal remembers of the ERP job costs it sent to Procore, per job or sub job."""

from __future__ import annotations

from django.db import models


class SentJobCosts(models.Model):
    """The Procore ids of the ERP job costs sent for one biller (a job or a sub job), keyed by
    a short digest of the (cost code, cost type) origin ids of each pair.

    Why: when a pair with job costs leaves the ERP (its cost code closed, its cost type taken
    off), Procore must lose the job cost too (``DELETE erp_job_costs/:id``), and Procore offers
    no list of a project's ERP job costs to find its id by; ``erp_job_costs/sync`` answers each
    one's id, so the portal keeps them here. One row per biller, read and written only when
    that biller's job costs changed (``services/job_costs.py``).
    """

    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="sent_job_costs"
    )
    origin_id = models.CharField(max_length=255, help_text="The job's or sub job's ERP id.")
    procore_ids = models.JSONField(
        default=dict,
        help_text="A digest of the cost code and cost type origin ids -> Procore job cost id.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ERP job costs sent"
        verbose_name_plural = "ERP job costs sent"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "origin_id"], name="sent_job_costs_company_origin_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{len(self.procore_ids or {})} job costs of {self.origin_id}"
