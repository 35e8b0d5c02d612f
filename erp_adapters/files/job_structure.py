"""The job cost structure through a file exchange: job costs read from ``job_costs.csv``, sub
jobs read from ``sub_jobs.csv`` and exported, jobs and sub jobs exported with their cost codes
and cost types, and the resets and deletes Procore asks for (budgets: ``budgets.py``).

Exports travel like every export of this adapter (``FileEntity.create``): one file, written
atomically into the outbox, the Request Detail in progress (``ERPPending``) until the ERP's
acknowledgement arrives. A job or sub job file carries one row per cost code and cost type it
opens; once answered, ``CreateResult.assignments`` are those cost types, for Procore to mark
synced.

Resets (``reset_job``, ``reset_sub_job``, ``delete_cost_code``) are told to the ERP by a notice
file in the outbox (``resets-…csv``: ``item_type,procore_id,erp_id``), which needs no answer: the
portal forgets the ties at once. A delete Procore asks for is refused when job_costs.csv shows
amounts on the cost code (or cost type), and otherwise handed over as a notice
(``deletions-…csv``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from django.utils import timezone

from erp_adapters.base import (
    AssignmentRef,
    ConstraintViolation,
    CostCodeDeletion,
    CostTypeAssignmentDeletion,
    CreateResult,
    Deletion,
    Entity,
    ERPObject,
    ERPUnavailable,
    ExternalLink,
    JobCostStructure,
    ListingProblems,
    ProcoreRef,
    job_cost_code_origin_id,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.files import layouts
from erp_adapters.files.entity import FileEntity, _as_int, _required
from erp_adapters.files.exchange import write_atomically
from erp_adapters.files.job_costs import Biller, Block, JobCostReader, _Lists
from erp_adapters.files.master_data import Jobs
from erp_adapters.files.models import FileExport
from erp_adapters.files.reading import RowProblem
from erp_adapters.money import NotAnAmount, amount
from erp_adapters.payload import as_dict, text

ASSIGNMENT = "cost_code_assignment"  # links marker: [ASSIGNMENT, cost code id, cost type id]
_notices = itertools.count(1)

# -- job costs --------------------------------------------------------------------------------


class JobCosts(FileEntity):
    """``Entity.JOB_COSTS``: listing only (``base.JobCostAdapter``); see ``job_costs``."""

    entity = Entity.JOB_COSTS
    item_type = "job_costs"
    what = "job costs"

    def __init__(self, adapter: Any) -> None:
        super().__init__(adapter)
        self._recent: tuple[Any, dict[str, tuple[Biller, str]]] | None = None

    def _stamp(self) -> Any:
        stat = self.import_file().stat()
        return (str(self.import_file()), stat.st_mtime_ns, stat.st_size)

    def list(self) -> Iterator[ERPObject]:
        self.listing_problems = problems = ListingProblems()
        lists = _Lists(self.adapter)
        stamp = self._stamp()
        for block in JobCostReader(self).blocks(problems, lists):
            if block.spoiled:
                self._recent = None
                continue
            found = {
                biller.origin_id: (biller, lists.codes.get(biller.origin_id, biller.origin_id))
                for biller in block.billers.values()
                if biller.codes
            }
            # The engine asks for the rows of a biller right after its summary: keep this job's.
            self._recent = (stamp, found)
            for biller, code in found.values():
                yield biller.summary(code)
        self._recent = None

    def _find(self, origin_id: str) -> tuple[Biller, str] | None:
        if self._recent is not None and self._recent[0] == self._stamp():
            found = self._recent[1].get(origin_id)
            if found is not None:
                return found
        lists = _Lists(self.adapter)
        job = lists.sub_jobs.get(origin_id, origin_id)
        if job not in lists.codes:
            return None
        # The whole file, so ``listing_problems`` tells whether a bad row names no job (it
        # might be this one's: the caller then deletes none of its job costs).
        self.listing_problems = problems = ListingProblems()
        found = None
        for block in JobCostReader(self).blocks(problems, lists):
            if block.job != job or block.spoiled:
                continue
            for biller in block.billers.values():
                if biller.origin_id == origin_id and biller.codes:
                    found = biller, lists.codes.get(origin_id, origin_id)
        return found

    def summary(self, origin_id: str) -> ERPObject | None:
        found = self._find(origin_id)
        return None if found is None else found[0].summary(found[1])

    def structure(self, origin_id: str) -> JobCostStructure | None:
        found = self._find(origin_id)
        return None if found is None else found[0].structure()

    def block_of(self, job: str) -> Block | None:
        """The rows of one job as the ERP holds them (None when it has none). A missing file is
        an outage (``ERPUnavailable``), never "no cost codes": a check must not refuse on it."""
        lists = _Lists(self.adapter)
        for block in JobCostReader(self).blocks(ListingProblems(), lists):
            if block.job == job:
                return block
        return None


# -- what job and sub job exports share -----------------------------------------------------------


def with_cost_code_ids(adapter: Any, payload: Any) -> Any:
    """The payload with each exported cost code naming the ERP's id of its standard cost code:
    Procore sends it when the cost code came from the ERP; a cost code made in Procore (a sub
    job's copy of its project's codes) is found in cost_codes.csv by its full code."""
    data = as_dict(payload)
    refs = [as_dict(ref) for ref in data.get("all_cost_codes") or []]
    if not refs or all(layouts.cost_code_erp_id(ref) for ref in refs):
        return payload
    try:
        reader = adapter.reader(Entity.STANDARD_COST_CODES)
        by_code = {
            item.values["code"]: item.values["erp_id"]
            for item in reader.rows()
            if not isinstance(item, RowProblem)
        }
    except OSError as exc:
        raise ERPUnavailable(f"The import file could not be read: {exc}") from exc
    resolved = []
    for ref in refs:
        if not layouts.cost_code_erp_id(ref):
            code = next(
                (
                    text(ref.get(key))
                    for key in ("full_code", "sortable_code", "code")
                    if text(ref.get(key)) in by_code
                ),
                "",
            )
            if code:
                ref = {**ref, "standard_cost_code_origin_id": by_code[code]}
        resolved.append(ref)
    return {**data, "all_cost_codes": resolved}


class OpensCostCodes:
    """Jobs and sub jobs: the export names each cost code by the ERP's id."""

    def check_create(self, payload: Any) -> list[str]:
        return super().check_create(with_cost_code_ids(self.adapter, payload))  # type: ignore[misc]

    def create(self, payload: Any) -> CreateResult:
        return super().create(with_cost_code_ids(self.adapter, payload))  # type: ignore[misc]


def structure_rules(adapter: Any, payload: dict[str, Any]) -> list[str]:
    """Every exported cost code, and every cost type on it, must be in the ERP's lists."""
    refs = [as_dict(ref) for ref in payload.get("all_cost_codes") or []]
    if not refs:
        return []
    codes = adapter.erp_ids(Entity.STANDARD_COST_CODES)
    types = adapter.erp_ids(Entity.STANDARD_CATEGORIES)
    problems = []
    for ref in refs:
        code = text(ref.get("full_code")) or text(ref.get("code"))
        if layouts.cost_code_erp_id(ref) not in codes:
            problems.append(
                f"Cost code {code} '{text(ref.get('name'))}' is not in the ERP's cost code list."
            )
            continue
        for item in map(as_dict, ref.get("line_item_types") or []):
            if text(item.get("origin_id")) not in types:
                problems.append(
                    f"Cost type '{text(item.get('name'))}' "
                    f"({text(item.get('code'))}) on cost code {code} is not in the ERP."
                )
    return problems


def structure_links(payload: dict[str, Any]) -> list[list[Any]]:
    """Each cost code (``job:<standard id>``) and each cost type assignment of the export."""
    links: list[list[Any]] = []
    for ref in map(as_dict, payload.get("all_cost_codes") or []):
        standard = layouts.cost_code_erp_id(ref)
        procore_id = _as_int(ref.get("id"))
        if not standard or procore_id is None:
            continue
        links.append(["cost_code", procore_id, f"job:{standard}"])
        for item in map(as_dict, ref.get("line_item_types") or []):
            type_id = _as_int(item.get("id"))
            if type_id is not None:
                links.append([ASSIGNMENT, procore_id, str(type_id)])
    return links


def with_assignments(entity: FileEntity, export: FileExport, created: bool) -> CreateResult:
    """``FileEntity.result``, the assignments kept apart from the External Data links."""
    stored = list(export.links or [])
    export.links = [link for link in stored if link[0] not in (ASSIGNMENT, "job")]
    result = FileEntity.result(entity, export, created=created)
    export.links = stored
    assignments = tuple(
        AssignmentRef(int(link[1]), int(link[2])) for link in stored if link[0] == ASSIGNMENT
    )
    return replace(result, assignments=assignments)


def _answered(entity: FileEntity, procore_id: int) -> FileExport | None:
    return (
        FileExport.objects.filter(
            outbox=entity.adapter.outbox_key,
            entity=entity.entity,
            procore_id=procore_id,
            state=FileExport.State.SUCCESS,
        )
        .order_by("-id")
        .first()
    )


def write_notice(adapter: Any, kind: str, rows: list[dict[str, str]]) -> None:
    """A notice the ERP imports and need not answer (resets, deletes), written atomically."""
    if not rows:
        return
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    name = f"{kind}-{stamp}-{next(_notices)}.csv"
    try:
        write_atomically(
            adapter.folder("outbox_folder"),
            name,
            rows,
            encoding=adapter.settings["encoding"],
            delimiter=adapter.settings["delimiter"],
        )
    except OSError as exc:
        raise ERPUnavailable(f"The outbox could not be written: {exc}") from exc


def release_exports(entity: FileEntity, procore_id: int, item_type: str) -> list[ExternalLink]:
    """Forget the ties of an answered export (a reset): its links, dropped; the export rows
    kept as history under ``<entity>:released``, so exporting the object again hands it over
    anew."""
    answered = _answered(entity, procore_id)
    if answered is None:
        return []
    result = with_assignments(entity, answered, created=False)
    dropped = [link for link in result.links if link.item_type in (item_type, "cost_code")]
    FileExport.objects.filter(
        outbox=entity.adapter.outbox_key, entity=entity.entity, procore_id=procore_id
    ).exclude(state__in=(FileExport.State.WAITING, FileExport.State.WRITING)).update(
        entity=f"{entity.entity}:released"[:32]
    )
    return dropped


def notice_rows(links: list[ExternalLink]) -> list[dict[str, str]]:
    return [
        {"item_type": link.item_type, "procore_id": str(link.item_id), "erp_id": link.origin_id}
        for link in links
    ]


# -- jobs -------------------------------------------------------------------------------------


class JobsWithCostCodes(OpensCostCodes, Jobs):
    """Jobs whose export file carries its cost codes and cost types, and the job's resets,
    deletes and ``get``."""

    export_rows = staticmethod(layouts.job_structure_export_rows)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        return super().rules(payload) + structure_rules(self.adapter, payload)

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        return [[self.item_type, procore_id, ""], *structure_links(payload)]

    def result(self, export: FileExport, *, created: bool) -> CreateResult:
        return with_assignments(self, export, created)

    def get(self, origin_id: str) -> ERPObject | None:
        for row in self.rows():
            if row.values["erp_id"] == origin_id:
                return self.to_object(row.values)
        return None

    def release(self, project: ProcoreRef) -> tuple[ExternalLink, ...]:
        """``reset_job``: the ties of the job, its sub jobs and their cost codes are dropped
        here and the ERP is told (a ``resets`` notice)."""
        ref = as_dict(project)
        procore_id = _as_int(ref.get("id"))
        if procore_id is None:
            return ()
        dropped = release_exports(self, procore_id, "project")
        if dropped:
            job = dropped[0].origin_id
            sub_jobs = self.adapter.entity(Entity.SUB_JOBS)
            for export in FileExport.objects.filter(
                outbox=self.adapter.outbox_key,
                entity=Entity.SUB_JOBS,
                state=FileExport.State.SUCCESS,
            ):
                if any(str(link[2]) == job for link in export.links or [] if link[0] == "job"):
                    dropped += release_exports(sub_jobs, export.procore_id, "sub_job")
        write_notice(self.adapter, "resets", notice_rows(dropped))
        return tuple(dropped)

    def release_cost_codes(self, origin_ids: list[str]) -> tuple[ExternalLink, ...]:
        """Procore deleted these project cost codes: the ERP keeps them without their Procore
        ids (told by a ``resets`` notice)."""
        wanted = set(map(str, origin_ids))
        dropped = []
        for export in FileExport.objects.filter(
            outbox=self.adapter.outbox_key,
            entity__in=(Entity.JOBS, Entity.SUB_JOBS),
            state=FileExport.State.SUCCESS,
        ):
            for link in export.links or []:
                if link[0] != "cost_code":
                    continue
                origin = job_cost_code_origin_id(export.erp_id, str(link[2]).removeprefix("job:"))
                if origin in wanted:
                    dropped.append(ExternalLink("cost_code", int(link[1]), origin))
        write_notice(self.adapter, "resets", notice_rows(dropped))
        return tuple(dropped)

    def delete_cost_code(self, item: CostCodeDeletion) -> Deletion:
        return _delete(self, as_dict(item), cost_type=None)

    def delete_cost_type_assignment(self, item: CostTypeAssignmentDeletion) -> Deletion:
        data = as_dict(item)
        return _delete(
            self,
            {**data, "origin_id": data.get("cost_code_origin_id")},
            cost_type=str(data.get("line_item_type_origin_id") or "?"),
        )


def _delete(entity: FileEntity, item: dict[str, Any], *, cost_type: str | None) -> Deletion:
    """Refused when job_costs.csv shows amounts on what is to go; otherwise a ``deletions``
    notice hands the delete to the ERP."""
    label = text(item.get("sortable_code")) or "the cost code"
    job = text(as_dict(item.get("project")).get("origin_id"))
    sub_job = text(as_dict(item.get("sub_job")).get("origin_id")) or None
    standard = standard_part_of_cost_code_origin_id(text(item.get("origin_id")))
    where = (
        f"sub job {as_dict(item.get('sub_job')).get('name') or sub_job}" if sub_job else "the job"
    )
    block = entity.adapter.entity(Entity.JOB_COSTS).block_of(job) if job else None
    biller = None if block is None else block.billers.get(sub_job)
    if biller is None or standard not in biller.codes:
        return Deletion(False, f"{label} on {where}")
    code = biller.codes[standard][0]
    pairs = {k: v for k, v in biller.costs.items() if k[0] == standard}
    if cost_type is not None:
        pairs = {k: v for k, v in pairs.items() if k[1] == cost_type}
        if not pairs:
            return Deletion(False, f"the cost type on cost code {code} of {where}")
        what = f"The cost type on cost code {code} of {where}"
    else:
        what = f"Cost code {code} on {where}"
    posted = sum((_number(v[2]) for v in pairs.values()), start=_number("0"))
    if posted:
        raise ConstraintViolation(
            [
                f"{what} has {posted:.2f} of costs posted in the ERP, so the ERP keeps it. "
                "Reverse or move those costs in the ERP first, then delete it again."
            ]
        )
    if any(_number(v[0]) or _number(v[1]) for v in pairs.values()):
        raise ConstraintViolation(
            [
                f"{what} carries estimates in the ERP, so the ERP keeps it. Remove them from "
                "the job's budget first, then delete it again."
            ]
        )
    write_notice(
        entity.adapter,
        "deletions",
        [
            {
                "job_erp_id": job,
                "sub_job_erp_id": sub_job or "",
                "cost_code_erp_id": standard,
                "cost_type_erp_id": cost_type or "",
                "procore_id": text(item.get("id")),
            }
        ],
    )
    return Deletion(True, what[:1].lower() + what[1:] if cost_type else what)


def _number(value: Any) -> Any:
    try:
        return amount(value)
    except NotAnAmount:
        return amount("0")


# -- sub jobs ---------------------------------------------------------------------------------


class SubJobs(OpensCostCodes, FileEntity):
    """``Entity.SUB_JOBS``: listed from sub_jobs.csv, exported with their cost codes."""

    entity = Entity.SUB_JOBS
    item_type = "sub_job"
    what = "sub job"
    payload_key = "sub_job"
    export_rows = staticmethod(layouts.sub_job_export_rows)

    def to_object(self, values: dict[str, Any]) -> ERPObject:
        return layouts.sub_job_object(values)

    def rules(self, payload: dict[str, Any]) -> list[str]:
        sub_job = self.header(payload)
        project = as_dict(sub_job.get("project"))
        problems = _required(sub_job, "name", "Sub job name")
        code = str(sub_job.get("code") or "").strip()
        if not code:
            problems.append(
                "Sub job code is required: enter the ERP's sub job code in Procore and export "
                "again."
            )
        job = str(project.get("origin_id") or "")
        if not job or not self.adapter.holds(Entity.JOBS, job):
            problems.append(
                f"Job '{project.get('name') or job or '(unknown)'}' is not in the ERP; export "
                "the project first."
            )
        elif code:
            for row in self.rows():
                if row.values["job_erp_id"] == job and row.values["code"] == code:
                    problems.append(
                        f"Sub job code '{code}' is already used on this job by "
                        f"'{row.values['name']}'. Enter another code and export again."
                    )
                    break
        return problems + structure_rules(self.adapter, payload)

    def links(self, payload: dict[str, Any], procore_id: int) -> list[list[Any]]:
        job = str(as_dict(self.header(payload).get("project")).get("origin_id") or "")
        return [[self.item_type, procore_id, ""], ["job", 0, job], *structure_links(payload)]

    def result(self, export: FileExport, *, created: bool) -> CreateResult:
        return with_assignments(self, export, created)

    def release(self, sub_job: ProcoreRef) -> tuple[ExternalLink, ...]:
        procore_id = _as_int(as_dict(sub_job).get("id"))
        if procore_id is None:
            return ()
        dropped = release_exports(self, procore_id, "sub_job")
        write_notice(self.adapter, "resets", notice_rows(dropped))
        return tuple(dropped)
