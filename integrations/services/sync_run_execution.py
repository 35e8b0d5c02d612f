"""Executing one import run that this worker holds: plan, send in batches, commit each batch.

A run reads the entity's list from the ERP adapter (a stream, so only origin ids and hashes
stay in memory), stores it as an ``ObjectListVersion``, plans against the ``ObjectLink`` rows
(``sync_plan``), then reads the list again and sends what the plan names, at most 1000 items
per Procore call:

- staged-record entities (vendors): new objects are staged; changed ones still staged are staged
  again; objects already in Procore are updated through the core sync endpoint; staged records
  whose object left the ERP are archived;
- direct entities (standard cost codes, cost types): new and changed ones are upserted by
  ``origin_id`` through the core sync endpoint;
- job costs (``EntitySpec.push``): the listing is one summary per job or sub job already in
  Procore (``EntitySpec.scope``), and each one that changed is sent by itself, only the parts
  that changed (``services/job_costs.py``), committing its link after it.

Every batch commits its links (state and the hash sent) together with the run's counters and a
renewed lease, so a run that dies resumes where the last committed batch ended and stages
nothing twice, and a worker whose lease was taken over writes nothing more (``LeaseLost``
rolls its batch back). Retryable failures (Procore's ``RetryableError``, the adapter's
``ERPUnavailable``) pause the run (``pause_note``) and propagate, so whoever called retries;
permanent ones fail the run with the reason (``error``). Claiming a run, and deciding which
run, is ``sync_runs``' job; the words for people are ``sync_run_summaries``'.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from erp_adapters.base import (
    AdapterError,
    EntityAdapter,
    ERPObject,
    ERPUnavailable,
    ListingProblems,
    listing_problems_of,
)
from erp_adapters.registry import get_adapter
from integrations.breakers import CircuitOpen, erp_breaker, erp_call_allowed
from integrations.models import Company, Connection, ObjectLink, ObjectListVersion, SyncRun
from integrations.procore import (
    ProcoreClient,
    ProcoreError,
    RetryableError,
    SyncItemError,
    SyncResult,
)
from integrations.procore.paths import SYNC_BATCH_SIZE
from integrations.selectors.connections import connection_for_company
from integrations.selectors.object_links import (
    object_links_for_planning,
    object_list_version_latest,
)
from integrations.services.leases import LeaseLost, lease_kept, lease_release, lease_write
from integrations.services.link_review import link_review_gate
from integrations.services.object_links import object_display_name
from integrations.services.sync_entities import EntitySpec, ImportNotPossible, entity_spec
from integrations.services.sync_run_summaries import WITHHELD
from integrations.sync_plan import (
    Action,
    LinkInfo,
    Mode,
    Plan,
    in_procore,
    list_hash,
    plan_diff,
)
from integrations.work_context import working_on

logger = logging.getLogger(__name__)

KEEP_VERSIONS = 5
REFUSAL_SAMPLES = 5  # refusals kept on the run; every one of them is on its object link
PAUSED = "Paused"  # how a pause note starts

Progress = Callable[[SyncRun], None]


def sync_run_execute_held(
    *, run: SyncRun, client: ProcoreClient | None = None, on_progress: Progress | None = None
) -> SyncRun:
    """Carry out a run whose lease this worker holds (``sync_runs.sync_run_execute`` takes it),
    and give the lease back however it ends. Returns the run as it ended.

    Re-raises retryable errors (and unexpected ones) after pausing the run, so the caller's
    own retry comes back to it; a permanent failure ends the run ``failed`` and returns it.
    """
    execution = _Execution(run=run, client=client, on_progress=on_progress)
    erp = erp_breaker(run.company_id)
    try:
        erp_call_allowed(erp)
        with working_on(sync_run_pk=run.pk), lease_kept([run]):
            try:
                execution.run_to_end()
            except ERPUnavailable as exc:
                if not isinstance(exc, CircuitOpen):
                    erp.failure(str(exc))
                raise
        erp.success()
    except LeaseLost:
        logger.warning("import run %s was taken over by another worker", run.pk)
        return SyncRun.objects.get(pk=run.pk)
    except (RetryableError, ERPUnavailable) as exc:
        execution.pause(f"{PAUSED}, will resume: {exc}")
        raise
    except (ProcoreError, AdapterError, ImportNotPossible) as exc:
        execution.fail(_reason(exc, run))
    except Exception as exc:
        execution.pause(f"{PAUSED} after an internal error: {type(exc).__name__}: {exc}")
        raise
    finally:
        execution.close()
    return run


class _NoConnection(ImportNotPossible):
    pass


def _reason(exc: Exception, run: SyncRun) -> str:
    if isinstance(exc, _NoConnection):
        return f"{run.company} has no connection to Procore and an ERP."
    if isinstance(exc, ProcoreError):
        return f"Procore refused the import: {exc}"
    return str(exc)


# -- planning ----------------------------------------------------------------------------------


@dataclass
class PlannedRun:
    plan: Plan
    hashes: dict[str, str]
    links: dict[str, LinkInfo]
    seconds: float
    unreadable: ListingProblems = field(default_factory=ListingProblems)
    # Left out of the ERP's list but not archived, as a bad row may be one of them (its ERP id
    # cannot be read): said on the run, so no one takes them for what the ERP still holds.
    withheld: int = 0
    # origin id → item type, for entities listed as several item types (``spec.link_types``).
    types: dict[str, str] = field(default_factory=dict)


def import_plan(*, company: Company, spec: EntitySpec, source: EntityAdapter) -> PlannedRun:
    """Read the ERP's list (origin id → content hash only) and diff it against our links.

    Records the ERP holds but the adapter could not read (a bad row of an import file) are
    left out of the plan: Procore keeps what it has of them, nothing is archived for them. The
    adapter names each by its ERP id when the bad row still says it (``UnreadableRecord``); a
    bad row that names none might be any record left out of the list, so then nothing at all
    is archived (``withheld``)."""
    started = time.perf_counter()
    hash_of = spec.hash_of
    listed = source.list()
    if spec.scope is not None:
        listed = filter(spec.scope(company), listed)
    hashes = {obj.origin_id: hash_of(obj) for obj in listed}
    unreadable = listing_problems_of(source)
    links: dict[str, LinkInfo] = {}
    types: dict[str, str] = {}
    for item_type in spec.types:
        of_type = object_links_for_planning(company_id=company.pk, item_type=item_type)
        if spec.link_types:
            types.update(dict.fromkeys(of_type, item_type))
        links.update(of_type)
    plan = plan_diff(spec.mode, hashes, links)
    withheld = _keep_unreadable(plan, unreadable)
    return PlannedRun(
        plan=plan,
        hashes=hashes,
        links=links,
        seconds=time.perf_counter() - started,
        unreadable=unreadable,
        types=types,
        withheld=withheld,
    )


def _keep_unreadable(plan: Plan, problems: ListingProblems) -> int:
    """Take out of the plan's removals every record the ERP may still hold unreadable (it has
    not left the ERP); how many were kept only because some bad row names no record."""
    if not problems.count:
        return 0
    archive = [origin_id for origin_id in plan.archive if not problems.keeps(origin_id)]
    forget = [origin_id for origin_id in plan.forget if not problems.keeps(origin_id)]
    kept = len(plan.archive) - len(archive) + len(plan.forget) - len(forget)
    plan.archive, plan.forget = archive, forget
    return kept if problems.unidentified else 0


def _store_version(*, run: SyncRun, hashes: dict[str, str]) -> ObjectListVersion:
    """A new version when the list changed; the latest one again when it did not."""
    digest = list_hash(hashes)
    latest = object_list_version_latest(
        company_id=run.company_id, item_type=run.item_type, entity=run.entity
    )
    if latest is not None and latest.list_hash == digest:
        return latest
    version = ObjectListVersion.objects.create(
        company_id=run.company_id,
        item_type=run.item_type,
        entity=run.entity,
        object_count=len(hashes),
        list_hash=digest,
        hashes=hashes,
    )
    versions = ObjectListVersion.objects.filter(
        company_id=run.company_id, item_type=run.item_type, entity=run.entity
    )
    old = list(versions.order_by("-id").values_list("id", flat=True)[KEEP_VERSIONS:])
    if old:
        ObjectListVersion.objects.filter(id__in=old).only("id").delete()
    return version


# -- executing ---------------------------------------------------------------------------------


@dataclass
class _Pending:
    """One item waiting for its batch: the payload and what its link becomes if accepted."""

    origin_id: str
    origin_code: str
    content_hash: str
    action: Action
    payload: dict
    name: str = ""
    item_type: str = ""  # the object's own, when the entity has several (``link_types``)
    held: str = ""  # why it waits (``EntitySpec.hold``): not sent, counted as skipped
    parent: str = ""  # the origin id of its parent, when sent flat (standard cost codes)


@dataclass
class _Execution:
    run: SyncRun
    client: ProcoreClient | None
    on_progress: Progress | None
    own_client: bool = False
    counting: bool = False
    calls_base: int = 0
    api_calls_base: int = 0
    connection: Connection | None = None
    spec: EntitySpec | None = None
    links: dict[str, LinkInfo] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)
    # Parents sent flat (standard cost codes): what this run plans to send, and what Procore
    # took of it so far (``_parent_missing``).
    planned: set[str] = field(default_factory=set)
    accepted: set[str] = field(default_factory=set)
    # A bad row names no record: what left the ERP stays in Procore this run (job costs).
    keep_departed: bool = False

    # -- the whole run -------------------------------------------------------------------------

    def run_to_end(self) -> None:
        run = self.run
        self.spec = spec = entity_spec(run.entity)
        self.connection = connection_for_company(company_id=run.company_id)
        if self.connection is None:
            raise _NoConnection(f"company {run.company_id} has no connection")
        run.company = self.connection.company
        spec.check(self.connection)
        adapter = get_adapter(self.connection.adapter_key, self.connection.adapter_settings)
        source = adapter.entity(spec.entity)
        link_review_gate(
            company=run.company,
            entity=spec.entity,
            client=self._procore(),
            connection=self.connection,
            adapter=adapter,
        )

        planned = import_plan(company=run.company, spec=spec, source=source)
        plan = planned.plan
        version = _store_version(run=run, hashes=planned.hashes)
        self.links = planned.links
        self.types = planned.types
        self._unreadable(planned.unreadable, planned.withheld)
        self.keep_departed = bool(planned.unreadable.unidentified)
        del planned
        self._forget(plan.forget)
        carried = run.created + run.updated + run.failed
        run.list_version = version
        run.listed = plan.listed
        run.unchanged = max(0, plan.unchanged - carried)
        run.progress_total = run.progress_done + plan.work
        self._save(
            "list_version",
            "listed",
            "unchanged",
            "progress_total",
            "unreadable",
            "refusals",
            renew=True,
        )
        logger.info(
            "import run %s planned: %s to send, %s unchanged", run.pk, plan.work, plan.unchanged
        )
        self._report()
        if plan.work:
            self._send_all(plan, source)
        self._finish()

    def _send_all(self, plan: Plan, source: EntityAdapter) -> None:
        spec = self.spec
        if spec.push is not None:
            self._push_each(plan, source)
            return
        staging: list[_Pending] = []
        core: list[_Pending] = []
        held: list[_Pending] = []
        hold = spec.hold(self.run.company) if spec.hold is not None else None
        hold_update = spec.hold_update(self.run.company) if spec.hold_update else None
        self.planned = set(plan.actions)
        if plan.needs_list:
            for obj in self._wanted(plan, source):
                action = plan.actions.pop(obj.origin_id)
                held_by = hold_update if action is Action.UPDATE else hold
                reason = held_by(obj) if held_by is not None else None
                reason = reason or self._parent_waits(obj)
                if reason:
                    self.planned.discard(obj.origin_id)  # its own children wait for it
                    held.append(self._pending(obj, action, {}))
                    held[-1].held = reason
                    if len(held) >= SYNC_BATCH_SIZE:
                        self._commit_held(held)
                        held = []
                    continue
                if spec.mode is Mode.STAGED and action in (Action.CREATE, Action.RESTAGE):
                    staging.append(self._pending(obj, action, spec.staged_record(obj)))
                    if len(staging) >= SYNC_BATCH_SIZE:
                        self._send_staging(staging)
                        staging = []
                else:
                    core.append(self._pending(obj, action, self._core_item(obj)))
                    if len(core) >= SYNC_BATCH_SIZE:
                        self._send_core(core)
                        core = []
        if held:
            self._commit_held(held)
        for origin_id in plan.archive:
            item_type = self.types.get(origin_id, "")
            staging.append(
                _Pending(
                    origin_id,
                    "",
                    "",
                    Action.ARCHIVE,
                    spec.archived_record(origin_id, item_type),
                    item_type=item_type,
                )
            )
            if len(staging) >= SYNC_BATCH_SIZE:
                self._send_staging(staging)
                staging = []
        if staging:
            self._send_staging(staging)
        if core:
            self._send_core(core)
        if plan.actions:
            # Listed while planning, gone when we read the list again: the next run archives
            # them if they stay gone.
            self.run.progress_total -= len(plan.actions)
            self._save("progress_total")

    def _push_each(self, plan: Plan, source: EntityAdapter) -> None:
        """Entities sent object by object (``EntitySpec.push``: a job's cost codes, assignments
        and job costs, each per job): every object commits its link with the run's counters, so
        a run that dies resumes with the next object."""
        spec = self.spec
        scope = spec.scope(self.run.company) if spec.scope is not None else None
        for obj in self._wanted(plan, source):
            action = plan.actions.pop(obj.origin_id)
            if scope is not None and not scope(obj):
                plan.actions[obj.origin_id] = action  # left Procore meanwhile: not sent
                continue
            known = self.links.get(obj.origin_id)
            try:
                outcome = spec.push(
                    company=self.run.company,
                    client=self._procore(),
                    source=source,
                    summary=obj,
                    previous_hash=known.content_hash if known else "",
                    scope=scope,
                    keep_departed=self.keep_departed,
                )
            finally:
                self._count_calls()
            pending = _Pending(obj.origin_id, obj.origin_code, outcome.content_hash, action, {})
            result = SyncResult(entities=[{"origin_id": obj.origin_id, "id": outcome.procore_id}])
            if not outcome.ok:
                result.errors.append(
                    SyncItemError(index=0, item={}, reasons={"job costs": [outcome.error()]})
                )
            self._commit([pending], result, staged=False)
        if plan.actions:
            self.run.progress_total -= len(plan.actions)
            self._save("progress_total")

    def _parent_waits(self, obj: ERPObject) -> str | None:
        """Why an object sent flat with its parent (``parent_origin_id``: standard cost codes)
        waits: its parent is not in Procore and this run does not send it (Procore refused it
        and it did not change since). Sending the child would only be refused again."""
        parent = self._parent_of(obj)
        if not parent or parent in self.planned or not self._parent_missing(parent):
            return None
        return (
            "its parent is not in Procore (Procore refused it; see the parent's refusal); it "
            "is sent with its parent once the parent is fixed in the ERP."
        )

    def _parent_of(self, obj: ERPObject) -> str:
        """The parent an object sent flat names (staged records nest their children)."""
        if self.spec.mode is not Mode.DIRECT:
            return ""
        return str(obj.data.get("parent_origin_id") or "")

    def _parent_missing(self, parent: str) -> bool:
        if parent in self.accepted:
            return False
        known = self.links.get(parent)
        return known is None or not in_procore(known)

    @staticmethod
    def _wanted(plan: Plan, source: EntityAdapter) -> Iterator[ERPObject]:
        for obj in source.list():
            if obj.origin_id in plan.actions:
                yield obj

    def _core_item(self, obj: ERPObject) -> dict:
        """The core sync item, with the Procore id when the link knows it: Procore then updates
        that object even before it carries our origin id (an export whose write-back is not
        sent yet) instead of creating another one with the same origin id."""
        item = self.spec.core_item(obj)
        known = self.links.get(obj.origin_id)
        if known is not None and known.procore_id is not None:
            item["id"] = known.procore_id
        return item

    def _pending(self, obj: ERPObject, action: Action, payload: dict) -> _Pending:
        return _Pending(
            obj.origin_id,
            obj.origin_code,
            self.spec.hash_of(obj),
            action,
            payload,
            object_display_name(obj.data),
            item_type=obj.item_type if self.spec.link_types else "",
            parent=self._parent_of(obj),
        )

    # -- Procore calls -------------------------------------------------------------------------

    def _procore(self) -> ProcoreClient:
        if self.client is None:
            self.client = ProcoreClient(self.connection)
            self.own_client = True
        if not self.counting:
            self.counting = True
            self.calls_base = self.client.calls
            self.api_calls_base = self.run.api_calls
        return self.client

    def _send_staging(self, batch: list[_Pending]) -> None:
        client = self._procore()
        try:
            result = client.sync_staged_records([p.payload for p in batch])
        finally:
            self._count_calls()
        self._commit(batch, result, staged=True)

    def _send_core(self, batch: list[_Pending]) -> None:
        client = self._procore()
        try:
            result = self.spec.core_sync(client, self.connection, [p.payload for p in batch])
        finally:
            self._count_calls()
        self._commit(batch, result, staged=False)

    def _count_calls(self) -> None:
        if self.counting:
            self.run.api_calls = self.api_calls_base + (self.client.calls - self.calls_base)

    # -- committing a batch --------------------------------------------------------------------

    def _commit(self, batch: list[_Pending], result: SyncResult, *, staged: bool) -> None:
        """Links, counters and a renewed lease of one accepted batch, in one transaction."""
        refused: dict[int, str] = {}
        unmatched: list[str] = []
        for error in result.errors:
            if error.index is None or not 0 <= error.index < len(batch):
                unmatched.append(error.message)
            else:
                refused[error.index] = error.message
        ids = _ids_by_origin(result.entities)
        self.accepted.update(
            item.origin_id
            for index, item in enumerate(batch)
            if index not in refused and item.action is not Action.ARCHIVE
        )
        run = self.run
        now = timezone.now()
        upserts: list[ObjectLink] = []
        archived_ok: list[str] = []
        archive_refused: list[tuple[str, str]] = []
        for index, item in enumerate(batch):
            reason = refused.get(index)
            if reason is not None:
                run.failed += 1
                self._sample(item, reason)
            elif item.action is Action.ARCHIVE:
                run.archived += 1
            elif item.action is Action.CREATE:
                run.created += 1
            else:
                run.updated += 1
            if item.action is Action.ARCHIVE:
                if reason is None:
                    archived_ok.append(item.origin_id)
                else:
                    archive_refused.append((item.origin_id, reason))
                continue
            upserts.append(self._link(item, reason, ids.get(item.origin_id), staged, now))
        for message in unmatched:
            run.failed += 1
            self._sample(None, message)
        run.progress_done += len(batch)
        update_fields = [
            "origin_code",
            "name",
            "state",
            "content_hash",
            "last_error",
            "updated_at",
        ]
        update_fields.append("staged_record_id" if staged else "procore_id")
        with transaction.atomic():
            if upserts:
                ObjectLink.objects.bulk_create(
                    upserts,
                    update_conflicts=True,
                    unique_fields=["company", "item_type", "origin_id"],
                    update_fields=update_fields,
                )
            links = ObjectLink.objects.filter(
                company_id=run.company_id, item_type__in=self.spec.types
            )
            if archived_ok:
                links.filter(origin_id__in=archived_ok).update(
                    state=ObjectLink.State.ARCHIVED, last_error="", updated_at=now
                )
            for origin_id, reason in archive_refused:
                links.filter(origin_id=origin_id).update(
                    state=ObjectLink.State.FAILED, last_error=reason[:4000], updated_at=now
                )
            self._save(
                "created",
                "updated",
                "archived",
                "failed",
                "progress_done",
                "api_calls",
                "refusals",
                renew=True,
            )
        self._report()

    def _commit_held(self, batch: list[_Pending]) -> None:
        """Objects that wait for what they hang on: no call; each link keeps what Procore has
        of it and says why it waits, and a new one stays ``pending``, so the next run looks
        at it again whatever its content."""
        run = self.run
        now = timezone.now()
        upserts = []
        for item in batch:
            run.skipped += 1
            self._sample(item, item.held, source="waiting")
            known = self.links.get(item.origin_id)
            upserts.append(
                ObjectLink(
                    company_id=run.company_id,
                    item_type=item.item_type or run.item_type,
                    origin_id=item.origin_id,
                    origin_code=item.origin_code[:255],
                    name=item.name,
                    state=known.state if known else ObjectLink.State.PENDING,
                    content_hash=known.content_hash if known else "",
                    last_error=item.held[:4000],
                    staged_record_id=known.staged_record_id if known else None,
                    procore_id=known.procore_id if known else None,
                    created_at=now,
                    updated_at=now,
                )
            )
        run.progress_done += len(batch)
        with transaction.atomic():
            ObjectLink.objects.bulk_create(
                upserts,
                update_conflicts=True,
                unique_fields=["company", "item_type", "origin_id"],
                update_fields=["origin_code", "name", "last_error", "updated_at"],
            )
            self._save("skipped", "progress_done", "refusals", renew=True)
        self._report()

    def _link(
        self, item: _Pending, reason: str | None, new_id: int | None, staged: bool, now
    ) -> ObjectLink:
        known = self.links.get(item.origin_id)
        if reason is not None:
            state = ObjectLink.State.FAILED
        elif staged:
            state = ObjectLink.State.STAGED
        else:
            state = ObjectLink.State.SYNCED
        staged_record_id = known.staged_record_id if known else None
        procore_id = known.procore_id if known else None
        if reason is None and new_id is not None:
            if staged:
                staged_record_id = new_id
            else:
                procore_id = new_id
        content_hash = item.content_hash
        if reason is not None and item.parent and self._parent_missing(item.parent):
            # Refused for want of its parent, which Procore refused too: not remembered as
            # refused with this content, or it would never be sent once the parent is fixed.
            content_hash = known.content_hash if known else ""
        return ObjectLink(
            company_id=self.run.company_id,
            item_type=item.item_type or self.run.item_type,
            origin_id=item.origin_id,
            origin_code=item.origin_code[:255],
            name=item.name,
            state=state,
            content_hash=content_hash,
            last_error=(reason or "")[:4000],
            staged_record_id=staged_record_id,
            procore_id=procore_id,
            created_at=now,
            updated_at=now,
        )

    def _sample(self, item: _Pending | None, reason: str, *, source: str = "") -> None:
        """Keep the first few refusals on the run, where support and the approver see them
        (a resumed run keeps those of its earlier attempts). ``source`` ``waiting`` marks an
        object held back (``EntitySpec.hold``) rather than refused."""
        refusals = list(self.run.refusals or [])
        if len(refusals) >= REFUSAL_SAMPLES:
            return
        who = (item.origin_code or item.origin_id) if item else None
        sample = {"item": who, "reason": reason[:500]}
        if source:
            sample["source"] = source
        if sample in refusals:
            return
        refusals.append(sample)
        self.run.refusals = refusals

    def _unreadable(self, problems: ListingProblems, withheld: int = 0) -> None:
        """What the ERP holds but the adapter could not read: counted (a resumed run counts
        its latest reading) and sampled among the refusals, where it says where to look; and,
        when a bad row names no record, that nothing left the ERP this run, with how many
        records the list left out were kept (``WITHHELD``, outside the samples:
        ``sync_run_summaries`` says it)."""
        self.run.unreadable = problems.count
        refusals = [r for r in self.run.refusals or [] if r.get("source") != WITHHELD]
        for record in problems.samples:
            sample = {"item": record.where, "reason": record.reason[:500], "source": "erp"}
            if sample not in refusals and len(refusals) < REFUSAL_SAMPLES:
                refusals.append(sample)
        if problems.unidentified:
            refusals.append({"item": None, "reason": str(withheld), "source": WITHHELD})
        self.run.refusals = refusals

    def _forget(self, origin_ids: list[str]) -> None:
        """Links of objects that left the ERP before ever reaching Procore: nothing to call."""
        links = ObjectLink.objects.filter(
            company_id=self.run.company_id, item_type__in=self.spec.types
        )
        for start in range(0, len(origin_ids), 500):
            links.filter(origin_id__in=origin_ids[start : start + 500]).update(
                state=ObjectLink.State.ARCHIVED, updated_at=timezone.now()
            )

    # -- the run row ---------------------------------------------------------------------------

    def _save(self, *fields: str, renew: bool = False) -> None:
        """Write fields while we hold the lease; ``LeaseLost`` if another worker took over."""
        lease_write(self.run, renew=renew, **{name: getattr(self.run, name) for name in fields})

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.run)

    def _end(self, state: str, *, error: str = "", pause_note: str = "") -> None:
        """Write how the run ended and give the lease back, in one UPDATE."""
        run = self.run
        self._count_calls()
        finished_at = timezone.now() if state in SyncRun.FINISHED else None
        released = lease_release(
            run,
            state=state,
            error=error[:4000],
            pause_note=pause_note[:4000],
            refusals=run.refusals,
            finished_at=finished_at,
            api_calls=run.api_calls,
        )
        if not released:
            # Another worker took the run over (our lease ran out): what it wrote stands.
            logger.warning("import run %s ended after another worker took it over", run.pk)
            run.refresh_from_db()

    def _finish(self) -> None:
        state = (
            SyncRun.State.PARTIAL
            if self.run.failed or self.run.unreadable
            else SyncRun.State.SUCCEEDED
        )
        self._end(state)
        self._report()

    def fail(self, reason: str) -> None:
        logger.warning("import run %s failed: %s", self.run.pk, reason)
        self._end(SyncRun.State.FAILED, error=reason)
        self._report()

    def pause(self, note: str) -> None:
        """Leave the run resumable at once (the committed batches stay committed, and so do
        the refusals sampled so far, which the resumed run keeps)."""
        self._end(SyncRun.State.PENDING, pause_note=note)

    def close(self) -> None:
        if self.own_client and self.client is not None:
            self.client.close()


def _ids_by_origin(entities: list) -> dict[str, int]:
    ids: dict[str, int] = {}
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        origin_id, record_id = entity.get("origin_id"), entity.get("id")
        if origin_id is None or record_id is None:
            continue
        try:
            ids.setdefault(str(origin_id), int(record_id))
        except (TypeError, ValueError):
            continue
    return ids
