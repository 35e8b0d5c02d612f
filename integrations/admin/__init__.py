"""The support-staff admin; one module per area."""

import integrations.admin.provisioning_actions  # noqa: F401
from integrations.admin import (  # noqa: F401
    api_tokens,
    breakers,
    companies,
    config,
    ledgers,
    link_review,
    objects,
    sync,
    task_queue,
)
