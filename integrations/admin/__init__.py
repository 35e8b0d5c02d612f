"""The support-staff admin; one module per area."""

import integrations.admin.provisioning_actions  # noqa: F401
from integrations.admin import companies, config, ledgers, objects, sync  # noqa: F401
