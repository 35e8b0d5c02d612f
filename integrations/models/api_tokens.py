from django.conf import settings
from django.db import models


class ApiToken(models.Model):
    """A self-service user's token for scripts (``/api/v1/``): it acts as that user, through the
    same memberships. Only a SHA-256 digest of the token is stored (the token is random, 32
    bytes, so a plain digest is enough; it is shown once, when created). ``prefix`` finds the
    row; the digest is compared in constant time. A revoked token stays, for the audit trail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. nightly export.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
