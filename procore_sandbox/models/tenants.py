"""Companies, installed apps (the DMSA's client credentials), tokens, and the sandbox's knobs."""

from __future__ import annotations

from django.db import models


class Company(models.Model):
    """A Procore company. Ids are assigned above 2**32 so that 32-bit bugs show up at once."""

    id = models.BigIntegerField(primary_key=True)
    name = models.CharField(max_length=200)
    approver_user_id = models.BigIntegerField(
        help_text="The Accounting Approver who presses the ERP tool's buttons."
    )
    project_user_id = models.BigIntegerField(help_text="The project user who sends to ERP.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class App(models.Model):
    """A Developer Managed Service Account app: one credential pair for every company it is in."""

    client_id = models.CharField(max_length=200, unique=True)
    client_secret = models.CharField(max_length=200)
    name = models.CharField(max_length=200, default="ERP Integration")
    user_id = models.BigIntegerField(help_text="The service account's directory user.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class Installation(models.Model):
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="installations")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="installations")
    installed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "company"], name="sandbox_install_once")
        ]

    def __str__(self) -> str:
        return f"{self.app} in {self.company}"


class AccessToken(models.Model):
    """An issued bearer token, stored as its SHA-256 so the table holds nothing usable."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="tokens")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token for {self.app.client_id} until {self.expires_at:%H:%M:%S}"


class RateWindow(models.Model):
    """One fixed rate-limit window (hourly or spike) for one app and company."""

    key = models.CharField(max_length=300)
    kind = models.CharField(max_length=8)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "kind"], name="sandbox_rate_window")]

    def __str__(self) -> str:
        return f"{self.kind} window of {self.key}: {self.count}"


class SandboxSetting(models.Model):
    """A knob changed at run time (``manage.py sandbox configure``); see ``conf.py``."""

    name = models.CharField(max_length=64, unique=True)
    value = models.JSONField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
