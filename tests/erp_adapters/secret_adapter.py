"""An adapter with secret settings, as a deployment's ERP with credentials would declare them
(``"writeOnly": true``); the suite's ``secret_adapter`` fixture registers it."""

from __future__ import annotations

from typing import Any

from erp_adapters.demo.adapter import SETTINGS_SCHEMA, DemoAdapter

KEY = "vault"


class VaultLedger(DemoAdapter):
    """The demo ERP behind an API key and a nested credentials object."""

    key = KEY
    label = "Vault ledger"
    settings_schema: dict[str, Any] = {
        **SETTINGS_SCHEMA,
        "properties": {
            **SETTINGS_SCHEMA["properties"],
            "api_key": {
                "title": "API key",
                "description": "the ERP's API key, 8 characters or more",
                "type": "string",
                "minLength": 8,
                "writeOnly": True,
            },
            "login": {
                "type": "object",
                "properties": {
                    "user": {"type": "string"},
                    "password": {"type": "string", "writeOnly": True},
                },
            },
        },
    }
