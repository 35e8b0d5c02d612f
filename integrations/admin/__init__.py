"""The support-staff admin; one module per area."""

from integrations.admin import companies, config, ledgers, objects, sync  # noqa: F401
