"""Procore's own hosts, per environment: facts of the API (procore-erp-api.md §d), kept apart
from everything else so that the models (``Connection.login_url``/``api_url``) and the rule for
where credentials may go (``destinations.py``) read the same table without importing each other.
"""

from __future__ import annotations

# Login (OAuth) host and API host per environment: procore-erp-api.md §d. Keyed by the values
# of ``integrations.models.ProcoreEnvironment`` (the custom environment has none).
ENVIRONMENT_HOSTS: dict[str, tuple[str, str]] = {
    "production": ("https://login.procore.com", "https://api.procore.com"),
    "sandbox": ("https://login-sandbox.procore.com", "https://sandbox.procore.com"),
    "monthly": ("https://login-sandbox-monthly.procore.com", "https://api-monthly.procore.com"),
    "federal": ("https://login.procoregov.com", "https://api.procoregov.com"),
}
