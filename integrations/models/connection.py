from __future__ import annotations

from django.db import models

from integrations.fields import EncryptedJSONField, EncryptedTextField
from integrations.models.leases import Leased
from integrations.procore.hosts import ENVIRONMENT_HOSTS


class ProcoreEnvironment(models.TextChoices):
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Developer sandbox"
    MONTHLY = "monthly", "Monthly sandbox"
    FEDERAL = "federal", "Federal (FedRAMP)"
    CUSTOM = "custom", "Custom base URLs"


# Login (OAuth) host and API host per environment (procore-erp-api.md §d) live beside the rule
# for where credentials may go (integrations/procore/hosts.py, destinations.py); re-exported here.
__all__ = ["ENVIRONMENT_HOSTS", "Connection", "ProcoreEnvironment"]


class Connection(Leased):
    """How the portal reaches one company's Procore and its ERP.

    Secrets (client credentials, cached token, webhook secrets, adapter settings) are encrypted
    at rest and never shown back in the admin. The lease is held while the connection is being
    provisioned (``services/provisioning.py``): two provisionings at once would create two hooks.
    """

    class Health(models.TextChoices):
        UNKNOWN = "unknown", "Not checked yet"
        OK = "ok", "Healthy"
        DEGRADED = "degraded", "Degraded"
        FAILING = "failing", "Failing"

    company = models.OneToOneField(
        "integrations.Company", on_delete=models.CASCADE, related_name="connection"
    )
    environment = models.CharField(
        max_length=16, choices=ProcoreEnvironment.choices, default=ProcoreEnvironment.PRODUCTION
    )
    login_base_url = models.URLField(
        blank=True, help_text="Only for the custom environment, e.g. http://127.0.0.1:8001"
    )
    api_base_url = models.URLField(blank=True, help_text="Only for the custom environment.")

    client_id = EncryptedTextField(blank=True)
    client_secret = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)

    erp_connection_id = models.BigIntegerField(null=True, blank=True)
    standard_cost_code_list_id = models.BigIntegerField(null=True, blank=True)
    webhook_hook_id = models.BigIntegerField(null=True, blank=True)
    webhook_trigger_id = models.BigIntegerField(null=True, blank=True)
    webhook_secret = EncryptedTextField(blank=True, help_text="Current bearer secret.")
    webhook_secret_previous = EncryptedTextField(
        blank=True, help_text="Still accepted during a rotation, then cleared."
    )

    adapter_key = models.CharField(max_length=64, blank=True, db_index=True)
    adapter_settings = EncryptedJSONField(default=dict, blank=True)

    health = models.CharField(
        max_length=16, choices=Health.choices, default=Health.UNKNOWN, db_index=True
    )
    health_message = models.TextField(blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    SECRET_FIELDS = (
        "client_id",
        "client_secret",
        "access_token",
        "webhook_secret",
        "webhook_secret_previous",
        "adapter_settings",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(environment="custom")
                | (~models.Q(login_base_url="") & ~models.Q(api_base_url="")),
                name="connection_custom_env_has_urls",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company} on {self.get_environment_display()}"

    @property
    def login_url(self) -> str:
        if self.environment == ProcoreEnvironment.CUSTOM:
            return self.login_base_url.rstrip("/")
        return ENVIRONMENT_HOSTS[self.environment][0]

    @property
    def api_url(self) -> str:
        if self.environment == ProcoreEnvironment.CUSTOM:
            return self.api_base_url.rstrip("/")
        return ENVIRONMENT_HOSTS[self.environment][1]
