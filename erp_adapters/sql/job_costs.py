"""Job costs read from the ERP's database: per job and sub job (each a "biller" of Procore cost
codes), the cost codes opened on it and the cost types on each, with their amounts.

Two mappings: ``entities.job_costs.list`` gives one row per cost code opened on a job or sub job,
``entities.job_costs.list_lines`` one row per cost type on such a cost code (with the original
estimate, estimate and job-to-date cost; empty when nothing is posted). The listing streams the
first ordered by job through a server-side cursor and reads the second one page of jobs at a
time (one ``IN`` query per page of about ``fetch_size`` cost code rows), so memory is bounded by
a page of jobs however large the books. ``summary`` and ``structure`` read one biller's rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from erp_adapters.base import (
    Entity,
    ERPObject,
    JobCostCodeRow,
    JobCostRow,
    JobCostStructure,
    job_cost_code_origin_id,
)
from erp_adapters.sql import places
from erp_adapters.sql.database import connected
from erp_adapters.sql.fields import JOB_COST_AMOUNTS, MONEY, to_json
from erp_adapters.sql.listing import read_only

if TYPE_CHECKING:
    from erp_adapters.sql.books import SqlBooks

ITEM_TYPE = "job_costs"
Biller = tuple[str, str | None]  # (job origin id, sub job origin id or None)


def _id(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def digest(value: Any) -> str:
    """A short digest (20 hex characters) of a part: its rows sorted, so the order the
    database returns them in does not matter."""
    return hashlib.blake2b(repr(sorted(value)).encode(), digest_size=10).hexdigest()


class _Biller:
    __slots__ = ("codes", "costs", "key")

    def __init__(self, key: Biller) -> None:
        self.key = key
        self.codes: list[tuple[str, str, str]] = []  # (standard cost code id, code, name)
        self.costs: list[tuple[str, str, str | None, str | None, str | None]] = []

    @property
    def origin_id(self) -> str:
        return self.key[1] or self.key[0]


def _amounts(row: Any) -> tuple[str | None, ...]:
    """A pair's amounts: none at all (nothing estimated or posted), or all three, an empty one
    being zero (an estimate with nothing posted yet has a job-to-date cost of 0.00)."""
    values = tuple(to_json(row.get(name), MONEY) for name in JOB_COST_AMOUNTS)
    if all(value is None for value in values):
        return values
    return tuple("0.00" if value is None else value for value in values)


class JobCosts:
    """``Entity.JOB_COSTS`` of the SQL adapter (``base.JobCostAdapter``)."""

    entity = Entity.JOB_COSTS

    def __init__(self, adapter: SqlBooks) -> None:
        self.adapter = adapter

    def mappings(self) -> list[Any]:
        """What the health check binds: the two listings, and the writes when mapped."""
        return [
            places.place(self.adapter, self.entity, part)
            for part in ("list", "list_lines", "create", "create_lines")
            if part in ("list", "list_lines") or places.configured(self.adapter, self.entity, part)
        ]

    # -- listing ---------------------------------------------------------------------------------

    def list(self) -> Iterator[ERPObject]:
        """One summary per biller with cost codes, a page of jobs at a time."""
        codes = places.place(self.adapter, self.entity, "list")
        url = self.adapter.url
        with (
            connected(
                self.adapter.engine, what="listing job costs", setting=codes.setting, url=url
            ) as conn,
            read_only(conn),
        ):
            lines = places.place(self.adapter, self.entity, "list_lines")
            places.bind(conn, codes, what="listing job costs", url=url)
            places.bind(conn, lines, what="listing job costs", url=url)
            statement = places.select_matching(
                conn, codes, {}, order=("project_origin_id", "sub_job_origin_id")
            )
            result = conn.execution_options(
                stream_results=True, yield_per=self.adapter.fetch_size
            ).execute(statement)
            keys = tuple(result.keys())
            page: dict[Biller, _Biller] = {}
            jobs: list[str] = []
            rows_in_page = 0
            for values in result:
                row = dict(zip(keys, values, strict=True))
                job = str(row["project_origin_id"])
                if not jobs or jobs[-1] != job:
                    if rows_in_page >= self.adapter.fetch_size:
                        yield from self._summaries(conn, page, jobs)
                        page, jobs, rows_in_page = {}, [], 0
                    jobs.append(job)
                self._add_code(page, row)
                rows_in_page += 1
            yield from self._summaries(conn, page, jobs)

    def _add_code(self, billers: dict[Biller, _Biller], row: dict[str, Any]) -> None:
        key = (str(row["project_origin_id"]), _id(row.get("sub_job_origin_id")))
        biller = billers.get(key)
        if biller is None:
            biller = billers[key] = _Biller(key)
        biller.codes.append(
            (str(row["cost_code_origin_id"]), str(row["code"]), to_json(row["name"], "text"))
        )

    def _add_costs(self, conn: Connection, billers: dict[Biller, _Biller], statement: Any) -> None:
        result = conn.execute(statement)
        keys = tuple(result.keys())
        for values in result:
            row = dict(zip(keys, values, strict=True))
            key = (str(row["project_origin_id"]), _id(row.get("sub_job_origin_id")))
            biller = billers.get(key)
            if biller is not None:
                biller.costs.append(
                    (
                        str(row["cost_code_origin_id"]),
                        str(row["cost_type_origin_id"]),
                        *_amounts(row),
                    )
                )

    def _summaries(
        self, conn: Connection, billers: dict[Biller, _Biller], jobs: list[str]
    ) -> list[ERPObject]:
        if not billers:
            return []
        lines = places.place(self.adapter, self.entity, "list_lines")
        self._add_costs(conn, billers, places.select_in(conn, lines, "project_origin_id", jobs))
        codes = self._codes(conn, jobs, billers)
        return [self._summary(biller, codes) for biller in billers.values()]

    def _codes(
        self, conn: Connection, jobs: list[str], billers: dict[Biller, _Biller]
    ) -> dict[str, str]:
        """The codes a person sees for these jobs and sub jobs (one query each)."""
        found: dict[str, str] = {}
        source = self.adapter.source(Entity.JOBS, "list")
        for row in conn.execute(places.select_in(conn, source, "origin_id", jobs)):
            found[str(row._mapping["origin_id"])] = str(row._mapping["origin_code"])
        sub_jobs = [key[1] for key in billers if key[1]]
        if sub_jobs and places.configured(self.adapter, Entity.SUB_JOBS, "list"):
            source = self.adapter.source(Entity.SUB_JOBS, "list")
            for row in conn.execute(places.select_in(conn, source, "origin_id", sub_jobs)):
                job = found.get(str(row._mapping["project_origin_id"]), "")
                found[str(row._mapping["origin_id"])] = f"{job}/{row._mapping['origin_code']}"
        return found

    def _summary(self, biller: _Biller, codes: dict[str, str]) -> ERPObject:
        job, sub_job = biller.key
        data = {
            "project_origin_id": job,
            "sub_job_origin_id": sub_job,
            "cost_codes": digest(biller.codes),
            "assignments": digest(row[:2] for row in biller.costs),
            "job_costs": digest(row for row in biller.costs if any(v is not None for v in row[2:])),
        }
        origin_id = biller.origin_id
        return ERPObject(ITEM_TYPE, origin_id, codes.get(origin_id, origin_id), data)

    # -- one biller ------------------------------------------------------------------------------

    def _biller(self, conn: Connection, origin_id: str) -> Biller | None:
        """(job, sub job) of a job's or sub job's origin id; None when the ERP has neither."""
        row = self.adapter.source(Entity.JOBS, "list").find(conn, "origin_id", origin_id)
        if row is not None:
            return str(origin_id), None
        if places.configured(self.adapter, Entity.SUB_JOBS, "list"):
            row = self.adapter.source(Entity.SUB_JOBS, "list").find(conn, "origin_id", origin_id)
            if row is not None:
                return str(row._mapping["project_origin_id"]), str(origin_id)
        return None

    def _read(self, origin_id: str) -> tuple[_Biller, dict[str, str]] | None:
        codes = places.place(self.adapter, self.entity, "list")
        lines = places.place(self.adapter, self.entity, "list_lines")
        url = self.adapter.url
        with (
            connected(
                self.adapter.engine, what="reading job costs", setting=codes.setting, url=url
            ) as conn,
            read_only(conn),
        ):
            places.bind(conn, codes, what="reading job costs", url=url)
            places.bind(conn, lines, what="reading job costs", url=url)
            key = self._biller(conn, origin_id)
            if key is None:
                return None
            criteria = {"project_origin_id": key[0], "sub_job_origin_id": key[1]}
            biller = _Biller(key)
            for row in places.rows_matching(conn, codes, criteria):
                self._add_code({key: biller}, dict(row._mapping))
            if not biller.codes:
                return None
            self._add_costs(conn, {key: biller}, places.select_matching(conn, lines, criteria))
            return biller, self._codes(conn, [key[0]], {key: biller})

    def summary(self, origin_id: str) -> ERPObject | None:
        found = self._read(origin_id)
        return None if found is None else self._summary(*found)

    def structure(self, origin_id: str) -> JobCostStructure | None:
        found = self._read(origin_id)
        if found is None:
            return None
        biller = found[0]
        holder = biller.origin_id
        cost_codes = tuple(
            JobCostCodeRow(job_cost_code_origin_id(holder, standard), code, name)
            for standard, code, name in sorted(biller.codes, key=lambda c: (c[1], c[0]))
        )
        rows = tuple(
            JobCostRow(job_cost_code_origin_id(holder, standard), cost_type, *amounts)
            for standard, cost_type, *amounts in sorted(biller.costs, key=lambda c: c[:2])
        )
        return JobCostStructure(holder, biller.key[0], biller.key[1], cost_codes, rows)
