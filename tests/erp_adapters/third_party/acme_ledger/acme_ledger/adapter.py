"""An adapter written outside the portal: it imports only ``erp_adapters.base``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from erp_adapters.base import (
    Adapter,
    CreateResult,
    Entity,
    ERPObject,
    ExternalLink,
    HealthState,
    HealthStatus,
)


class Vendors:
    entity = Entity.VENDORS

    def __init__(self, books: dict[str, dict[str, Any]]) -> None:
        self.books = books

    def list(self) -> Iterator[ERPObject]:
        for origin_id, row in sorted(self.books.items()):
            yield ERPObject("vendor", origin_id, row["code"], {"name": row["name"]})

    def check_create(self, payload: Any) -> list[str]:
        return [] if payload.get("vendor", {}).get("name") else ["Vendor name is missing."]

    def create(self, payload: Any) -> CreateResult:
        vendor = payload["vendor"]
        origin_id = f"acme-{vendor['id']}"
        created = origin_id not in self.books
        self.books.setdefault(origin_id, {"code": f"AC{vendor['id']}", "name": vendor["name"]})
        link = ExternalLink("vendor", int(vendor["id"]), origin_id)
        return CreateResult(origin_id, self.books[origin_id]["code"], created, (link,))


class AcmeLedgerAdapter(Adapter):
    key = "acme"
    label = "Acme Ledger"
    settings_schema = {
        "type": "object",
        "properties": {
            "ledger": {"type": "string", "default": "main", "description": "which ledger"},
            "api_token": {"type": "string", "writeOnly": True},
        },
        "additionalProperties": False,
    }

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.books: dict[str, dict[str, Any]] = {
            "acme-1": {"code": "AC1", "name": f"Ledger {self.settings['ledger']} vendor"}
        }

    def entities(self) -> Mapping[Entity, Any]:
        return {Entity.VENDORS: Vendors(self.books)}

    def health_check(self) -> HealthStatus:
        return HealthStatus(HealthState.OK, f"Acme Ledger '{self.settings['ledger']}' answers.")
