"""Bringing one synced job's own fields (name, number, address, dates, value…) from the ERP to
its Procore project, for ``sync_single_job``: the same ``projects/sync`` item an import run
sends for a synced job (``sync_entities``), compared with the same content hash, so a job the
run already sent (or this request sent before) costs no call, and a later run sends nothing
this request sent."""

from __future__ import annotations

from dataclasses import dataclass, field

from erp_adapters.base import Entity, ERPObject, JobAdapter
from integrations.models import Connection
from integrations.procore import ProcoreClient
from integrations.services.sync_entities import entity_spec


@dataclass
class ProjectRefresh:
    """What refreshing the project did: the hash to remember (blank when nothing may be
    remembered), whether a call was made, and Procore's refusals."""

    content_hash: str = ""
    sent: bool = False
    missing: bool = False
    refusals: list[str] = field(default_factory=list)


def erp_job_get(jobs: JobAdapter, origin_id: str) -> ERPObject | None:
    """The ERP job as the import lists it: through ``get`` when the adapter offers it (the demo
    ERP reads one row), else by walking its listing (file and SQL adapters, small lists)."""
    getter = getattr(jobs, "get", None)
    if callable(getter):
        return getter(origin_id)
    return next((obj for obj in jobs.list() if obj.origin_id == origin_id), None)


def job_project_refresh(
    *,
    client: ProcoreClient,
    connection: Connection,
    jobs: JobAdapter,
    origin_id: str,
    previous_hash: str,
) -> ProjectRefresh:
    """Send the job's fields through ``projects/sync`` when they differ from what was last sent
    (``previous_hash``, the project link's content hash). Procore's retryable errors propagate;
    refusals are returned."""
    obj = erp_job_get(jobs, origin_id)
    if obj is None:
        return ProjectRefresh(missing=True)
    spec = entity_spec(Entity.JOBS)
    now_hash = spec.hash_of(obj)
    if now_hash == previous_hash:
        return ProjectRefresh(content_hash=now_hash)
    result = spec.core_sync(client, connection, [spec.core_item(obj)])
    refusals = [error.message for error in result.errors]
    return ProjectRefresh(content_hash="" if refusals else now_hash, sent=True, refusals=refusals)
