"""What differs between the entities an import run brings into Procore, and nothing else.

Adding an entity to imports means adding one ``EntitySpec`` here (and its adapter method): the
run itself (``sync_runs``) stays the same. Payload shapes follow procore-erp-api.md: staged
records per ``erp_staged_records.md`` (``{item_type, origin_id, origin_code, status, data}``),
core sync items per §b.2 (``{origin_id, ...fields}``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from erp_adapters.base import Entity, ERPObject
from integrations.models import Connection, ItemType
from integrations.procore import ProcoreClient, SyncResult
from integrations.sync_plan import Mode

Item = dict[str, Any]
CoreSync = Callable[[ProcoreClient, Connection, list[Item]], SyncResult]


class ImportNotPossible(Exception):
    """The run cannot start for a reason a person must fix first (permanent)."""


@dataclass(frozen=True)
class EntitySpec:
    entity: Entity
    item_type: str
    mode: Mode
    singular: str
    plural: str
    core_sync: CoreSync
    core_item: Callable[[ERPObject], Item]
    check: Callable[[Connection], None] = lambda connection: None

    def noun(self, count: int) -> str:
        return self.singular if count == 1 else self.plural

    def staged_record(self, obj: ERPObject) -> Item:
        """A staged record for ``staged_records/sync``; children nest under ``children``."""
        return {**obj.as_json(), "status": "staged"}

    def archived_record(self, origin_id: str) -> Item:
        """Hides the staged record from Ready to Import (upsert by item type and origin id)."""
        return {"item_type": self.item_type, "origin_id": origin_id, "status": "archived"}


def _vendor_item(obj: ERPObject) -> Item:
    return {**obj.data, "origin_id": obj.origin_id, "origin_code": obj.origin_code}


def _direct_item(obj: ERPObject) -> Item:
    """``standard_cost_codes/sync`` and ``line_item_types/sync`` take exactly the adapter's
    fields plus ``origin_id`` (legacy-2021/2022 bodies)."""
    return {**obj.data, "origin_id": obj.origin_id}


def _require_cost_code_list(connection: Connection) -> None:
    if not connection.standard_cost_code_list_id:
        raise ImportNotPossible(
            "Procore has not given this connection a standard cost code list yet; provision "
            "the connection (manage.py provision) before importing standard cost codes."
        )


SPECS: dict[str, EntitySpec] = {
    Entity.VENDORS: EntitySpec(
        entity=Entity.VENDORS,
        item_type=ItemType.VENDOR,
        mode=Mode.STAGED,
        singular="vendor",
        plural="vendors",
        core_sync=lambda client, connection, items: client.sync_vendors(items),
        core_item=_vendor_item,
    ),
    Entity.STANDARD_COST_CODES: EntitySpec(
        entity=Entity.STANDARD_COST_CODES,
        item_type=ItemType.STANDARD_COST_CODE,
        mode=Mode.DIRECT,
        singular="standard cost code",
        plural="standard cost codes",
        core_sync=lambda client, connection, items: client.sync_standard_cost_codes(
            standard_cost_code_list_id=connection.standard_cost_code_list_id, updates=items
        ),
        core_item=_direct_item,
        check=_require_cost_code_list,
    ),
    Entity.STANDARD_CATEGORIES: EntitySpec(
        entity=Entity.STANDARD_CATEGORIES,
        item_type=ItemType.LINE_ITEM_TYPE,
        mode=Mode.DIRECT,
        singular="cost type",
        plural="cost types",
        core_sync=lambda client, connection, items: client.sync_line_item_types(items),
        core_item=_direct_item,
    ),
}


def entity_spec(entity: str) -> EntitySpec:
    try:
        return SPECS[entity]
    except KeyError:
        known = ", ".join(sorted(SPECS))
        raise ValueError(f"{entity!r} cannot be imported (importable: {known})") from None
