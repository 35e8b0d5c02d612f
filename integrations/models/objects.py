from __future__ import annotations

from django.db import models

from integrations.models.search import trigram_indexes


class ItemType(models.TextChoices):
    """The kinds of financial object that cross between the ERP and Procore."""

    VENDOR = "vendor", "Vendor"
    PROJECT = "project", "Job (project)"
    SUB_JOB = "sub_job", "Sub job"
    STANDARD_COST_CODE = "standard_cost_code", "Standard cost code"
    LINE_ITEM_TYPE = "line_item_type", "Cost type"
    COST_CODE = "cost_code", "Cost code"
    WORK_ORDER_CONTRACT = "work_order_contract", "Subcontract"
    PURCHASE_ORDER_CONTRACT = "purchase_order_contract", "Purchase order"
    COMMITMENT_CHANGE_ORDER = "commitment_change_order", "Commitment change order"
    PRIME_CONTRACT = "prime_contract", "Prime contract"
    LINE_ITEM = "line_item", "Line item"
    JOB_COSTS = "job_costs", "Job costs (of a job or sub job)"
    # Payment applications and company-level direct costs
    PAYMENT_APPLICATION = "payment_application", "Payment application"
    PAYMENT_APPLICATION_LINE_ITEM = "payment_application_line_item", "Payment application line"
    COMPANY_LEVEL_DIRECT_COST = "company_level_direct_cost", "Company-level direct cost"
    PRIME_CONTRACT_CHANGE_ORDER = "prime_contract_change_order", "Prime contract change order"
    # -- Requisitions and payments (issue 11) --
    REQUISITION = "requisition", "Subcontractor invoice (requisition)"
    REQUISITION_CONTRACT_ITEM = "requisition_contract_item", "Invoice contract item"
    REQUISITION_CONTRACT_DETAIL_ITEM = (
        "requisition_contract_detail_item",
        "Invoice contract detail item",
    )
    REQUISITION_CHANGE_ORDER_ITEM = "requisition_change_order_item", "Invoice change order item"
    CONTRACT_PAYMENT = "contract_payment", "Contract payment (made in Procore)"
    INVOICE_PAYMENT = "invoice_payment", "Invoice payment (recorded in the ERP)"


class ObjectLink(models.Model):
    """What the portal knows of one ERP object in Procore: one row per (company, type, origin id)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending (not yet in Procore)"
        STAGED = "staged", "Staged for approval"
        SYNCED = "synced", "Synced"
        ARCHIVED = "archived", "Archived (left the ERP)"
        FAILED = "failed", "Failed"
        MERGED = "merged", "Merged into another in Procore (no longer synced)"

    company = models.ForeignKey(
        "integrations.Company",
        on_delete=models.CASCADE,
        related_name="object_links",
        db_index=False,  # the composite indexes below lead with company
    )
    item_type = models.CharField(max_length=32, choices=ItemType.choices)
    origin_id = models.CharField(max_length=255, help_text="The ERP's id for the object.")
    origin_code = models.CharField(max_length=255, blank=True)
    name = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The object's name as the ERP or Procore last gave it, so support finds it by "
        "name; filled by the engine when it links or syncs the object.",
    )
    procore_id = models.BigIntegerField(null=True, blank=True)
    staged_record_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    content_hash = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "item_type", "origin_id"], name="object_link_unique_origin"
            )
        ]
        indexes = [
            models.Index(fields=["origin_id"], name="object_link_origin_idx"),
            models.Index(fields=["origin_code"], name="object_link_origin_code_idx"),
            models.Index(fields=["procore_id"], name="object_link_procore_idx"),
            models.Index(fields=["staged_record_id"], name="object_link_staged_idx"),
            models.Index(fields=["state", "-id"], name="object_link_state_idx"),
            models.Index(fields=["item_type", "-id"], name="object_link_type_idx"),
            models.Index(fields=["company", "-id"], name="object_link_company_idx"),
            # The self-service dashboard's objects by entity and state, and refused objects.
            models.Index(
                fields=["company", "state", "item_type"], name="object_link_company_state_idx"
            ),
            # The admin lists what changed last first.
            models.Index(fields=["-updated_at", "-id"], name="object_link_changed_idx"),
            # Partial, case-insensitive search (``UPPER(x) LIKE UPPER('%term%')``, Django's
            # icontains); created on PostgreSQL only (migration 0020).
            # (Origin ids are found whole, by object_link_origin_idx: every id shares most of
            # its trigrams with the others, so a trigram index would not narrow a search.)
            *trigram_indexes("object_link", ("name", "origin_code")),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.origin_id}"


class ObjectListVersion(models.Model):
    """One full list of an entity as read from the ERP, with a content hash per object."""

    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="list_versions"
    )
    item_type = models.CharField(max_length=32, choices=ItemType.choices)
    entity = models.CharField(max_length=32, blank=True, help_text="The ERP adapter entity.")
    object_count = models.PositiveIntegerField(default=0)
    list_hash = models.CharField(max_length=64, help_text="Hash of the whole list.")
    hashes = models.JSONField(default=dict, help_text="origin_id → content hash.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["company", "item_type", "-id"], name="list_version_latest_idx"),
            models.Index(fields=["item_type", "-id"], name="list_version_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} list #{self.pk} ({self.object_count} objects)"
