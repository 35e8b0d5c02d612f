"""Import runs: creating, finding and claiming them; the entry points everyone else calls.

An import run brings one entity of one company's ERP into Procore, resumably
(``sync_run_execution`` does the work; ``sync_run_summaries`` puts it in words). This module
decides *which* run to execute and takes it:

- At most one run per company and entity is unfinished (pending or running) at a time. The
  database enforces it (a partial unique constraint on ``SyncRun``), so whatever the race, a
  second unfinished run cannot exist: whoever loses the creation race executes the winner's run.
- Schedules, support's "run now", the command and ``sync_*`` ERP requests all resume that
  unfinished run if there is one, so a run paused by a Procore outage is finished by whichever
  comes next instead of piling up new runs.
- A worker executes a run only while it holds the run's lease (``services/leases.py``); a run
  held by a live lease raises ``ImportBusy`` instead of waiting, and one whose worker died is
  taken over once the lease runs out.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from erp_adapters.base import AdapterError
from erp_adapters.registry import get_adapter
from integrations.models import Company, ERPRequest, ObjectLink, SyncRun
from integrations.procore import ProcoreClient
from integrations.selectors.connections import connection_for_company
from integrations.selectors.sync_runs import sync_run_of_request, sync_run_unfinished
from integrations.services.leases import Busy, lease_claim
from integrations.services.sync_entities import entity_spec
from integrations.services.sync_run_execution import Progress, sync_run_execute_held

BUSY_RETRY_SECONDS = 60
_CREATE_ATTEMPTS = 3


class ImportBusy(Busy):
    """Another worker is running this entity's import for the company right now.

    Raised instead of waiting (two runs at once would stage the same objects twice); the
    callers that retry work come back after ``retry_after`` seconds, as for any ``Busy``.
    """


# -- creating and finding runs -----------------------------------------------------------------


def sync_run_create(
    *, company: Company, entity: str, trigger: str, erp_request: ERPRequest | None = None
) -> SyncRun:
    """The run to execute for this company and entity: its unfinished run if it has one (which
    keeps its own trigger and ERP request), else a new pending one.

    Tolerates losing the creation race: the database refuses a second unfinished run, and the
    loser gets the winner's run. ``sync_run_execute`` does the work.
    """
    spec = entity_spec(entity)
    for _ in range(_CREATE_ATTEMPTS):
        existing = sync_run_unfinished(company_id=company.pk, entity=spec.entity)
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    company=company,
                    entity=spec.entity,
                    item_type=spec.item_type,
                    trigger=trigger,
                    erp_request=erp_request,
                )
        except IntegrityError:
            continue  # another worker created it a moment ago: take theirs (read again)
    # Each time, the winner's run was finished before we could read it: others keep it busy.
    raise ImportBusy(
        f"Other workers are running the {spec.entity} import of {company} right now.",
        retry_after=BUSY_RETRY_SECONDS,
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

    Raises ``ImportBusy`` (retry after 60 s) when a live worker holds the unfinished run.
    """
    run = sync_run_create(company=company, entity=entity, trigger=trigger)
    return sync_run_execute(sync_run_id=run.pk, client=client, on_progress=on_progress)


def sync_entity_unavailable(*, company: Company, entity: str) -> str | None:
    """Why a scheduled import of ``entity`` has nothing to do for this company, or None.

    Every company gets a schedule per importable entity, but not every ERP keeps every entity
    (a file-exchange ERP sends no job costs): such a tick is skipped with the reason instead of
    recording an hourly failed run that nobody can fix. A run asked for by a person or by
    Procore still fails with the adapter's own message."""
    connection = connection_for_company(company_id=company.pk)
    if connection is None or not connection.adapter_key:
        return f"{company} has no ERP adapter yet."
    try:
        adapter = get_adapter(connection.adapter_key, connection.adapter_settings)
    except AdapterError:
        return None  # let the run fail and say why (unknown adapter, bad settings)
    if not adapter.supports(entity_spec(entity).entity):
        return f"The {adapter.label} keeps no {entity.replace('_', ' ')}."
    return None


def sync_run_for_request(
    *, erp_request: ERPRequest, entity: str, client: ProcoreClient | None = None
) -> SyncRun:
    """The import a ``sync_*`` ERP request asked for, executed, to report on its Request Detail.

    The run this request started if there is one (a retry or a re-delivery resumes it, or
    finds it finished); else the entity's unfinished run (a scheduled one, say, or another
    request's), which it finishes and reports, and which keeps its own ERP request; else a new
    run for this request. Raises ``ImportBusy`` when a live worker holds the run.
    """
    run = sync_run_of_request(erp_request=erp_request, entity=entity) or sync_run_create(
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
        company=company, item_type__in=spec.types, state=ObjectLink.State.FAILED
    ).update(content_hash="", updated_at=timezone.now())


# -- executing ---------------------------------------------------------------------------------


def sync_run_execute(
    *,
    sync_run_id: int,
    client: ProcoreClient | None = None,
    on_progress: Progress | None = None,
) -> SyncRun:
    """Take the run's lease and run (or resume) it. Returns the run as it ended.

    A finished run is returned unchanged. Raises ``ImportBusy`` when another worker holds the
    run, and re-raises retryable errors after pausing the run.
    """
    run = _claim(sync_run_id=sync_run_id)
    if run.state in SyncRun.FINISHED:
        return run
    return sync_run_execute_held(run=run, client=client, on_progress=on_progress)


def _claim(*, sync_run_id: int) -> SyncRun:
    """The run with our lease on it, or the run as it is when it is finished already.

    One conditional UPDATE takes it (``lease_claim``), so two workers never both hold it; the
    unique constraint makes it the entity's only unfinished run, so holding it is holding the
    entity's import.
    """
    taken = lease_claim(
        SyncRun.objects.filter(pk=sync_run_id).exclude(state__in=SyncRun.FINISHED),
        state=SyncRun.State.RUNNING,
        started_at=Coalesce(F("started_at"), Value(timezone.now())),
        pause_note="",
    )
    if taken:
        return taken[0]
    run = SyncRun.objects.select_related("company").get(pk=sync_run_id)
    if run.state in SyncRun.FINISHED:
        return run
    until = f" until {run.lease_expires_at:%H:%M:%S} UTC" if run.lease_expires_at else ""
    raise ImportBusy(
        f"The {run.entity} import of {run.company} (run #{run.pk}) is being worked on by "
        f"{run.lease_owner or 'another worker'}{until}.",
        retry_after=BUSY_RETRY_SECONDS,
    )
