"""Deciding what an import run must do: a pure function of the ERP's list and our links.

The baseline is what Procore holds according to our ``ObjectLink`` rows (state and the content
hash last sent), not merely the previous list version: a version only says what the ERP held,
so after a crash or a per-item refusal it would hide work that never reached Procore. Diffing
against the links makes a resumed run skip exactly what earlier batches committed, and nothing
else.

Everything here works on strings and small tuples, so planning 100,000 objects stays in a few
tens of megabytes and a fraction of a second.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple


class Mode(enum.StrEnum):
    """How an entity reaches Procore."""

    STAGED = "staged"  # staged records for approval; synced ones through the core sync endpoint
    DIRECT = "direct"  # straight into the core sync endpoint, upsert by origin_id


class Action(enum.StrEnum):
    CREATE = "create"  # stage a new object, or upsert a new one directly
    RESTAGE = "restage"  # stage again: changed while staged, or back in the ERP after archiving
    UPDATE = "update"  # already a Procore object: update it through the core sync endpoint
    ARCHIVE = "archive"  # staged, but gone from the ERP: hide it from Ready to Import


class LinkInfo(NamedTuple):
    """The columns of an ObjectLink that planning needs."""

    state: str
    content_hash: str
    procore_id: int | None
    staged_record_id: int | None


# ObjectLink.State values, repeated here so this module needs no Django.
PENDING, STAGED, SYNCED, ARCHIVED, FAILED = "pending", "staged", "synced", "archived", "failed"
MERGED = "merged"  # merged into another object in Procore: never sent again


@dataclass
class Plan:
    """What to send, by origin id; everything not named here is unchanged."""

    actions: dict[str, Action] = field(default_factory=dict)
    archive: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    listed: int = 0
    unchanged: int = 0

    def count(self, action: Action) -> int:
        if action is Action.ARCHIVE:
            return len(self.archive)
        return sum(1 for a in self.actions.values() if a is action)

    @property
    def work(self) -> int:
        """Items that need a Procore call."""
        return len(self.actions) + len(self.archive)

    @property
    def needs_list(self) -> bool:
        """Whether the ERP's objects must be read again to build the payloads."""
        return bool(self.actions)


def in_procore(link: LinkInfo) -> bool:
    """The object exists in Procore itself (imported, exported, or synced directly)."""
    return link.procore_id is not None or link.state == SYNCED


def plan_object(mode: Mode, content_hash: str, link: LinkInfo | None) -> Action | None:
    """The action for one object the ERP lists, or None when Procore already has it.

    A refused object (``failed``) is retried only once its content changes: sending the same
    data again would be refused the same way, and an unchanged list must make no call. This
    holds only because a link stores the hash of what Procore refused, never of what did not
    reach it: what was held back (``EntitySpec.hold``, ``hold_update``), a standard cost code
    refused because its parent was, or the parts of a job's cost structure that waited for
    their cost types (``services/job_costs.py``), keep the hash Procore last took, so a later
    run sends them. After something is fixed on the Procore side, support or
    the company admin clears the stored hashes of the refused objects to send them again
    (``services/sync_runs.sync_refusals_reset``: ``manage.py sync --retry-refused``, the
    admin's "Run import now, sending refused items again", the self-service "send refused
    items again").
    """
    if link is None:
        return Action.CREATE
    if link.state == MERGED:
        return None
    same = link.content_hash == content_hash and link.state != ARCHIVED
    if link.state == PENDING:
        return Action.CREATE
    if mode is Mode.DIRECT:
        if same:
            return None
        return Action.UPDATE if in_procore(link) else Action.CREATE
    if in_procore(link):
        return None if same else Action.UPDATE
    if same:
        return None
    if link.state == FAILED and link.staged_record_id is None:
        return Action.CREATE
    return Action.RESTAGE


def plan_removal(mode: Mode, link: LinkInfo) -> str | None:
    """What to do about a linked object the ERP no longer lists.

    ``"archive"``: a staged record Procore still shows on Ready to Import; ``"forget"``: nothing
    in Procore to change, only mark the link archived; None: leave it (a synced Procore object
    stays, and an already archived link has nothing left to do).
    """
    if link.state in (ARCHIVED, MERGED) or in_procore(link):
        return None
    if mode is Mode.STAGED and (
        link.state == STAGED or (link.state == FAILED and link.staged_record_id is not None)
    ):
        return "archive"
    if link.state in (PENDING, FAILED, STAGED):
        return "forget"
    return None


def plan_diff(mode: Mode, current: Mapping[str, str], links: Mapping[str, LinkInfo]) -> Plan:
    """Compare the ERP's list (origin id → content hash) with our links."""
    plan = Plan(listed=len(current))
    for origin_id, content_hash in current.items():
        action = plan_object(mode, content_hash, links.get(origin_id))
        if action is None:
            plan.unchanged += 1
        else:
            plan.actions[origin_id] = action
    for origin_id, link in links.items():
        if origin_id in current:
            continue
        removal = plan_removal(mode, link)
        if removal == "archive":
            plan.archive.append(origin_id)
        elif removal == "forget":
            plan.forget.append(origin_id)
    return plan


def list_hash(hashes: Mapping[str, str]) -> str:
    """One hash for the whole list, independent of the order the ERP listed it in."""
    digest = hashlib.sha256()
    for origin_id in sorted(hashes):
        digest.update(f"{origin_id}\x1f{hashes[origin_id]}\n".encode())
    return digest.hexdigest()


def hashes_of(objects: Iterable[tuple[str, str]]) -> dict[str, str]:
    """origin id → content hash; a repeated origin id keeps its last content (as Procore would)."""
    return dict(objects)
