"""Reading a job's cost structure out of the demo ERP's books, for import into Procore.

Job costs: per job and per sub job, its cost codes, their cost-type assignments and the amounts
on each pair (sub jobs themselves are listed by ``cost_structure.list_sub_jobs``). Listed with
keyset pages, so memory is bounded by a page whatever the size of the books: per page of jobs
(``page_size // 20`` jobs, 50 at the default 1000), one query for their sub jobs, one for their
cost codes and one that sums their assignments and posted costs per job and sub job in the
database.

The listing of job costs yields one summary per job or sub job ("biller": the holder of Procore
cost codes) with a short digest of each part; ``JobCosts.structure`` reads the rows of one
biller, which the engine asks for only when a digest changed. A job of 200 cost codes and 5 cost
types is 1,000 assignment rows, so the books of 1,000 such jobs hold a million: the digests of
assignments and costs are therefore computed from checksums the database adds up (``_sums``),
and Python only ever sees one row per job and sub job of them (docs/benchmarks.md).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Count, F, Func, QuerySet, Sum

from erp_adapters.base import (
    ERPObject,
    JobCostCodeRow,
    JobCostRow,
    JobCostStructure,
    job_cost_code_origin_id,
)
from erp_adapters.demo.listing import keyset_pages
from erp_adapters.demo.models import (
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)

JOB_COSTS_ITEM_TYPE = "job_costs"
# How many jobs make a page: page_size // this (at least one). 50 jobs a page (10,000 cost code
# rows at 200 a job) build a fifth of the queries 10 did: 2.2 s of CPU instead of 2.6 s to plan
# a million job costs, for a few MB more (docs/benchmarks.md).
ROWS_PER_JOB_GUESS = 20

# -- job costs ----------------------------------------------------------------------------------

Biller = tuple[int, int | None]  # (job id, sub job id or None)


def _fetch(queryset: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` query as the database driver returns them, without
    Django's per-value converters: a page of ten jobs is ten thousand assignment rows, and
    converting each UUID and decimal would cost more than the query (docs/benchmarks.md). The
    columns read this way are integers and amounts; ``_amount`` formats the latter."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


class _Rows:
    """The raw rows of one biller, as the queries return them (tuples, not objects: the listing
    of a million assignments only hashes them)."""

    __slots__ = ("codes", "origin_code", "origin_id", "project_origin_id", "sub_job_origin_id")

    def __init__(self, origin_id: str, origin_code: str, project: str, sub_job: str | None):
        self.origin_id = origin_id
        self.origin_code = origin_code
        self.project_origin_id = project
        self.sub_job_origin_id = sub_job
        # job cost code id -> (guid, full code, name, [(cost type id, oe, est, jtd), ...])
        self.codes: dict[int, tuple[str, str, str, list[tuple]]] = {}


def _digest(value: Any) -> str:
    """A short digest of a part, from the ``repr`` of its tuples (ids, codes and amounts as the
    database gives them): stable from one listing to the next, and changed by any change."""
    return hashlib.blake2b(repr(value).encode(), digest_size=10).hexdigest()


def _amount(value: Any) -> str | None:
    """An amount as a decimal string with two places, whether the driver gave a Decimal
    (PostgreSQL) or a number (SQLite keeps decimals as numbers)."""
    return None if value is None else f"{value:.2f}"


def _structure(rows: _Rows, cost_types: dict[int, str]) -> JobCostStructure:
    codes = tuple(JobCostCodeRow(guid, code, name) for guid, code, name, _ in rows.codes.values())
    pairs = tuple(
        JobCostRow(guid, cost_types[ct], _amount(oe), _amount(est), _amount(jtd))
        for guid, _c, _n, found in rows.codes.values()
        for ct, oe, est, jtd in found
    )
    return JobCostStructure(
        rows.origin_id, rows.project_origin_id, rows.sub_job_origin_id, codes, pairs
    )


def _cost_types(tenant: str) -> dict[int, str]:
    return {
        pk: str(guid)
        for pk, guid in DemoCostType.objects.filter(tenant=tenant).values_list("id", "guid")
    }


def _billers_of(jobs: list[dict[str, Any]], sub_job_id: int | None) -> dict[Biller, _Rows]:
    """The jobs themselves, then each of their sub jobs (or only sub job ``sub_job_id``)."""
    by_id = {job["id"]: job for job in jobs}
    billers: dict[Biller, _Rows] = {}
    if sub_job_id is None:
        for job in jobs:
            guid = str(job["guid"])
            billers[(job["id"], None)] = _Rows(guid, job["code"], guid, None)
    sub_jobs = DemoSubJob.objects.filter(job_id__in=list(by_id))
    if sub_job_id is not None:
        sub_jobs = sub_jobs.filter(id=sub_job_id)
    for sub in sub_jobs.order_by("job_id", "id").values("id", "job_id", "guid", "code"):
        job = by_id[sub["job_id"]]
        billers[(sub["job_id"], sub["id"])] = _Rows(
            str(sub["guid"]), f"{job['code']}/{sub['code']}", str(job["guid"]), str(sub["guid"])
        )
    return billers


def _rows_of_jobs(jobs: list[dict[str, Any]], *, sub_job_id: int | None = None) -> list[_Rows]:
    """The rows of every biller of these jobs (or of the one sub job) that has cost codes."""
    job_ids = [job["id"] for job in jobs]
    billers = _billers_of(jobs, sub_job_id)

    codes = DemoJobCostCode.objects.filter(job_id__in=job_ids, is_active=True)
    if sub_job_id is not None:
        codes = codes.filter(sub_job_id=sub_job_id)
    found: dict[int, list[tuple]] = {}
    for code_id, job_id, sub_id, standard_guid, code, name in codes.order_by("id").values_list(
        "id", "job_id", "sub_job_id", "cost_code__guid", "cost_code__code", "cost_code__name"
    ):
        rows = billers.get((job_id, sub_id))
        if rows is not None:
            found[code_id] = pairs = []
            # The project cost code's origin id, as the job's export links it (base.py).
            origin_id = job_cost_code_origin_id(rows.origin_id, str(standard_guid))
            rows.codes[code_id] = (origin_id, code, name, pairs)
    if not found:
        return []

    assignments = DemoJobCostType.objects.filter(
        job_cost_code__job_id__in=job_ids, job_cost_code__is_active=True
    )
    if sub_job_id is not None:
        assignments = assignments.filter(job_cost_code__sub_job_id=sub_job_id)
    query = assignments.order_by("job_cost_code_id", "cost_type_id").values_list(
        "job_cost_code_id",
        "cost_type_id",
        "job_cost__original_estimate",
        "job_cost__estimate",
        "job_cost__job_to_date_cost",
    )
    for code_id, *pair in _fetch(query):
        pairs = found.get(code_id)
        if pairs is not None:
            pairs.append(tuple(pair))
    return [rows for rows in billers.values() if rows.codes]


JOB_FIELDS = ("guid", "code")

# -- summaries: checksums the database adds up ---------------------------------------------------
# Each assignment row gets weights from its two ids (below 10^5), and a biller's costs checksum
# is the sum over its rows of (original estimate x w1 + estimate x w2 + job-to-date x w3, in
# cents) modulo a large prime, with the row count. Any change of one amount changes it; a change
# that cancels out (the same amount moved from one pair to another) goes unseen only when the
# two pairs' weights coincide, about one chance in 10^5. Every product stays below 2^63 for
# amounts up to ten billion; a sum of 200,000 rows too. The assignments checksum is the count
# and the sum of another weight, so a pair replaced by another changes it.
_PRIME = 1_000_000_007


def _weight(code: int, cost_type: int, modulus: int) -> Any:
    return (F("job_cost_code_id") * code + F("cost_type_id") * cost_type) % modulus + 1


def _cents(field: str) -> Func:
    """An amount in whole cents (-1 when nothing is posted), in plain SQL both databases run:
    Django's own casts of decimals on SQLite cost more than the sum (docs/benchmarks.md)."""
    return Func(
        F(f"job_cost__{field}"),
        template="COALESCE(CAST(ROUND(%(expressions)s * 100) AS BIGINT), -1)",
        output_field=BigIntegerField(),
    )


def _sums(job_ids: list[int], sub_job_id: int | None) -> dict[Biller, tuple]:
    """(job id, sub job id) -> (assignments checksum, costs checksum), in one query."""
    w1 = _weight(7919, 104_729, 99_991)
    w2 = _weight(104_723, 7_907, 99_989)
    w3 = _weight(1_301, 6_007, 99_971)
    costs = (_cents("original_estimate") * w1 + _cents("estimate") * w2) + _cents(
        "job_to_date_cost"
    ) * w3
    rows = DemoJobCostType.objects.filter(
        job_cost_code__job_id__in=job_ids, job_cost_code__is_active=True
    )
    if sub_job_id is not None:
        rows = rows.filter(job_cost_code__sub_job_id=sub_job_id)
    sums = (
        rows.order_by()
        .values("job_cost_code__job_id", "job_cost_code__sub_job_id")
        .annotate(
            pairs=Count("id"),
            pairs_sum=Sum(_weight(31, 17, 99_989)),
            costs=Count("job_cost"),
            costs_sum=Sum(costs % _PRIME),
        )
    )
    return {
        (row["job_cost_code__job_id"], row["job_cost_code__sub_job_id"]): (
            (row["pairs"], int(row["pairs_sum"] or 0)),
            (row["costs"], int(row["costs_sum"] or 0)),
        )
        for row in sums
    }


def _summaries_of_jobs(
    jobs: list[dict[str, Any]], *, sub_job_id: int | None = None
) -> list[ERPObject]:
    """A summary per biller of these jobs that has cost codes (or of the one sub job)."""
    billers = _billers_of(jobs, sub_job_id)
    job_ids = [job["id"] for job in jobs]
    codes = DemoJobCostCode.objects.filter(job_id__in=job_ids, is_active=True)
    if sub_job_id is not None:
        codes = codes.filter(sub_job_id=sub_job_id)
    by_biller: dict[Biller, list[tuple]] = {}
    query = codes.order_by("id").values_list(
        "job_id", "sub_job_id", "id", "cost_code__guid", "cost_code__code", "cost_code__name"
    )
    for job_id, sub_id, *code in _fetch(query):
        by_biller.setdefault((job_id, sub_id), []).append(tuple(code))
    sums = _sums(job_ids, sub_job_id)
    summaries = []
    for key, rows in billers.items():
        found = by_biller.get(key)
        if not found:
            continue
        pairs, costs = sums.get(key, ((0, 0), (0, 0)))
        data = {
            "project_origin_id": rows.project_origin_id,
            "sub_job_origin_id": rows.sub_job_origin_id,
            "cost_codes": _digest(found),
            "assignments": _digest(pairs),
            "job_costs": _digest(costs),
        }
        summaries.append(ERPObject(JOB_COSTS_ITEM_TYPE, rows.origin_id, rows.origin_code, data))
    return summaries


def list_job_costs(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    """One summary per job and sub job with cost codes, job by job in keyset order."""
    jobs_per_page = max(1, page_size // ROWS_PER_JOB_GUESS)
    queryset = DemoJob.objects.filter(tenant=tenant)
    for page in keyset_pages(queryset, JOB_FIELDS, page_size=jobs_per_page):
        yield from _summaries_of_jobs(page)


def _find(tenant: str, origin_id: str) -> tuple[list[dict[str, Any]], int | None] | None:
    """The job (as a one-row page) holding the job or sub job ``origin_id``, and the sub job's
    id when it names a sub job."""
    guid = _uuid_or_none(origin_id)
    if guid is None:
        return None
    found = list(DemoJob.objects.filter(tenant=tenant, guid=guid).values("id", *JOB_FIELDS))
    if found:
        return found, None
    sub = DemoSubJob.objects.filter(tenant=tenant, guid=guid).values("id", "job_id").first()
    if sub is None:
        return None
    return list(DemoJob.objects.filter(id=sub["job_id"]).values("id", *JOB_FIELDS)), sub["id"]


def _uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def job_costs_summary(tenant: str, origin_id: str) -> ERPObject | None:
    found = _find(tenant, origin_id)
    if found is None:
        return None
    jobs, sub_job_id = found
    matching = [
        s for s in _summaries_of_jobs(jobs, sub_job_id=sub_job_id) if s.origin_id == origin_id
    ]
    return matching[0] if matching else None


def job_costs_structure(tenant: str, origin_id: str) -> JobCostStructure | None:
    found = _find(tenant, origin_id)
    if found is None:
        return None
    jobs, sub_job_id = found
    matching = [r for r in _rows_of_jobs(jobs, sub_job_id=sub_job_id) if r.origin_id == origin_id]
    return _structure(matching[0], _cost_types(tenant)) if matching else None


def job_cost_biller_exists(tenant: str, origin_id: str) -> bool:
    """Whether the books hold a job or sub job with this ERP id (with cost codes or not)."""
    guid = _uuid_or_none(origin_id)
    if guid is None:
        return False
    return (
        DemoJob.objects.filter(tenant=tenant, guid=guid).exists()
        or DemoSubJob.objects.filter(tenant=tenant, guid=guid).exists()
    )
