"""Import runs: bring one entity of one company's ERP into Procore, resumably.

A run reads the entity's list from the ERP adapter (a stream, so only origin ids and hashes
stay in memory), stores it as an ``ObjectListVersion``, plans against the ``ObjectLink`` rows
(``sync_plan``), then reads the list again and sends what the plan names, at most 1000 items
per Procore call:

- staged-record entities (vendors): new objects are staged; changed ones still staged are staged
  again; objects already in Procore are updated through the core sync endpoint; staged records
  whose object left the ERP are archived;
- direct entities (standard cost codes, cost types): new and changed ones are upserted by
  ``origin_id`` through the core sync endpoint.

Every batch commits its links (state and the hash sent) together with the run's counters, so a
run that dies resumes where the last committed batch ended and stages nothing twice. A run left
``running`` whose lease expired, or ``pending`` after a retryable error, is resumable.
Retryable failures (Procore's ``RetryableError``, the adapter's ``ERPUnavailable``) propagate
after the progress is saved, so whoever called retries; permanent ones fail the run with the
reason, which ``sync_run_summary`` turns into words for the approver.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from erp_adapters.base import AdapterError, EntityAdapter, ERPObject, ERPUnavailable
from erp_adapters.registry import get_adapter
from integrations.models import (
    Company,
    Connection,
    ERPRequest,
    ObjectLink,
    ObjectListVersion,
    SyncRun,
)
from integrations.procore import ProcoreClient, ProcoreError, RetryableError, SyncResult
from integrations.procore.errors import ErrorKind
from integrations.procore.paths import SYNC_BATCH_SIZE
from integrations.services.leases import worker_name
from integrations.services.sync_entities import EntitySpec, ImportNotPossible, entity_spec
from integrations.services.sync_plan import Action, LinkInfo, Mode, Plan, list_hash, plan_diff

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=getattr(settings, "SYNC_RUN_LEASE_SECONDS", 600))
KEEP_VERSIONS = 5
ERROR_SAMPLES = 5
PAUSED = "Paused"  # how the note of a paused run starts, after any sampled refusals
FINISHED = (SyncRun.State.SUCCEEDED, SyncRun.State.PARTIAL, SyncRun.State.FAILED)

Progress = Callable[[SyncRun], None]


class ImportBusy(RetryableError):
    """Another worker is running an import of the same entity for the same company right now.

    Raised instead of waiting, through the retry path every caller already has: two runs at once
    would stage the same objects twice.
    """

    kind = ErrorKind.UNAVAILABLE


class LeaseLost(Exception):
    """Our lease expired and another worker took the run over; stop without touching it."""


# -- creating and finding runs -----------------------------------------------------------------


def sync_run_create(
    *, company: Company, entity: str, trigger: str, erp_request: ERPRequest | None = None
) -> SyncRun:
    """A pending run; ``sync_run_execute`` does the work."""
    spec = entity_spec(entity)
    return SyncRun.objects.create(
        company=company,
        entity=spec.entity,
        item_type=spec.item_type,
        trigger=trigger,
        erp_request=erp_request,
    )


def _resumable_filter(now) -> Q:
    return Q(state=SyncRun.State.PENDING) | Q(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now),
        state=SyncRun.State.RUNNING,
    )


def sync_run_resumable(*, company: Company, entity: str) -> SyncRun | None:
    """The newest unfinished run of this entity that nobody is working on, if any."""
    return (
        SyncRun.objects.filter(_resumable_filter(timezone.now()), company=company, entity=entity)
        .order_by("-id")
        .first()
    )


def sync_run_start(
    *,
    company: Company,
    entity: str,
    trigger: str,
    client: ProcoreClient | None = None,
    on_progress: Progress | None = None,
) -> SyncRun:
    """Resume the entity's unfinished run, or start a new one, and execute it.

    Schedules, support's "run now" and the command all go through here, so a run paused by a
    Procore outage is finished by whichever comes next instead of piling up new runs.
    """
    run = sync_run_resumable(company=company, entity=entity) or sync_run_create(
        company=company, entity=entity, trigger=trigger
    )
    return sync_run_execute(sync_run_id=run.pk, client=client, on_progress=on_progress)


def sync_run_for_request(
    *, erp_request: ERPRequest, entity: str, client: ProcoreClient | None = None
) -> SyncRun:
    """The import a ``sync_*`` ERP request asked for: the run already made for this request
    (a retry or a re-delivery resumes it, or finds it finished), else a new one."""
    run = (
        SyncRun.objects.filter(erp_request=erp_request, entity=entity).order_by("-id").first()
    ) or sync_run_create(
        company=erp_request.company,
        entity=entity,
        trigger=SyncRun.Trigger.EVENT,
        erp_request=erp_request,
    )
    return sync_run_execute(sync_run_id=run.pk, client=client)


def sync_refusals_reset(*, company: Company, entity: str) -> int:
    """Make the next run send refused objects again even if the ERP did not change them (after
    something was fixed on the Procore side). Returns how many will be sent again."""
    spec = entity_spec(entity)
    return ObjectLink.objects.filter(
        company=company, item_type=spec.item_type, state=ObjectLink.State.FAILED
    ).update(content_hash="", updated_at=timezone.now())


# -- planning ----------------------------------------------------------------------------------


@dataclass
class PlannedRun:
    plan: Plan
    hashes: dict[str, str]
    links: dict[str, LinkInfo]
    seconds: float


def import_plan(*, company: Company, spec: EntitySpec, source: EntityAdapter) -> PlannedRun:
    """Read the ERP's list (origin id → content hash only) and diff it against our links."""
    started = time.perf_counter()
    hashes = {obj.origin_id: obj.content_hash() for obj in source.list()}
    links = _links(company=company, item_type=spec.item_type)
    plan = plan_diff(spec.mode, hashes, links)
    return PlannedRun(plan=plan, hashes=hashes, links=links, seconds=time.perf_counter() - started)


def _links(*, company: Company, item_type: str) -> dict[str, LinkInfo]:
    rows = (
        ObjectLink.objects.filter(company=company, item_type=item_type)
        .values_list("origin_id", "state", "content_hash", "procore_id", "staged_record_id")
        .iterator(chunk_size=10_000)
    )
    intern = sys.intern
    return {
        origin_id: LinkInfo(intern(state), content_hash, procore_id, staged_record_id)
        for origin_id, state, content_hash, procore_id, staged_record_id in rows
    }


def _store_version(*, run: SyncRun, hashes: dict[str, str]) -> ObjectListVersion:
    """A new version when the list changed; the latest one again when it did not."""
    digest = list_hash(hashes)
    versions = ObjectListVersion.objects.filter(
        company_id=run.company_id, item_type=run.item_type, entity=run.entity
    )
    latest = versions.order_by("-id").only("id", "list_hash").first()
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
    old = list(versions.order_by("-id").values_list("id", flat=True)[KEEP_VERSIONS:])
    if old:
        ObjectListVersion.objects.filter(id__in=old).only("id").delete()
    return version


# -- executing ---------------------------------------------------------------------------------


def sync_run_execute(
    *,
    sync_run_id: int,
    client: ProcoreClient | None = None,
    on_progress: Progress | None = None,
) -> SyncRun:
    """Run (or resume) an import. Returns the run as it ended.

    A finished run is returned unchanged. Raises ``ImportBusy`` when another worker holds this
    run or another run of the same entity, and re-raises retryable errors after pausing the run.
    """
    owner = worker_name()
    run = _claim(sync_run_id=sync_run_id, owner=owner)
    if run.state in FINISHED:
        return run
    execution = _Execution(run=run, owner=owner, client=client, on_progress=on_progress)
    try:
        execution.run_to_end()
    except LeaseLost:
        logger.warning("import run %s was taken over by another worker", run.pk)
        return SyncRun.objects.get(pk=run.pk)
    except (RetryableError, ERPUnavailable) as exc:
        execution.pause(f"{PAUSED}, will resume: {exc}")
        raise
    except (ProcoreError, AdapterError, ImportNotPossible, Connection.DoesNotExist) as exc:
        execution.fail(_reason(exc, run))
    except Exception as exc:
        execution.pause(f"{PAUSED} after an internal error: {type(exc).__name__}: {exc}")
        raise
    finally:
        execution.close()
    return run


def _reason(exc: Exception, run: SyncRun) -> str:
    if isinstance(exc, Connection.DoesNotExist):
        return f"{run.company} has no connection to Procore and an ERP."
    if isinstance(exc, ProcoreError):
        return f"Procore refused the import: {exc}"
    return str(exc)


def _claim(*, sync_run_id: int, owner: str) -> SyncRun:
    """Take the run with a lease. One run per company and entity at a time: the company row is
    locked while checking, so two workers on PostgreSQL cannot both pass the check."""
    now = timezone.now()
    with transaction.atomic():
        run = SyncRun.objects.select_related("company").get(pk=sync_run_id)
        if run.state in FINISHED:
            return run
        Company.objects.select_for_update().filter(pk=run.company_id).first()
        run = SyncRun.objects.select_related("company").get(pk=sync_run_id)
        live = Q(state=SyncRun.State.RUNNING, lease_expires_at__gte=now)
        if run.state in FINISHED:
            return run
        if SyncRun.objects.filter(live, pk=run.pk).exists():
            raise ImportBusy(f"Import run #{run.pk} is being worked on by {run.lease_owner}.")
        other = (
            SyncRun.objects.filter(live, company_id=run.company_id, entity=run.entity)
            .exclude(pk=run.pk)
            .first()
        )
        if other is not None:
            raise ImportBusy(
                f"Another {run.entity} import (run #{other.pk}) is running for {run.company}.",
                retry_after=60,
            )
        run.state = SyncRun.State.RUNNING
        run.lease_owner = owner
        run.lease_expires_at = now + LEASE
        run.started_at = run.started_at or now
        run.error = "\n".join(_refusal_lines(run.error))  # drop the pause note, keep refusals
        run.save(update_fields=["state", "lease_owner", "lease_expires_at", "started_at", "error"])
    return run


@dataclass
class _Pending:
    """One item waiting for its batch: the payload and what its link becomes if accepted."""

    origin_id: str
    origin_code: str
    content_hash: str
    action: Action
    payload: dict


@dataclass
class _Execution:
    run: SyncRun
    owner: str
    client: ProcoreClient | None
    on_progress: Progress | None
    own_client: bool = False
    counting: bool = False
    calls_base: int = 0
    api_calls_base: int = 0
    connection: Connection | None = None
    spec: EntitySpec | None = None
    links: dict[str, LinkInfo] = field(default_factory=dict)

    # -- the whole run -------------------------------------------------------------------------

    def run_to_end(self) -> None:
        run = self.run
        self.spec = spec = entity_spec(run.entity)
        self.connection = Connection.objects.select_related("company").get(
            company_id=run.company_id
        )
        spec.check(self.connection)
        adapter = get_adapter(self.connection.adapter_key, self.connection.adapter_settings)
        source = adapter.entity(spec.entity)

        planned = import_plan(company=run.company, spec=spec, source=source)
        plan = planned.plan
        version = _store_version(run=run, hashes=planned.hashes)
        self.links = planned.links
        del planned
        self._forget(plan.forget)
        carried = run.created + run.updated + run.failed
        run.list_version = version
        run.listed = plan.listed
        run.unchanged = max(0, plan.unchanged - carried)
        run.progress_total = run.progress_done + plan.work
        self._save("list_version", "listed", "unchanged", "progress_total", renew=True)
        logger.info(
            "import run %s planned: %s to send, %s unchanged", run.pk, plan.work, plan.unchanged
        )
        self._report()
        if plan.work:
            self._send_all(plan, source)
        self._finish()

    def _send_all(self, plan: Plan, source: EntityAdapter) -> None:
        spec = self.spec
        staging: list[_Pending] = []
        core: list[_Pending] = []
        if plan.needs_list:
            for obj in self._wanted(plan, source):
                action = plan.actions.pop(obj.origin_id)
                if spec.mode is Mode.STAGED and action in (Action.CREATE, Action.RESTAGE):
                    staging.append(self._pending(obj, action, spec.staged_record(obj)))
                    if len(staging) >= SYNC_BATCH_SIZE:
                        self._send_staging(staging)
                        staging = []
                else:
                    core.append(self._pending(obj, action, spec.core_item(obj)))
                    if len(core) >= SYNC_BATCH_SIZE:
                        self._send_core(core)
                        core = []
        for origin_id in plan.archive:
            staging.append(
                _Pending(origin_id, "", "", Action.ARCHIVE, spec.archived_record(origin_id))
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

    @staticmethod
    def _wanted(plan: Plan, source: EntityAdapter) -> Iterator[ERPObject]:
        for obj in source.list():
            if obj.origin_id in plan.actions:
                yield obj

    @staticmethod
    def _pending(obj: ERPObject, action: Action, payload: dict) -> _Pending:
        return _Pending(obj.origin_id, obj.origin_code, obj.content_hash(), action, payload)

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
        """Links and counters of one accepted batch, in one transaction."""
        refused: dict[int, str] = {}
        unmatched: list[str] = []
        for error in result.errors:
            if error.index is None or not 0 <= error.index < len(batch):
                unmatched.append(error.message)
            else:
                refused[error.index] = error.message
        ids = _ids_by_origin(result.entities)
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
        update_fields = ["origin_code", "state", "content_hash", "last_error", "updated_at"]
        update_fields.append("staged_record_id" if staged else "procore_id")
        with transaction.atomic():
            if upserts:
                ObjectLink.objects.bulk_create(
                    upserts,
                    update_conflicts=True,
                    unique_fields=["company", "item_type", "origin_id"],
                    update_fields=update_fields,
                )
            links = ObjectLink.objects.filter(company_id=run.company_id, item_type=run.item_type)
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
                "error",
                renew=True,
            )
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
        return ObjectLink(
            company_id=self.run.company_id,
            item_type=self.run.item_type,
            origin_id=item.origin_id,
            origin_code=item.origin_code[:255],
            state=state,
            content_hash=item.content_hash,
            last_error=(reason or "")[:4000],
            staged_record_id=staged_record_id,
            procore_id=procore_id,
            created_at=now,
            updated_at=now,
        )

    def _sample(self, item: _Pending | None, reason: str) -> None:
        """Keep the first few refusals on the run, where support and the approver see them."""
        samples = _refusal_lines(self.run.error)
        if len(samples) >= ERROR_SAMPLES:
            return
        who = (item.origin_code or item.origin_id) if item else "an item"
        samples.append(f"{who}: {reason}"[:500])
        self.run.error = "\n".join(samples)

    def _forget(self, origin_ids: list[str]) -> None:
        """Links of objects that left the ERP before ever reaching Procore: nothing to call."""
        links = ObjectLink.objects.filter(
            company_id=self.run.company_id, item_type=self.run.item_type
        )
        for start in range(0, len(origin_ids), 500):
            links.filter(origin_id__in=origin_ids[start : start + 500]).update(
                state=ObjectLink.State.ARCHIVED, updated_at=timezone.now()
            )

    # -- the run row ---------------------------------------------------------------------------

    def _save(self, *fields: str, renew: bool = False) -> None:
        """Write fields while we hold the lease; ``LeaseLost`` if another worker took over."""
        values = {name: getattr(self.run, name) for name in fields}
        if renew:
            self.run.lease_expires_at = values["lease_expires_at"] = timezone.now() + LEASE
        if "list_version" in values:
            values["list_version_id"] = values.pop("list_version").pk
        written = SyncRun.objects.filter(pk=self.run.pk, lease_owner=self.owner).update(**values)
        if not written:
            raise LeaseLost(self.run.pk)

    def _report(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.run)

    def _end(self, state: str, error: str) -> None:
        run = self.run
        run.state = state
        run.error = error[:4000]
        run.finished_at = timezone.now() if state in FINISHED else None
        self._count_calls()
        values = {
            "state": run.state,
            "error": run.error,
            "finished_at": run.finished_at,
            "api_calls": run.api_calls,
            "lease_owner": "",
            "lease_expires_at": None,
        }
        SyncRun.objects.filter(pk=run.pk, lease_owner=self.owner).update(**values)
        run.lease_owner, run.lease_expires_at = "", None

    def _finish(self) -> None:
        state = SyncRun.State.PARTIAL if self.run.failed else SyncRun.State.SUCCEEDED
        self._end(state, self.run.error if self.run.failed else "")
        self._report()

    def fail(self, reason: str) -> None:
        logger.warning("import run %s failed: %s", self.run.pk, reason)
        self._end(SyncRun.State.FAILED, reason)
        self._report()

    def pause(self, reason: str) -> None:
        """Leave the run resumable at once (the committed batches stay committed); the note
        goes after the refusals sampled so far, which the resumed run keeps."""
        self._end(SyncRun.State.PENDING, "\n".join([*_refusal_lines(self.run.error), reason]))

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


# -- words for people --------------------------------------------------------------------------


def sync_run_summary(run: SyncRun) -> str:
    """One sentence for the approver's ERP tab, the command line and the admin."""
    spec = entity_spec(run.entity)
    if run.state == SyncRun.State.FAILED:
        return f"The {spec.singular} import failed: {run.error}"
    if run.state in (SyncRun.State.PENDING, SyncRun.State.RUNNING):
        return (
            f"The {spec.singular} import is not finished ({run.progress_done:,} of "
            f"{run.progress_total:,} sent). {_pause_note(run.error)}".strip()
        )
    verb = "Staged" if spec.mode is Mode.STAGED else "Added"
    parts = []
    if run.created:
        parts.append(f"{verb} {run.created:,} new {spec.noun(run.created)}")
    if run.updated:
        parts.append(f"updated {run.updated:,}" if parts else _updated(run.updated, spec))
    if run.archived:
        parts.append(f"archived {run.archived:,}" if parts else _archived(run.archived, spec))
    if not parts:
        sentence = f"No changes: all {run.listed:,} {spec.noun(run.listed)} in the ERP are up to date in Procore."
    else:
        sentence = ", ".join(parts) + f"; {run.unchanged:,} unchanged."
    if run.failed:
        sentence += f" Procore refused {run.failed:,} {spec.noun(run.failed)}."
    return sentence


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
        waiting = ObjectLink.objects.filter(
            company_id=run.company_id, item_type=run.item_type, state=ObjectLink.State.FAILED
        ).count()
        if waiting:
            summary += (
                f" {waiting:,} {spec.noun(waiting)} refused earlier will be sent again once "
                "corrected in the ERP."
            )
        return True, [summary]
    return False, [summary, *sync_run_refusals(run)]


def sync_run_refusals(run: SyncRun) -> list[str]:
    """The sampled per-item refusals, one per line, for messages and the command line."""
    if run.state != SyncRun.State.PARTIAL:
        return []
    return _refusal_lines(run.error)


def _refusal_lines(error: str) -> list[str]:
    return [line for line in error.splitlines() if line and not line.startswith(PAUSED)]


def _pause_note(error: str) -> str:
    notes = [line for line in error.splitlines() if line.startswith(PAUSED)]
    return notes[-1] if notes else ""
