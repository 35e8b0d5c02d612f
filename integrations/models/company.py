from django.db import models

from integrations.models.search import trigram_indexes


class Company(models.Model):
    """A customer company in Procore; everything else hangs off it."""

    procore_company_id = models.BigIntegerField(
        unique=True, help_text="Procore's company id (64-bit)."
    )
    name = models.CharField(max_length=255)
    is_active = models.BooleanField(default=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        indexes = [*trigram_indexes("company", ("name",))]

    def __str__(self) -> str:
        return f"{self.name} ({self.procore_company_id})"
