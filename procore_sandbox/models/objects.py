"""Procore's own objects, in one table.

The sandbox needs the same few behaviours for every kind of object (ids, ``origin_id`` unique per
company and type, synced means locked, sync actions that match by id or origin_id), so one row
type with an ``item_type`` and a JSON ``data`` keeps those rules in one place. ``item_type`` uses
the External Data item types of procore-erp-api.md §b.1, so External Data sync is a lookup.
"""

from __future__ import annotations

from django.db import models


class ProcoreObject(models.Model):
    company = models.ForeignKey(
        "procore_sandbox.Company", on_delete=models.CASCADE, related_name="procore_objects"
    )
    item_type = models.CharField(max_length=40)
    project = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="project_objects",
        help_text="The project a project-level object belongs to.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        help_text="The holder: commitment of a line item, parent cost code, list of a code, ...",
    )
    origin_id = models.CharField(max_length=255, null=True, blank=True)
    origin_code = models.CharField(max_length=255, blank=True, default="")
    origin_data = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["company", "item_type"], name="sandbox_obj_company_type")]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "item_type", "origin_id"],
                condition=models.Q(origin_id__isnull=False),
                name="sandbox_obj_origin_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.id} {self.label}"

    @property
    def synced(self) -> bool:
        """An object with an origin_id is synced: Procore shows a banner and locks it."""
        return self.origin_id is not None

    @property
    def label(self) -> str:
        data = self.data or {}
        for key in ("name", "title", "description", "code"):
            if data.get(key):
                text = str(data[key])
                if key == "title" and data.get("number"):
                    return f"{data['number']} {text}"
                if key == "name" and data.get("code") and self.item_type.endswith("cost_code"):
                    return f"{data['code']} {text}"
                return text
        return f"#{self.id}"
