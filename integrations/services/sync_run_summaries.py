"""Import runs in words: for the approver's Request Detail, the command line and the admin.

Everything here reads a run (and, for a success, how many refused objects still wait) and
writes nothing. The sampled refusals live in ``SyncRun.refusals`` as ``{"item", "reason"}``;
they become one line each here, so the wording can change without touching stored runs.
"""

from __future__ import annotations

from integrations.models import SyncRun
from integrations.selectors.object_links import object_links_refused_count
from integrations.services.sync_entities import EntitySpec, entity_spec
from integrations.sync_plan import Mode

UNKNOWN_ITEM = "an item"  # a refusal Procore did not tie to one of the items sent
# The run's note that it archived nothing, a bad row naming no record (``sync_run_execution``):
# its ``reason`` is how many records the list left out were kept all the same.
WITHHELD = "withheld"


def sync_run_summary(run: SyncRun) -> str:
    """One sentence for the approver's ERP tab, the command line and the admin."""
    spec = entity_spec(run.entity)
    if run.state == SyncRun.State.FAILED:
        return f"The {spec.singular} import failed: {run.error}"
    if run.state in SyncRun.UNFINISHED:
        return (
            f"The {spec.singular} import is not finished ({run.progress_done:,} of "
            f"{run.progress_total:,} sent). {run.pause_note}".strip()
        )
    verb = "Staged" if spec.mode is Mode.STAGED else "Added"
    parts = []
    if run.created:
        parts.append(f"{verb} {run.created:,} new {spec.noun(run.created)}")
    if run.updated:
        parts.append(f"updated {run.updated:,}" if parts else _updated(run.updated, spec))
    if run.archived:
        parts.append(f"archived {run.archived:,}" if parts else _archived(run.archived, spec))
    if not parts and run.skipped:
        sentence = f"Nothing sent to Procore; {run.unchanged:,} unchanged."
    elif not parts:
        sentence = f"No changes: all {run.listed:,} {spec.noun(run.listed)} in the ERP are up to date in Procore."
    else:
        sentence = ", ".join(parts) + f"; {run.unchanged:,} unchanged."
    if run.failed:
        sentence += f" Procore refused {run.failed:,} {spec.noun(run.failed)}."
    if run.skipped:
        one = run.skipped == 1
        sentence += (
            f" {run.skipped:,} {spec.noun(run.skipped)} "
            f"{'waits for what it belongs to' if one else 'wait for what they belong to'} "
            "(a job, a vendor, a commitment) to be in Procore; "
            f"{'it follows' if one else 'they follow'} once it is."
        )
    if run.unreadable:
        one = run.unreadable == 1
        sentence += (
            f" {run.unreadable:,} {spec.noun(run.unreadable)} in the ERP could not be read "
            f"and {'was' if one else 'were'} left as {'it was' if one else 'they were'}; "
            f"correct {'it' if one else 'them'} in the ERP."
        )
    withheld = next((r for r in run.refusals or [] if r.get("source") == WITHHELD), None)
    if withheld is not None:
        sentence += " " + _withheld(withheld, spec)
    return sentence


def _withheld(note: dict, spec: EntitySpec | None) -> str:
    """Why nothing was archived: a bad row whose ERP id cannot be read may be any of those the
    list left out, so they all stay until the file is corrected."""
    count = int(note.get("reason") or 0)
    noun = spec.noun(count) if spec is not None else ("record" if count == 1 else "records")
    kept = (
        f" ({count:,} {noun} no longer listed {'was' if count == 1 else 'were'} kept)"
        if count
        else ""
    )
    return (
        f"Nothing that left the ERP was archived or deleted in Procore{kept}: a row whose ERP "
        "id cannot be read may be one of them; correct the file and refresh again."
    )


def sync_run_waiting(run: SyncRun) -> list[dict]:
    """The sampled objects the run held back for later (``EntitySpec.hold``)."""
    return [r for r in run.refusals or [] if r.get("source") == "waiting"]


def _updated(count: int, spec: EntitySpec) -> str:
    return f"Updated {count:,} {spec.noun(count)}"


def _archived(count: int, spec: EntitySpec) -> str:
    return f"Archived {count:,} staged {spec.noun(count)} that left the ERP"


def sync_run_messages(run: SyncRun) -> tuple[bool, list[str]]:
    """Whether the approver should see success, and the messages for the Request Detail.

    Refused items make the detail ``failed``: the approver has something to fix in the ERP,
    and a green tick would hide it.
    """
    summary = sync_run_summary(run)
    if run.state == SyncRun.State.SUCCEEDED:
        spec = entity_spec(run.entity)
        waiting = sum(
            object_links_refused_count(company_id=run.company_id, item_type=item_type)
            for item_type in spec.types
        )
        if waiting:
            summary += (
                f" {waiting:,} {spec.noun(waiting)} refused earlier will be sent again once "
                "corrected in the ERP."
            )
        return True, [summary, *map(sync_run_refusal_line, sync_run_waiting(run))]
    return False, [summary, *sync_run_refusals(run)]


def sync_run_refusals(run: SyncRun) -> list[str]:
    """The sampled per-item refusals of a finished run, one line each ("V-000002: name: has
    already been taken"), for messages and the command line."""
    if run.state != SyncRun.State.PARTIAL:
        return []
    return [
        sync_run_refusal_line(refusal)
        for refusal in run.refusals or []
        if refusal.get("source") != WITHHELD
    ]


def sync_run_refusal_line(refusal: dict) -> str:
    """One sampled refusal as a person reads it: which item, then Procore's reason."""
    if refusal.get("source") == WITHHELD:
        return _withheld(refusal, None)
    return f"{refusal.get('item') or UNKNOWN_ITEM}: {refusal.get('reason', '')}"
