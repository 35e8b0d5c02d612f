"""Telling Procore which of its objects now have an ERP id (External Data sync), and recording
the same in the portal's links, in one place.

Most exports hand their links to the engine, which sends them with the close-outs in one call.
An export whose next write-back needs Procore to know the ids first (a budget's transactions,
a job's cost-type assignments) sends them itself, through here, just before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from integrations.procore import ProcoreClient
from integrations.procore.batching import SyncResult
from integrations.services.object_links import object_links_mark_synced


def external_data_send(
    *,
    client: ProcoreClient,
    company_pk: int,
    links: Sequence[dict[str, Any]],
    names: Sequence[str] | None = None,
) -> SyncResult:
    """One External Data call; the links Procore accepted are marked synced on our side too
    (with the exported object's name, when the caller knows it: support searches by it).
    Returns the result, whose ``errors`` name the refused ones by index."""
    result = client.sync_external_data(list(links))
    refused = {error.index for error in result.errors if error.index is not None}
    object_links_mark_synced(
        company_pk=company_pk,
        links=[
            (
                link["item_type"],
                str(link["origin_id"]),
                int(link["item_id"]),
                names[index] if names else "",
            )
            for index, link in enumerate(links)
            if index not in refused and link.get("origin_id")
        ],
    )
    return result


def external_data_unsync(*, client: ProcoreClient, items: Sequence[tuple[str, int]]) -> SyncResult:
    """One External Data call with ``origin_id: null`` for each (item type, Procore id): an
    unlinked document (and its lines) is no longer synced in Procore. Nothing is recorded on
    our side; the handler reports its links as unlinked. ``errors`` name refusals by index."""
    return client.sync_external_data(
        [
            {"item_type": item_type, "item_id": item_id, "origin_id": None}
            for item_type, item_id in items
        ]
    )
