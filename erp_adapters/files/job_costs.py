"""Job costs read from the ERP's ``job_costs.csv`` (or ``.xlsx``): per job and sub job (each a
"biller" of Procore cost codes), its cost codes and the cost types on each, with their amounts.

The file holds one row per cost type on a cost code opened on a job or sub job (a cost code
without cost types is one row with the cost type blank), and **the rows of one job together**
(an ERP's export sorted by ``job_erp_id`` is; the order inside a job's block is free, its sub
jobs' rows included). That is what keeps a listing linear and its memory bounded by one job:
``list()`` reads the file once, a job's block at a time, and yields the job's summaries when its
block ends. A job whose rows come back after another job's is refused (``FileRefused``: the whole
file, before anything is sent), since it cannot be told complete.

``structure(origin_id)`` during a listing answers from the block just read (the engine asks for
the rows of a biller right after its summary), so an import run of 1,000 jobs reads the file
once, not once per job; asked on its own (a job just created in Procore), it reads the file up
to the end of that job's block.

A bad row (a decimal with a thousands separator, a cost code that is not in cost_codes.csv) is
reported with its file, line and column, and its job is left out of this run (sending the job
without that row would delete the row's costs in Procore); the other jobs proceed. The codes
and names of cost codes come from cost_codes.csv, the codes of jobs and sub jobs from jobs.csv
and sub_jobs.csv (one short string per record, read once per listing).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from erp_adapters.base import (
    Entity,
    ERPObject,
    ERPUnavailable,
    JobCostCodeRow,
    JobCostRow,
    JobCostStructure,
    ListingProblems,
    job_cost_code_origin_id,
)
from erp_adapters.files import layouts
from erp_adapters.files.reading import FileRefused, Row, RowProblem

if TYPE_CHECKING:
    from erp_adapters.files.books import FilesBooks

ITEM_TYPE = "job_costs"
AMOUNTS = ("original_estimate", "estimate", "job_to_date_cost")


def digest(value: Any) -> str:
    """A short digest (20 hex characters) of a part, whatever the order of its rows."""
    return hashlib.blake2b(repr(sorted(value)).encode(), digest_size=10).hexdigest()


class Biller:
    """The rows of one job or sub job."""

    __slots__ = ("codes", "costs", "job", "sub_job")

    def __init__(self, job: str, sub_job: str | None) -> None:
        self.job, self.sub_job = job, sub_job
        self.codes: dict[str, tuple[str, str]] = {}  # cost code id -> (code, name)
        self.costs: dict[tuple[str, str], tuple[str | None, ...]] = {}

    @property
    def origin_id(self) -> str:
        return self.sub_job or self.job

    def summary(self, code: str) -> ERPObject:
        data = {
            "project_origin_id": self.job,
            "sub_job_origin_id": self.sub_job,
            "cost_codes": digest((k, *v) for k, v in self.codes.items()),
            "assignments": digest(self.costs),
            "job_costs": digest(
                (*k, *v) for k, v in self.costs.items() if any(a is not None for a in v)
            ),
        }
        return ERPObject(ITEM_TYPE, self.origin_id, code, data)

    def structure(self) -> JobCostStructure:
        holder = self.origin_id
        codes = tuple(
            JobCostCodeRow(job_cost_code_origin_id(holder, cost_code), code, name)
            for cost_code, (code, name) in sorted(self.codes.items(), key=lambda i: (i[1][0], i[0]))
        )
        rows = tuple(
            JobCostRow(job_cost_code_origin_id(holder, cost_code), cost_type, *amounts)
            for (cost_code, cost_type), amounts in sorted(self.costs.items())
        )
        return JobCostStructure(holder, self.job, self.sub_job, codes, rows)


def amounts(values: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """A pair's amounts: none at all (nothing estimated or posted), or all three, a blank one
    being zero (an estimate with nothing posted yet has a job-to-date cost of 0.00)."""
    if all(value is None for value in values):
        return values
    return tuple("0.00" if value is None else value for value in values)


class _Lists:
    """What the rows are checked against, read once per listing."""

    def __init__(self, adapter: FilesBooks) -> None:
        self.cost_codes: dict[str, tuple[str, str]] = {}
        for item in _rows(adapter, Entity.STANDARD_COST_CODES):
            self.cost_codes[item.values["erp_id"]] = (item.values["code"], item.values["name"])
        self.cost_types = adapter.erp_ids(Entity.STANDARD_CATEGORIES)
        self.codes: dict[str, str] = {}
        for item in _rows(adapter, Entity.JOBS):
            self.codes[item.values["erp_id"]] = item.values["code"]
        self.sub_jobs: dict[str, str] = {}
        for item in _rows(adapter, Entity.SUB_JOBS, optional=True):
            self.sub_jobs[item.values["erp_id"]] = item.values["job_erp_id"]
            job = self.codes.get(item.values["job_erp_id"], item.values["job_erp_id"])
            self.codes[item.values["erp_id"]] = f"{job}/{item.values['code']}"


def _rows(adapter: FilesBooks, entity: Entity, *, optional: bool = False) -> Iterator[Row]:
    try:
        reader = adapter.reader(entity)
    except ERPUnavailable:
        if optional:
            return
        raise
    try:
        for item in reader.rows():
            if isinstance(item, Row):
                yield item
    except OSError as exc:
        raise ERPUnavailable(f"The import file could not be read: {exc}") from exc


class Block:
    """The rows of one job read so far: its billers, and whether a bad row spoiled them."""

    def __init__(self, job: str) -> None:
        self.job = job
        self.billers: dict[str | None, Biller] = {}
        self.spoiled = False

    def add(self, values: dict[str, Any]) -> None:
        sub_job = values["sub_job_erp_id"]
        biller = self.billers.get(sub_job)
        if biller is None:
            biller = self.billers[sub_job] = Biller(self.job, sub_job)
        cost_code = values["cost_code_erp_id"]
        biller.codes.setdefault(cost_code, values["_code"])
        if values["cost_type_erp_id"] is not None:
            biller.costs[(cost_code, values["cost_type_erp_id"])] = amounts(
                tuple(layouts.money(values[name]) for name in AMOUNTS)
            )


class JobCostReader:
    """One pass over job_costs.csv, a job's block at a time."""

    def __init__(self, entity: Any) -> None:
        self.entity = entity
        self.adapter: FilesBooks = entity.adapter

    def blocks(self, problems: ListingProblems, lists: _Lists) -> Iterator[Block]:
        """Each job's block once read whole (spoiled ones included: the caller decides)."""
        name = self.entity.import_file().name
        seen: set[str] = set()
        block: Block | None = None
        for item in self.entity.items():
            key = item.values["job_erp_id"] if isinstance(item, Row) else item.key
            if key is None:  # a row that does not even say its job
                problems.add(item.as_unreadable())
                continue
            if block is None or key != block.job:
                if block is not None:
                    yield block
                if key in seen:
                    raise FileRefused(
                        f"{name}, line {item.line}: the rows of job {key} are not together "
                        "(they come back after another job's rows); export the file sorted "
                        "by job_erp_id."
                    )
                seen.add(key)
                block = Block(key)
            if isinstance(item, RowProblem):
                problems.add(item.as_unreadable())
                block.spoiled = True
                continue
            reason = self._check(item.values, lists)
            if reason is not None:
                column, text = reason
                problems.add(RowProblem(name, item.line, column, text, key).as_unreadable())
                block.spoiled = True
                continue
            block.add({**item.values, "_code": lists.cost_codes[item.values["cost_code_erp_id"]]})
        if block is not None:
            yield block

    @staticmethod
    def _check(values: dict[str, Any], lists: _Lists) -> tuple[str, str] | None:
        if values["job_erp_id"] not in lists.codes:
            return "job_erp_id", f"{values['job_erp_id']!r} is not a job of jobs.csv"
        sub_job = values["sub_job_erp_id"]
        if sub_job is not None and lists.sub_jobs.get(sub_job) != values["job_erp_id"]:
            return "sub_job_erp_id", f"{sub_job!r} is not a sub job of this job in sub_jobs.csv"
        if values["cost_code_erp_id"] not in lists.cost_codes:
            return (
                "cost_code_erp_id",
                f"{values['cost_code_erp_id']!r} is not a cost code of cost_codes.csv",
            )
        cost_type = values["cost_type_erp_id"]
        if cost_type is not None and cost_type not in lists.cost_types:
            return "cost_type_erp_id", f"{cost_type!r} is not a cost type of cost_types.csv"
        if cost_type is None and any(values[name] is not None for name in AMOUNTS):
            return "cost_type_erp_id", "amounts are given but no cost type"
        return None
