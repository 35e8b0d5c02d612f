"""Reading a job's cost structure out of the demo ERP's books, for import into Procore.

Two entities: sub jobs (staged in Procore like jobs, each naming its job's ``project_origin_id``)
and job costs (per job and per sub job: its cost codes, their cost-type assignments and the
amounts on each pair). Both are listed with keyset pages, so memory is bounded by a page
whatever the size of the books:

- sub jobs: one query per page of sub jobs;
- job costs: one query per page of jobs for their sub jobs, one for their cost codes and one for
  their assignments with the costs posted on them (a LEFT JOIN). A job of 200 cost codes and 5
  cost types is 1,000 rows; a page holds ``page_size // 100`` jobs (10 at the default 1000),
  i.e. about ten thousand rows at a time.

The listing of job costs yields one summary per job or sub job ("biller": the holder of Procore
cost codes) with a short digest of each part; ``JobCosts.structure`` reads the rows of one
biller, which the engine asks for only when a digest changed.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from erp_adapters.base import (
    ERPObject,
    JobCostCodeRow,
    JobCostRow,
    JobCostStructure,
)
from erp_adapters.demo.listing import keyset_pages, money
from erp_adapters.demo.models import DemoJob, DemoJobCostCode, DemoJobCostType, DemoSubJob

JOB_COSTS_ITEM_TYPE = "job_costs"
ROWS_PER_JOB_GUESS = 100  # how many jobs make a page: page_size // this (at least one)

# -- sub jobs -----------------------------------------------------------------------------------

SUB_JOB_FIELDS = ("guid", "code", "name", "job__guid")


def sub_job_object(row: dict[str, Any]) -> ERPObject:
    """A staged ``sub_job`` (erp_staged_records.md "Sub Job"): project-level, so its data names
    the job's ``project_origin_id``."""
    data = {"name": row["name"], "code": row["code"], "project_origin_id": str(row["job__guid"])}
    return ERPObject("sub_job", str(row["guid"]), row["code"], data)


def list_sub_jobs(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    queryset = DemoSubJob.objects.filter(tenant=tenant, is_active=True)
    for page in keyset_pages(queryset, SUB_JOB_FIELDS, page_size=page_size):
        yield from map(sub_job_object, page)


# -- job costs ----------------------------------------------------------------------------------

Biller = tuple[int, int | None]  # (job id, sub job id or None)


class _Rows:
    """The raw rows of one biller, as the queries return them (tuples, not objects: the listing
    of a million assignments only hashes them)."""

    __slots__ = ("codes", "origin_code", "origin_id", "project_origin_id", "sub_job_origin_id")

    def __init__(self, origin_id: str, origin_code: str, project: str, sub_job: str | None):
        self.origin_id = origin_id
        self.origin_code = origin_code
        self.project_origin_id = project
        self.sub_job_origin_id = sub_job
        # job cost code id -> [guid, full code, name, [(cost type guid, oe, est, jtd), ...]]
        self.codes: dict[int, list[Any]] = {}


def _digest(lines: Iterable[str]) -> str:
    digest = hashlib.blake2b(digest_size=10)
    for line in lines:
        digest.update(line.encode())
    return digest.hexdigest()


def _amount(value: Any) -> str | None:
    return None if value is None else money(value)


def _summary(rows: _Rows) -> ERPObject:
    codes = rows.codes.values()
    data = {
        "project_origin_id": rows.project_origin_id,
        "sub_job_origin_id": rows.sub_job_origin_id,
        "cost_codes": _digest(f"{guid}\t{code}\t{name}\n" for guid, code, name, _ in codes),
        "assignments": _digest(
            f"{guid}\t{pair[0]}\n" for guid, _c, _n, pairs in codes for pair in pairs
        ),
        "job_costs": _digest(
            f"{guid}\t{ct}\t{oe}\t{est}\t{jtd}\n"
            for guid, _c, _n, pairs in codes
            for ct, oe, est, jtd in pairs
            if oe is not None
        ),
    }
    return ERPObject(JOB_COSTS_ITEM_TYPE, rows.origin_id, rows.origin_code, data)


def _structure(rows: _Rows) -> JobCostStructure:
    codes = tuple(JobCostCodeRow(guid, code, name) for guid, code, name, _ in rows.codes.values())
    pairs = tuple(
        JobCostRow(guid, ct, oe, est, jtd)
        for guid, _c, _n, pairs in rows.codes.values()
        for ct, oe, est, jtd in pairs
    )
    return JobCostStructure(
        rows.origin_id, rows.project_origin_id, rows.sub_job_origin_id, codes, pairs
    )


def _rows_of_jobs(jobs: list[dict[str, Any]], *, sub_job_id: int | None = None) -> list[_Rows]:
    """Every biller of these jobs (the job itself, then each sub job), with its rows; or only the
    sub job ``sub_job_id`` of the (single) job given. Billers without cost codes are left out:
    there is nothing of theirs to send."""
    job_ids = [job["id"] for job in jobs]
    by_id = {job["id"]: job for job in jobs}
    billers: dict[Biller, _Rows] = {}
    for job in jobs:
        if sub_job_id is None:
            billers[(job["id"], None)] = _Rows(
                str(job["guid"]), job["code"], str(job["guid"]), None
            )
    sub_jobs = DemoSubJob.objects.filter(job_id__in=job_ids)
    if sub_job_id is not None:
        sub_jobs = sub_jobs.filter(id=sub_job_id)
    for sub in sub_jobs.order_by("job_id", "id").values("id", "job_id", "guid", "code"):
        job = by_id[sub["job_id"]]
        billers[(sub["job_id"], sub["id"])] = _Rows(
            str(sub["guid"]), f"{job['code']}/{sub['code']}", str(job["guid"]), str(sub["guid"])
        )

    codes = DemoJobCostCode.objects.filter(job_id__in=job_ids, is_active=True)
    if sub_job_id is not None:
        codes = codes.filter(sub_job_id=sub_job_id)
    where: dict[int, _Rows] = {}
    for code_id, job_id, sub_id, guid, code, name in codes.order_by("id").values_list(
        "id", "job_id", "sub_job_id", "guid", "cost_code__code", "cost_code__name"
    ):
        rows = billers.get((job_id, sub_id))
        if rows is not None:
            rows.codes[code_id] = [str(guid), code, name, []]
            where[code_id] = rows
    if not where:
        return []

    assignments = DemoJobCostType.objects.filter(job_cost_code_id__in=list(where))
    for code_id, cost_type, oe, est, jtd in assignments.order_by(
        "job_cost_code_id", "cost_type_id"
    ).values_list(
        "job_cost_code_id",
        "cost_type__guid",
        "job_cost__original_estimate",
        "job_cost__estimate",
        "job_cost__job_to_date_cost",
    ):
        where[code_id].codes[code_id][3].append(
            (str(cost_type), _amount(oe), _amount(est), _amount(jtd))
        )
    return [rows for rows in billers.values() if rows.codes]


JOB_FIELDS = ("guid", "code")


def list_job_costs(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """One summary per job and sub job with cost codes, job by job in keyset order."""
    jobs_per_page = max(1, page_size // ROWS_PER_JOB_GUESS)
    queryset = DemoJob.objects.filter(tenant=tenant)
    for page in keyset_pages(queryset, JOB_FIELDS, page_size=jobs_per_page):
        for rows in _rows_of_jobs(page):
            yield _summary(rows)


def _one(tenant: str, origin_id: str) -> _Rows | None:
    """The rows of the job or sub job whose ERP id is ``origin_id``."""
    job = DemoJob.objects.filter(tenant=tenant, guid=_uuid_or_none(origin_id))
    found = list(job.values("id", *JOB_FIELDS))
    sub_job_id = None
    if not found:
        sub = (
            DemoSubJob.objects.filter(tenant=tenant, guid=_uuid_or_none(origin_id))
            .values("id", "job_id")
            .first()
        )
        if sub is None:
            return None
        sub_job_id = sub["id"]
        found = list(DemoJob.objects.filter(id=sub["job_id"]).values("id", *JOB_FIELDS))
    billers = _rows_of_jobs(found, sub_job_id=sub_job_id)
    matching = [rows for rows in billers if rows.origin_id == origin_id]
    return matching[0] if matching else None


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def job_costs_summary(tenant: str, origin_id: str) -> ERPObject | None:
    rows = _one(tenant, origin_id)
    return None if rows is None else _summary(rows)


def job_costs_structure(tenant: str, origin_id: str) -> JobCostStructure | None:
    rows = _one(tenant, origin_id)
    return None if rows is None else _structure(rows)


def job_cost_biller_exists(tenant: str, origin_id: str) -> bool:
    """Whether the books hold a job or sub job with this ERP id (with cost codes or not)."""
    guid = _uuid_or_none(origin_id)
    if guid is None:
        return False
    return (
        DemoJob.objects.filter(tenant=tenant, guid=guid).exists()
        or DemoSubJob.objects.filter(tenant=tenant, guid=guid).exists()
    )
