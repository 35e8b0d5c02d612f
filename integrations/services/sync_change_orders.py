"""Importing commitment change orders: what the ``EntitySpec`` of
``sync_commitment_change_orders`` (in ``sync_entities``) needs beyond the common run.

A change order is staged with its lines as children (``erp_staged_records.md``: the header needs
``project_origin_id`` and ``commitment_origin_id``, each line ``cost_code_origin_id``,
``line_item_type_origin_id`` and ``commitment_line_item_origin_id``). Procore imports one only
when its commitment is in Procore, so a change order whose commitment is not synced yet is left
out of the run with that reason (and staged by a later run, once it is); so is one with a line
that changes no line of its commitment, which Procore cannot import. A change order already in
Procore (exported from it, say) is not considered at all: Procore has no endpoint to update one
from the ERP, so it is neither staged again nor archived.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from erp_adapters.base import ERPObject
from integrations.models import Company, Connection, ItemType
from integrations.procore import ProcoreClient, SyncItemError, SyncResult
from integrations.selectors.object_links import object_link_origin_ids_in_procore

Item = dict[str, Any]

COMMITMENT_TYPES = (ItemType.WORK_ORDER_CONTRACT, ItemType.PURCHASE_ORDER_CONTRACT)


def _synced_commitments(company: Company) -> set[str]:
    """Origin ids of the commitments Procore holds (imported, exported or linked)."""
    return object_link_origin_ids_in_procore(company_id=company.pk, item_types=COMMITMENT_TYPES)


def change_order_scope(company: Company) -> Callable[[ERPObject], bool]:
    """Only change orders not yet in Procore: one exported from Procore (or imported and then
    linked) is Procore's to change, and Procore has no endpoint to update one from the ERP."""
    known = object_link_origin_ids_in_procore(
        company_id=company.pk, item_types=[ItemType.COMMITMENT_CHANGE_ORDER]
    )
    return lambda obj: obj.origin_id not in known


def change_order_hold(company: Company) -> Callable[[ERPObject], str | None]:
    """Why a listed change order cannot be staged now, or None when it can."""
    synced = _synced_commitments(company)

    def reason(obj: ERPObject) -> str | None:
        commitment = str(obj.data.get("commitment_origin_id") or "")
        if commitment not in synced:
            return (
                "its commitment is not in Procore yet; import or export the commitment, then "
                "refresh change orders again."
            )
        loose = [
            str(line.data.get("position") or line.origin_code)
            for line in obj.children
            if not line.data.get("commitment_line_item_origin_id")
        ]
        if loose:
            which = ", ".join(loose[:5])
            return (
                f"line {which} changes no line of the commitment; Procore imports only change "
                "order lines that change a commitment line. Tie it to one in the ERP."
            )
        return None

    return reason


def change_order_refuse_updates(
    client: ProcoreClient, connection: Connection, items: list[Item]
) -> SyncResult:
    """No call: a change order in Procore is changed there, not from the ERP (the scope keeps
    those out of the run; this only answers should one slip through)."""
    result = SyncResult()
    for index, item in enumerate(items):
        result.errors.append(
            SyncItemError(
                index=index,
                item=item,
                reasons={
                    "change order": [
                        "it is already in Procore and changed in the ERP since; Procore does "
                        "not take changes to a synced change order: change it in Procore too"
                    ]
                },
            )
        )
    return result


def change_order_core_item(obj: ERPObject) -> Item:
    return {**obj.data, "origin_id": obj.origin_id, "origin_code": obj.origin_code}
