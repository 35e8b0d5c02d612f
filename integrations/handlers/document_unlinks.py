"""What unlinking an exported money document shares (payment applications, company-level
direct costs): the ERP is asked what became of the document; when it is deleted or void there,
Procore is told to unsync it (External Data with ``origin_id: null``) and the portal's links
forget it; when it is still live, the request fails saying why it stays linked.

The null updates are sent here, not handed to the engine, because the engine records every
External Data update it sends as a synced link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from erp_adapters.base import DocumentAdapter, DocumentState
from integrations.handlers.imports import procore_id as procore_id_of
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome
from integrations.services.external_data import external_data_unsync


def origin_id_of(document: Mapping[str, Any]) -> str:
    """The document's ERP id as Procore holds it; the dictionary's sample sends ``"null"``."""
    value = document.get("origin_id")
    if value is None or str(value).strip().lower() in {"", "null", "none"}:
        return ""
    return str(value).strip()


def unlink_document(
    ctx: HandlerContext,
    adapter: DocumentAdapter,
    document: Mapping[str, Any],
    *,
    item_type: str,
    noun: str,
    children: Sequence[tuple[str, int]] = (),
) -> Outcome:
    """``children``: (item type, Procore id) of the lines to unsync with the header."""
    procore_id = procore_id_of(document.get("id"))
    if procore_id is None:
        return Outcome.failed(f"The unlink request names no {noun}.")
    origin_id = origin_id_of(document)
    code = document.get("origin_code")
    standing = adapter.standing(
        {
            "procore_id": procore_id,
            "origin_id": origin_id or None,
            "origin_code": str(code) if code not in (None, "") else None,
        }
    )
    if standing.live:
        return Outcome.failed(
            f"The {standing.label} is still {standing.state.value} in the ERP, so it stays linked. Void or "
            "delete it in the ERP first, then unlink it again."
        )
    sent = external_data_unsync(client=ctx.client, items=[(item_type, procore_id), *children])
    if sent.errors:
        reasons = "; ".join(str(error) for error in sent.errors[:5])
        return Outcome.failed(
            f"The {standing.label} is gone from the ERP, but Procore did not unsync it: {reasons}"
        )
    void = standing.state is DocumentState.VOID
    what = f"void in the ERP ({standing.label})" if void else "no longer in the ERP"
    links = (LinkChange.unlinked(item_type, origin_id),) if origin_id else ()
    return Outcome.success(f"The {noun} is {what}; it is unlinked in Procore.", object_links=links)
