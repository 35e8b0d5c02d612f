from __future__ import annotations

from django.db import models


class LinkReview(models.Model):
    """Before a company's first import of an entity: the records Procore holds already (without
    an ERP id) matched against the ERP's, for support to review, so that nothing is created
    twice. One per company and entity."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPLIED = "applied", "Reviewed and linked"
        NOTHING = "nothing", "Nothing to link"

    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="link_reviews"
    )
    entity = models.CharField(max_length=32, help_text="The ERP adapter entity.")
    item_type = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    procore_records = models.PositiveIntegerField(default=0)
    erp_records = models.PositiveIntegerField(default=0)
    built_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "entity"], name="link_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.entity} link review of {self.company} ({self.state})"


class LinkProposal(models.Model):
    """One Procore record and the ERP record it seems to be (or why none)."""

    class Match(models.TextChoices):
        CODE = "code", "Same code"
        NAME = "name", "Same name"
        AMBIGUOUS = "ambiguous", "Several ERP records fit"
        NONE = "none", "No ERP record fits"

    class Decision(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        LINKED = "linked", "Linked"
        FAILED = "failed", "Procore refused the link"

    review = models.ForeignKey(LinkReview, on_delete=models.CASCADE, related_name="proposals")
    procore_id = models.BigIntegerField()
    procore_code = models.CharField(max_length=255, blank=True)
    procore_name = models.CharField(max_length=255, blank=True)
    match = models.CharField(max_length=16, choices=Match.choices)
    origin_id = models.CharField(max_length=255, blank=True, help_text="The ERP record chosen.")
    origin_code = models.CharField(max_length=255, blank=True)
    erp_name = models.CharField(max_length=255, blank=True)
    candidates = models.JSONField(
        default=list, blank=True, help_text="For an ambiguous match: [{origin_id, code, name}]."
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.PROPOSED)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "procore_id"], name="link_proposal_unique_record"
            )
        ]
        indexes = [models.Index(fields=["review", "decision"], name="link_proposal_decision_idx")]

    def __str__(self) -> str:
        return f"{self.procore_name or self.procore_id} → {self.erp_name or '—'} ({self.match})"
