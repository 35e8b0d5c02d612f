from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import models
from django.utils import timezone

from erp_adapters.registry import secret_setting_names
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
    at rest and never shown back, to anyone: pages say whether each one is set and when it last
    changed (``<secret>_changed_at``, and per secret adapter setting
    ``adapter_secrets_changed_at``), kept by whoever writes a secret through
    :meth:`note_secret_changes`. The lease is held while the connection is being provisioned
    (``services/provisioning.py``): two provisionings at once would create two hooks.
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

    # When each secret was last set, changed or cleared (not re-encrypted: a key rotation
    # rewrites the ciphertext only). One column per secret, written in the same statement as
    # the secret, so a token refresh and an admin edit never overwrite each other's time.
    client_id_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    client_secret_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    access_token_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    webhook_secret_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    webhook_secret_previous_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Secret adapter settings are keys of one document, named by the adapter's schema: their
    # times are a map of setting name -> ISO 8601 time, written with the document.
    adapter_secrets_changed_at = models.JSONField(default=dict, blank=True, editable=False)

    health = models.CharField(
        max_length=16, choices=Health.choices, default=Health.UNKNOWN, db_index=True
    )
    health_message = models.TextField(blank=True)
    health_checked_at = models.DateTimeField(null=True, blank=True)
    # The other side: the ERP adapter's own health check (the database answers and its mapped
    # tables exist, the folders are there and writable, …), checked with the Procore side.
    erp_health = models.CharField(
        "ERP health", max_length=16, choices=Health.choices, default=Health.UNKNOWN
    )
    erp_health_message = models.TextField("ERP health message", blank=True)
    erp_health_checked_at = models.DateTimeField("ERP health checked at", null=True, blank=True)
    provisioned_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Secrets shown as "set"/"not set" with their time, never by value.
    SECRET_TEXT_FIELDS = (
        "client_id",
        "client_secret",
        "access_token",
        "webhook_secret",
        "webhook_secret_previous",
    )
    SECRET_FIELDS = (*SECRET_TEXT_FIELDS, "adapter_settings")
    # A JSON document some of whose keys are secret (``secret_keys_of``): audited key by key.
    PARTLY_SECRET_FIELDS = ("adapter_settings",)
    # Bookkeeping of the secrets: the audit trail records the change itself, not these.
    AUDIT_IGNORED_FIELDS = (
        "client_id_changed_at",
        "client_secret_changed_at",
        "access_token_changed_at",
        "webhook_secret_changed_at",
        "webhook_secret_previous_changed_at",
        "adapter_secrets_changed_at",
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

    def secret_keys_of(self, name: str) -> frozenset[str]:
        """The keys of the partly secret JSON field ``name`` whose values are never shown."""
        if name != "adapter_settings":
            raise ValueError(f"{name} is not a partly secret field")
        return self.adapter_secret_names()

    def adapter_secret_names(self) -> frozenset[str]:
        """The adapter settings that are secret (the schema's ``writeOnly`` ones, and whatever
        cannot be classified): ``erp_adapters.registry.secret_setting_names``."""
        return secret_setting_names(self.adapter_key, self.adapter_settings)

    def secret_changed_at(self, name: str) -> datetime | None:
        """When the secret field ``name``, or the secret adapter setting ``adapter_settings.<key>``,
        was last set, changed or cleared (None: before the portal recorded it)."""
        if name.startswith("adapter_settings."):
            stamp = (self.adapter_secrets_changed_at or {}).get(name.partition(".")[2])
            return datetime.fromisoformat(stamp) if stamp else None
        if name not in self.SECRET_TEXT_FIELDS:
            raise ValueError(f"{name} is not a secret of a connection")
        return getattr(self, f"{name}_changed_at")

    def mark_secrets_changed(
        self, names: Iterable[str], *, at: datetime | None = None
    ) -> list[str]:
        """Record that these secrets (fields, or ``adapter_settings.<key>``) were just written;
        the columns to save with them (for ``update_fields``)."""
        at = at or timezone.now()
        columns: list[str] = []
        for name in names:
            if name.startswith("adapter_settings."):
                key = name.partition(".")[2]
                stamps = dict(self.adapter_secrets_changed_at or {})
                if key in (self.adapter_settings or {}):
                    stamps[key] = at.isoformat()
                else:
                    stamps.pop(key, None)
                self.adapter_secrets_changed_at = stamps
                column = "adapter_secrets_changed_at"
            elif name in self.SECRET_TEXT_FIELDS:
                column = f"{name}_changed_at"
                setattr(self, column, at)
            else:
                raise ValueError(f"{name} is not a secret of a connection")
            if column not in columns:
                columns.append(column)
        return columns

    def changed_secrets(self, before: Connection | None) -> list[str]:
        """The secrets whose value differs from ``before`` (all that are set, for a new one);
        secret adapter settings as ``adapter_settings.<key>``."""
        changed = [
            name
            for name in self.SECRET_TEXT_FIELDS
            if (getattr(before, name, "") or "") != (getattr(self, name) or "")
        ]
        old = (before.adapter_settings or {}) if before is not None else {}
        new = self.adapter_settings or {}
        secret = self.adapter_secret_names()
        if before is not None:
            secret |= before.adapter_secret_names()
        for key in sorted(secret):
            if old.get(key) != new.get(key) or (key in old) != (key in new):
                changed.append(f"adapter_settings.{key}")
        return changed

    def note_secret_changes(
        self, before: Connection | None, *, at: datetime | None = None
    ) -> list[str]:
        """Stamp every secret that differs from ``before``; the columns to save with them.
        Every service that writes secrets calls this, so the times cannot drift from them."""
        return self.mark_secrets_changed(self.changed_secrets(before), at=at)

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
