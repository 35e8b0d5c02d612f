from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class MetadataConfig(models.Model):
    """One immutable version of a company's ERP metadata document (procore-erp-api.md §f).

    A new version is a new row; ``pushed_at`` records when this version went live in Procore.
    """

    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="metadata_configs"
    )
    version = models.PositiveIntegerField()
    document = models.JSONField()
    comment = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    pushed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["company", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="metadata_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.company} metadata v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values("document", "version").first()
            if stored and (
                stored["document"] != self.document or stored["version"] != self.version
            ):
                raise ValidationError(
                    "Metadata versions are immutable; save a new version instead."
                )
        super().save(*args, **kwargs)
