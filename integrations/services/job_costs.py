"""Pushing one job's (or sub job's) cost structure to Procore: its cost codes, their cost-type
assignments and its ERP job costs (procore-erp-api.md §b.1, §b.2; events dictionary
``create_job_in_procore`` / ``sync_single_job``).

Procore keeps a job's cost codes per *biller*: the project itself, or one of its sub jobs
(``?project_id=…&sub_job_id=…``). For each biller the ERP adapter gives a summary with one digest
per part (``cost_codes``, ``assignments``, ``job_costs``), and the portal remembers the digests
of the parts Procore took on the biller's ``ObjectLink`` (item type ``job_costs``; the three
digests joined by ``:`` as its content hash; a part Procore refused, or held back because its
cost types are not in Procore yet, is remembered empty so the next run sends it again). Only
the parts whose digest changed are sent, each in one call per 1,000 items:

1. ``PATCH cost_codes/sync`` ``{name, code, origin_id, standard_cost_code_id}`` (the last when
   the portal's links know the standard cost code's Procore id): Procore answers each cost
   code's id, which the portal keeps on a ``cost_code`` link (assignments and job costs name
   cost codes by Procore id);
2. ``PATCH cost_code_line_item_types/sync`` ``{cost_code_id, line_item_type_id, synced: true}``;
3. ``PATCH erp_job_costs/sync`` ``{job_origin_id, updates: [{cost_code_id, line_item_type_id,
   original_estimate, estimate, job_to_date_cost}]}`` (money as decimal strings); the ids
   Procore answers are kept (``SentJobCosts``), and each job cost whose pair no longer holds
   costs in the ERP is deleted, ``DELETE erp_job_costs/:id``, one call each.

So a job whose costs moved costs one call; an unchanged job none. Used by the ``job_costs``
import run (``sync_run_execution``, one biller at a time) and by the job handlers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from erp_adapters.base import (
    JOB_COST_PARTS,
    ERPObject,
    JobCostAdapter,
    JobCostCodeRow,
    JobCostStructure,
    listing_problems_of,
    standard_part_of_cost_code_origin_id,
)
from integrations.models import Company, ItemType, ObjectLink, SentJobCosts
from integrations.procore import ProcoreClient, SyncResult

SEPARATOR = ":"
REFUSALS_SHOWN = 3


def job_costs_hash(summary: ERPObject) -> str:
    """The content hash of a biller's summary: its three part digests (62 characters, within
    the link's 64)."""
    return SEPARATOR.join(str(summary.data.get(part) or "") for part in JOB_COST_PARTS)


def _parts(content_hash: str) -> dict[str, str]:
    values = (content_hash or "").split(SEPARATOR)
    if len(values) != len(JOB_COST_PARTS):
        return dict.fromkeys(JOB_COST_PARTS, "")
    return dict(zip(JOB_COST_PARTS, values, strict=True))


@dataclass
class JobCostScope:
    """Which billers can receive job costs now: their project (and sub job) is in Procore, by
    our links; and the Procore ids of the company's cost types. Read once per run."""

    projects: dict[str, int]
    sub_jobs: dict[str, int]
    cost_types: dict[str, int]

    def __call__(self, summary: ERPObject) -> bool:
        return self.target(summary) is not None

    def target(self, summary: ERPObject) -> tuple[int, int | None] | None:
        """(Procore project id, Procore sub job id or None), or None when not in Procore."""
        project_id = self.projects.get(str(summary.data.get("project_origin_id")))
        if project_id is None:
            return None
        sub_job = summary.data.get("sub_job_origin_id")
        if sub_job is None:
            return project_id, None
        sub_job_id = self.sub_jobs.get(str(sub_job))
        return None if sub_job_id is None else (project_id, sub_job_id)


def _procore_ids(company: Company, item_type: str) -> dict[str, int]:
    rows = ObjectLink.objects.filter(
        company=company, item_type=item_type, procore_id__isnull=False
    ).exclude(state__in=(ObjectLink.State.MERGED, ObjectLink.State.ARCHIVED))
    return dict(rows.values_list("origin_id", "procore_id"))


def job_cost_scope(company: Company) -> JobCostScope:
    return JobCostScope(
        projects=_procore_ids(company, ItemType.PROJECT),
        sub_jobs=_procore_ids(company, ItemType.SUB_JOB),
        cost_types=_procore_ids(company, ItemType.LINE_ITEM_TYPE),
    )


@dataclass
class PushOutcome:
    """What pushing one biller did: the part digests it was asked to send, the parts that did
    not (all) reach Procore, the Procore id of the biller, the calls made and the refusals
    (empty when Procore took everything)."""

    digests: dict[str, str]
    procore_id: int
    calls: int = 0
    sent: dict[str, int] = field(default_factory=dict)
    refusals: list[str] = field(default_factory=list)
    unsent: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.refusals

    @property
    def content_hash(self) -> str:
        """The hash to remember: each part's digest when Procore took that part, and an empty
        digest for a part it refused or that was held back (its cost types not in Procore
        yet), so the next run sends that part again although the ERP did not change it."""
        return SEPARATOR.join(
            "" if part in self.unsent else self.digests[part] for part in JOB_COST_PARTS
        )

    def error(self) -> str:
        shown = "; ".join(self.refusals[:REFUSALS_SHOWN])
        more = len(self.refusals) - REFUSALS_SHOWN
        return shown + (f"; and {more} more" if more > 0 else "")


def job_costs_push(
    *,
    company: Company,
    client: ProcoreClient,
    source: JobCostAdapter,
    summary: ERPObject,
    previous_hash: str,
    scope: JobCostScope,
    keep_departed: bool = False,
) -> PushOutcome:
    """Send what changed of one biller since ``previous_hash``; see the module docstring.

    ``keep_departed``: the ERP's file has a bad row that names no job, so a job cost missing
    from this biller may only be unreadable: none is deleted, and the job costs part is not
    remembered as sent, so the run after the file is corrected deletes what really left.

    Raises Procore's retryable errors as they come (each call is an upsert, so a retry repeats
    nothing harmful); refusals are returned, never raised.
    """
    target = scope.target(summary)
    if target is None:
        raise ValueError(f"{summary.origin_code} is not in Procore yet")
    project_id, sub_job_id = target
    before, now = _parts(previous_hash), _parts(job_costs_hash(summary))
    changed = {part for part in JOB_COST_PARTS if before[part] != now[part]}
    outcome = PushOutcome(digests=now, procore_id=sub_job_id or project_id)
    if not changed:
        return outcome
    structure = source.structure(summary.origin_id)
    if structure is None:
        outcome.refusals.append(f"{summary.origin_code} is no longer in the ERP.")
        outcome.unsent.update(changed)
        return outcome
    where = {"project_id": project_id, "sub_job_id": sub_job_id}

    code_ids: dict[str, int] = {}
    if "cost_codes" in changed:
        standard_ids = _standard_cost_code_ids(company, structure)
        updates = [_cost_code_item(code, standard_ids) for code in structure.cost_codes]
        result = client.sync_cost_codes(updates=updates, **where)
        code_ids = _record_cost_codes(company, result, updates)
        _note(outcome, "cost_codes", result, "cost code", updates, "code")
    code_ids = {**_known_cost_codes(company, structure), **code_ids}

    if "assignments" in changed:
        updates, missing = _pairs(structure, code_ids, scope.cost_types, costs=False)
        outcome.refusals.extend(missing)
        if missing:
            outcome.unsent.add("assignments")
        if updates:
            result = client.sync_cost_code_line_item_types(updates=updates, **where)
            _note(outcome, "assignments", result, "cost type assignment", updates, None)

    if "job_costs" in changed:
        updates, missing = _pairs(structure, code_ids, scope.cost_types, costs=True)
        if "assignments" not in changed:
            outcome.refusals.extend(missing)
        if missing:
            outcome.unsent.add("job_costs")
        sent = SentJobCosts.objects.filter(company=company, origin_id=structure.origin_id).first()
        known: dict[str, int] = dict(sent.procore_ids) if sent else {}
        if updates:
            result = client.sync_erp_job_costs(job_origin_id=structure.origin_id, updates=updates)
            _note(outcome, "job_costs", result, "job cost", updates, None)
            known.update(_job_cost_ids(result, updates, code_ids, scope.cost_types))
        if keep_departed:
            if _departed(known, structure):
                outcome.unsent.add("job_costs")  # not remembered: sent again, then deleted
        else:
            _delete_departed(client, outcome, known, structure)
        if known or sent is not None:
            SentJobCosts.objects.update_or_create(
                company=company, origin_id=structure.origin_id, defaults={"procore_ids": known}
            )
    return outcome


# -- job costs that left the ERP -------------------------------------------------------------
def _pair_key(cost_code_origin_id: str, cost_type_origin_id: str) -> str:
    """A short digest of a pair's two origin ids (16 hex characters): a job of 1,000 pairs
    keeps 1,000 of them, so a million job costs take about 30 MB rather than 120 MB."""
    pair = f"{cost_code_origin_id}\t{cost_type_origin_id}".encode()
    return hashlib.blake2b(pair, digest_size=8).hexdigest()


def _job_cost_ids(
    result: SyncResult,
    updates: list[dict[str, Any]],
    code_ids: dict[str, int],
    cost_types: dict[str, int],
) -> dict[str, int]:
    """The Procore id of each job cost Procore answered, by its pair's origin ids (the answer
    names the pair by Procore ids, as the items sent did)."""
    code_origins = {procore_id: origin for origin, procore_id in code_ids.items()}
    type_origins = {procore_id: origin for origin, procore_id in cost_types.items()}
    ids: dict[str, int] = {}
    for entity in result.entities:
        if not isinstance(entity, dict) or entity.get("id") is None:
            continue
        code = code_origins.get(_int_or_none(entity.get("cost_code_id")))
        cost_type = type_origins.get(_int_or_none(entity.get("line_item_type_id")))
        if code is not None and cost_type is not None:
            ids[_pair_key(code, cost_type)] = int(entity["id"])
    return ids


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _departed(known: dict[str, int], structure: JobCostStructure) -> list[str]:
    """The pairs the portal sent whose job costs the ERP no longer lists."""
    holding = {
        _pair_key(row.cost_code_origin_id, row.cost_type_origin_id)
        for row in structure.rows
        if row.has_costs
    }
    return [key for key in known if key not in holding]


def _delete_departed(
    client: ProcoreClient,
    outcome: PushOutcome,
    known: dict[str, int],
    structure: JobCostStructure,
) -> None:
    """Delete in Procore each job cost the portal sent whose pair no longer holds costs in the
    ERP (cost code closed, cost type taken off, costs removed): one ``DELETE erp_job_costs/:id``
    each, as Procore has no bulk delete. One Procore already lost counts as deleted."""
    departed = _departed(known, structure)
    for key in departed:
        client.delete_erp_job_cost_if_present(known[key])
        outcome.calls += 1
        del known[key]
    if departed:
        outcome.sent["job_costs_deleted"] = len(departed)


# -- project cost codes tied to their standard cost codes -------------------------------------
def _cost_code_item(code: JobCostCodeRow, standard_ids: dict[str, int]) -> dict[str, Any]:
    """One ``cost_codes/sync`` item; ``standard_cost_code_id`` when the portal knows the
    Procore id of the standard cost code it comes from, so Procore ties the two (legacy-2022)."""
    item: dict[str, Any] = {"origin_id": code.origin_id, "code": code.code, "name": code.name}
    standard_id = standard_ids.get(standard_part_of_cost_code_origin_id(code.origin_id))
    if standard_id is not None:
        item["standard_cost_code_id"] = standard_id
    return item


def _standard_cost_code_ids(company: Company, structure: JobCostStructure) -> dict[str, int]:
    """Procore ids of the standard cost codes this biller's cost codes come from, by origin
    id, from the portal's links of standard cost codes (``standard_cost_codes/sync``)."""
    origins = sorted(
        {standard_part_of_cost_code_origin_id(code.origin_id) for code in structure.cost_codes}
    )
    found: dict[str, int] = {}
    for start in range(0, len(origins), 500):
        rows = (
            ObjectLink.objects.filter(
                company=company,
                item_type=ItemType.STANDARD_COST_CODE,
                origin_id__in=origins[start : start + 500],
                procore_id__isnull=False,
            )
            .exclude(state__in=(ObjectLink.State.MERGED, ObjectLink.State.ARCHIVED))
            .values_list("origin_id", "procore_id")
        )
        found.update(rows)
    return found


def _note(
    outcome: PushOutcome,
    part: str,
    result: SyncResult,
    noun: str,
    updates: list[dict[str, Any]],
    label_key: str | None,
) -> None:
    outcome.calls += result.calls
    outcome.sent[part] = len(updates)
    if result.errors:
        outcome.unsent.add(part)
    for error in result.errors:
        item = updates[error.index] if error.index is not None else error.item
        label = f" {item.get(label_key)}" if label_key and item.get(label_key) else ""
        outcome.refusals.append(f"Procore refused {noun}{label}: {error.message}")


def _pairs(
    structure: JobCostStructure,
    code_ids: dict[str, int],
    cost_types: dict[str, int],
    *,
    costs: bool,
) -> tuple[list[dict[str, Any]], list[str]]:
    """The assignment (or job cost) items of a structure, by Procore ids; and, for pairs whose
    cost code or cost type Procore does not hold, why they were left out."""
    updates: list[dict[str, Any]] = []
    missing_types: set[str] = set()
    missing_codes = 0
    for row in structure.rows:
        if costs and not row.has_costs:
            continue
        code_id = code_ids.get(row.cost_code_origin_id)
        type_id = cost_types.get(row.cost_type_origin_id)
        if code_id is None:
            missing_codes += 1
            continue
        if type_id is None:
            missing_types.add(row.cost_type_origin_id)
            continue
        item: dict[str, Any] = {"cost_code_id": code_id, "line_item_type_id": type_id}
        if costs:
            item.update(
                original_estimate=row.original_estimate,
                estimate=row.estimate,
                job_to_date_cost=row.job_to_date_cost,
            )
        else:
            item["synced"] = True
        updates.append(item)
    problems = []
    if missing_types:
        problems.append(
            f"{len(missing_types)} cost type(s) of this job are not in Procore yet; sync the "
            "standard cost codes and cost types first."
        )
    if missing_codes:
        problems.append(f"{missing_codes} row(s) name a cost code Procore did not accept.")
    return updates, problems


def _record_cost_codes(
    company: Company, result: SyncResult, updates: list[dict[str, Any]]
) -> dict[str, int]:
    """Remember the Procore id of every cost code Procore accepted (a ``cost_code`` link,
    synced), so later runs can name them without sending the cost codes again."""
    codes = {item["origin_id"]: item for item in updates}
    ids: dict[str, int] = {}
    for entity in result.entities:
        if not isinstance(entity, dict):
            continue
        origin_id, procore_id = entity.get("origin_id"), entity.get("id")
        if origin_id is None or procore_id is None or str(origin_id) not in codes:
            continue
        ids[str(origin_id)] = int(procore_id)
    now = timezone.now()
    links = [
        ObjectLink(
            company=company,
            item_type=ItemType.COST_CODE,
            origin_id=origin_id,
            origin_code=str(codes[origin_id].get("code") or "")[:255],
            procore_id=procore_id,
            state=ObjectLink.State.SYNCED,
            content_hash="",
            last_error="",
            created_at=now,
            updated_at=now,
        )
        for origin_id, procore_id in ids.items()
    ]
    if links:
        with transaction.atomic():
            ObjectLink.objects.bulk_create(
                links,
                update_conflicts=True,
                unique_fields=["company", "item_type", "origin_id"],
                update_fields=["origin_code", "procore_id", "state", "last_error", "updated_at"],
            )
    return ids


def _known_cost_codes(company: Company, structure: JobCostStructure) -> dict[str, int]:
    guids = [code.origin_id for code in structure.cost_codes]
    found: dict[str, int] = {}
    for start in range(0, len(guids), 500):
        rows = ObjectLink.objects.filter(
            company=company,
            item_type=ItemType.COST_CODE,
            origin_id__in=guids[start : start + 500],
            procore_id__isnull=False,
        ).values_list("origin_id", "procore_id")
        found.update(rows)
    return found


def job_costs_refresh(
    *,
    company: Company,
    client: ProcoreClient,
    source: JobCostAdapter,
    origin_id: str,
    project_id: int | None = None,
    sub_job_id: int | None = None,
) -> PushOutcome | None:
    """Push what changed of one job or sub job now, and remember it on its link (the job
    handlers: ``create_job_in_procore``, ``sync_single_job``, …). ``project_id`` and
    ``sub_job_id`` are the Procore ids the request names, used when our links do not know them
    yet (Procore has just created the project). None when the ERP has no cost codes for it."""
    summary = source.summary(origin_id)
    if summary is None:
        return None
    scope = job_cost_scope(company)
    if project_id is not None:
        scope.projects[str(summary.data.get("project_origin_id"))] = int(project_id)
    if sub_job_id is not None:
        scope.sub_jobs[origin_id] = int(sub_job_id)
    target = scope.target(summary)
    if target is None:
        return None
    previous = (
        ObjectLink.objects.filter(
            company=company, item_type=ItemType.JOB_COSTS, origin_id=origin_id
        )
        .values_list("content_hash", "procore_id")
        .first()
    )
    previous_hash = ""
    if previous is not None and previous[1] == (target[1] or target[0]):
        previous_hash = previous[0]
    else:
        # Sent to another Procore project or sub job (the job was reset, then imported again
        # as a new project), or never: everything goes to this one, and the job cost ids kept
        # for the other one are forgotten (never deleted from a project no longer ours).
        SentJobCosts.objects.filter(company=company, origin_id=origin_id).delete()
    outcome = job_costs_push(
        company=company,
        client=client,
        source=source,
        summary=summary,
        previous_hash=previous_hash,
        scope=scope,
        keep_departed=bool(listing_problems_of(source).unidentified),
    )
    state = ObjectLink.State.SYNCED if outcome.ok else ObjectLink.State.FAILED
    ObjectLink.objects.update_or_create(
        company=company,
        item_type=ItemType.JOB_COSTS,
        origin_id=origin_id,
        defaults={
            "origin_code": summary.origin_code[:255],
            "procore_id": outcome.procore_id,
            "state": state,
            "content_hash": outcome.content_hash,
            "last_error": outcome.error()[:4000],
        },
    )
    return outcome
