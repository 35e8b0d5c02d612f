"""What a job export and a sub job export share once the ERP holds the job: tell Procore the
ERP ids of the job and its cost codes (External Data), then mark the cost types assigned to
those cost codes synced (``cost_code_line_item_types/sync``), in that order, as the events
dictionary asks; and what a reset leaves of the portal's links.

The External Data goes out here rather than with the close-outs, because the assignments are
marked on cost codes Procore must already show as synced. Both calls set values, so a retried
request sends them again harmlessly.
"""

from __future__ import annotations

from erp_adapters.base import CreateResult, ExternalLink
from integrations.handlers.registry import HandlerContext, LinkChange, Outcome
from integrations.models import ItemType
from integrations.selectors.object_links import object_link_origin_ids_under
from integrations.services.external_data import external_data_send


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def structure_write_back(
    ctx: HandlerContext, result: CreateResult, *, project_id: int, sub_job_id: int | None, what: str
) -> Outcome | None:
    """Send the links, then the assignments; the failure to report, or None when Procore took
    both."""
    links = [link.as_update() for link in result.links]
    sent = external_data_send(client=ctx.client, company_pk=ctx.connection.company_id, links=links)
    if sent.errors:
        reasons = "; ".join(str(error) for error in sent.errors[:5])
        return Outcome.failed(
            f"The {what} is in the ERP as {result.origin_code}, but Procore did not accept its "
            f"ERP ids: {reasons}"
        )
    if result.assignments:
        marked = ctx.client.sync_cost_code_line_item_types(
            project_id=project_id,
            sub_job_id=sub_job_id,
            updates=[assignment.as_update() for assignment in result.assignments],
        )
        if marked.errors:
            reasons = "; ".join(str(error) for error in marked.errors[:5])
            return Outcome.failed(
                f"The {what} is in the ERP as {result.origin_code}, but Procore did not mark "
                f"its cost types synced: {reasons}"
            )
    return None


def forgotten(
    ctx: HandlerContext, dropped: tuple[ExternalLink, ...], holders: dict[str, str]
) -> tuple[LinkChange, ...]:
    """Links no longer synced after a reset: every tie the ERP dropped, the reset job or sub
    job itself (``holders``: origin id → item type) and every cost code the portal linked under
    it, so a later import does not update them through the core sync endpoints."""
    changes = {(link.item_type, link.origin_id) for link in dropped}
    for origin_id, item_type in holders.items():
        changes.add((item_type, origin_id))
        for code in object_link_origin_ids_under(
            company_id=ctx.connection.company_id,
            item_type=ItemType.COST_CODE,
            holder_origin_id=origin_id,
        ):
            changes.add((ItemType.COST_CODE, code))
    return tuple(
        LinkChange.unlinked(item_type, origin_id) for item_type, origin_id in sorted(changes)
    )


def reset_outcome(
    ctx: HandlerContext,
    record: dict,
    *,
    noun: str,
    erp_noun: str,
    item_type: str,
    holder_types: tuple[str, ...],
    release,
) -> Outcome:
    """A Super-User reset of a job or sub job: the ERP keeps it with its history, untied from
    Procore (``release``), and the portal's links of it, of what the ERP dropped among
    ``holder_types`` and of the cost codes under them are no longer synced."""
    if not (record.get("origin_id") or record.get("id")):
        return Outcome.failed(f"The reset notice names no {noun}.")
    dropped = release(record)
    holders = {
        str(link.origin_id): link.item_type for link in dropped if link.item_type in holder_types
    }
    if record.get("origin_id"):
        holders[str(record["origin_id"])] = item_type
    label = record.get("name") or record.get("origin_id")
    return Outcome.success(
        f"The ERP keeps {erp_noun} '{label}' and no longer ties it to Procore.",
        object_links=forgotten(ctx, dropped, holders),
    )
