"""Prime contracts (the events dictionary's "Prime Contracts" section).

The owner's contract of a job is entered in the ERP and imported into Procore: the approver's
Refresh Prime Contracts button sends ``sync_prime_contracts``, and the import run stages each
prime contract with its lines as ``line_item`` children (``sync_entities``). A contract that
changed in the ERP after Procore imported it is staged again (Procore re-imports prime
contracts); one that left the ERP is archived; one whose job is not synced with Procore yet
waits, and the run says so.
"""

from __future__ import annotations

from erp_adapters.base import Entity
from integrations.handlers.imports import import_for_request
from integrations.handlers.registry import HandlerContext, Outcome, register


@register("sync_prime_contracts")
def sync_prime_contracts(ctx: HandlerContext) -> Outcome:
    """Stage new and changed prime contracts with their lines; archive those that left."""
    return import_for_request(ctx, Entity.PRIME_CONTRACTS)
