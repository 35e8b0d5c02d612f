from django.conf import settings
from django.db import models


class CompanyMembership(models.Model):
    """Which self-service user may see (or manage) which company."""

    class Role(models.TextChoices):
        VIEWER = "viewer", "Viewer"
        ADMIN = "admin", "Company admin"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="company_memberships"
    )
    company = models.ForeignKey(
        "integrations.Company", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.company} ({self.role})"
