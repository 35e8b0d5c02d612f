"""A job's cost structure written to the ERP's database: the cost codes and cost types a job (or
sub job) export opens, the deletes and resets Procore asks for (sub jobs: ``sub_jobs.py``).

Opening cost codes needs the ``entities.job_costs.create`` (one row per cost code opened on a job
or sub job, with its Procore id) and ``create_lines`` (one row per cost type assigned there)
mappings; without them a job export only links its cost codes, as before. Everything an export
writes (the job or sub job, its cost codes, their cost types) is one transaction. The deletes
refuse, in the accountant's words, what carries posted costs or budget transactions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from erp_adapters.base import (
    AssignmentRef,
    ConstraintViolation,
    CostCodeDeletion,
    CostTypeAssignmentDeletion,
    CreateResult,
    Deletion,
    Entity,
    ERPObject,
    ExternalLink,
    ProcoreRef,
    job_cost_code_origin_id,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.money import amount as to_amount
from erp_adapters.money import shown
from erp_adapters.sql import listing, places
from erp_adapters.sql.fields import JOB_COST_AMOUNTS
from erp_adapters.sql.writing import Draft, Jobs, SqlEntity, as_dict, as_int, text

# -- opening exported cost codes ------------------------------------------------------------------


def check_cost_types(entity: SqlEntity, conn: Connection, draft: Draft, payload: Any) -> None:
    """Every cost type assigned to an exported cost code the ERP knows must be in the ERP."""
    for ref in map(as_dict, as_dict(payload).get("all_cost_codes") or []):
        if entity.adapter.cost_code(conn, ref) is None:
            continue  # already refused by the cost code check
        for item in map(as_dict, ref.get("line_item_types") or []):
            if _cost_type(entity, conn, item) is None:
                code = text(ref.get("full_code")) or text(ref.get("code"))
                draft.problems.append(
                    f"Cost type '{text(item.get('name'))}' ({text(item.get('code'))}) on cost "
                    f"code {code} is not in the ERP."
                )


def _cost_type(entity: SqlEntity, conn: Connection, item: dict[str, Any]) -> Row | None:
    return entity.known(conn, Entity.STANDARD_CATEGORIES, item, code=text(item.get("code")))


def opens_cost_codes(entity: SqlEntity) -> bool:
    return places.configured(entity.adapter, Entity.JOB_COSTS, "create") and places.configured(
        entity.adapter, Entity.JOB_COSTS, "create_lines"
    )


def open_cost_codes(
    entity: SqlEntity, conn: Connection, job: str, sub_job: str | None, refs: list[Any]
) -> list[AssignmentRef]:
    """Open each exported cost code on the job (or sub job) with its cost types, once (a second
    export finds them), inside the caller's transaction; the assignments Procore should mark
    synced. The caller has checked every reference."""
    codes = places.place(entity.adapter, Entity.JOB_COSTS, "create")
    types = places.place(entity.adapter, Entity.JOB_COSTS, "create_lines")
    assignments: list[AssignmentRef] = []
    for ref in map(as_dict, refs):
        standard = entity.adapter.cost_code(conn, ref)
        procore_id = as_int(ref.get("id"))
        if standard is None or procore_id is None:
            continue
        cost_code = str(standard._mapping["origin_id"])
        scope = {
            "project_origin_id": job,
            "sub_job_origin_id": sub_job,
            "cost_code_origin_id": cost_code,
        }
        opened = places.rows_matching(conn, codes, scope)
        if "procore_id" in codes.bind(conn):
            # A stale row holding this Procore id (a cost code deleted and re-made) lets go.
            places.update_matching(conn, codes, {"procore_id": procore_id}, {"procore_id": None})
        if not opened:
            places.put(conn, codes, {**scope, "procore_id": procore_id})
        else:
            places.update_matching(conn, codes, scope, {"procore_id": procore_id})
        assigned = {
            str(row._mapping["cost_type_origin_id"])
            for row in places.rows_matching(conn, types, scope)
        }
        for item in map(as_dict, ref.get("line_item_types") or []):
            cost_type = _cost_type(entity, conn, item)
            type_id = as_int(item.get("id"))
            if cost_type is None or type_id is None:
                continue
            cost_type_id = str(cost_type._mapping["origin_id"])
            if cost_type_id not in assigned:
                places.put(conn, types, {**scope, "cost_type_origin_id": cost_type_id})
                assigned.add(cost_type_id)
            assignments.append(AssignmentRef(procore_id, type_id))
    return assignments


def release_cost_codes_where(
    entity: SqlEntity, conn: Connection, criteria: dict[str, Any], holder: Any
) -> list[ExternalLink]:
    """Forget the Procore ids of the job cost codes matching ``criteria``; the ties dropped.
    ``holder(row)`` is the origin id of the job or sub job a row belongs to."""
    if not places.configured(entity.adapter, Entity.JOB_COSTS, "create"):
        return []
    codes = places.place(entity.adapter, Entity.JOB_COSTS, "create")
    if "procore_id" not in codes.bind(conn):
        return []
    dropped = [
        ExternalLink(
            "cost_code",
            int(row._mapping["procore_id"]),
            job_cost_code_origin_id(holder(row._mapping), str(row._mapping["cost_code_origin_id"])),
        )
        for row in places.rows_matching(conn, codes, criteria)
        if row._mapping["procore_id"] is not None
    ]
    if dropped:
        places.update_matching(conn, codes, criteria, {"procore_id": None})
    return dropped


def _holder(row: Any) -> str:
    return text(row.get("sub_job_origin_id")) or str(row["project_origin_id"])


class StructureWriter:
    """What jobs and sub jobs share: opening cost codes with the header, and the result."""

    def write(self: Any, conn: Connection, draft: Draft) -> Any:
        header = super().write(conn, draft)  # type: ignore[misc]
        self.open_structure(conn, draft, str(header["origin_id"]))
        return header

    def result(
        self: Any, conn: Connection, row: Any, *, created: bool, draft: Draft
    ) -> CreateResult:
        result = super().result(conn, row, created=created, draft=draft)  # type: ignore[misc]
        return self.with_assignments(result, draft)

    def check_structure(self: Any, conn: Connection, draft: Draft, payload: Any) -> None:
        draft.structure = list(as_dict(payload).get("all_cost_codes") or [])  # type: ignore[attr-defined]
        check_cost_types(self, conn, draft, payload)

    def open_structure(self: Any, conn: Connection, draft: Draft, origin_id: str) -> None:
        job, sub_job = self.scope_of(draft, origin_id)
        draft.assignments = (  # type: ignore[attr-defined]
            open_cost_codes(self, conn, job, sub_job, getattr(draft, "structure", []))
            if opens_cost_codes(self)
            else []
        )

    def with_assignments(self: Any, result: CreateResult, draft: Draft) -> CreateResult:
        assignments = tuple(getattr(draft, "assignments", ()))
        return CreateResult(
            result.origin_id, result.origin_code, result.created, result.links, assignments
        )


# -- jobs -----------------------------------------------------------------------------------------


class JobsWithCostCodes(StructureWriter, Jobs):
    """Jobs whose export also opens its cost codes and cost types in the ERP (when job costs'
    writes are mapped), and the job's resets and deletes."""

    def draft(self, conn: Connection, payload: Any) -> Draft:
        draft = super().draft(conn, payload)
        self.check_structure(conn, draft, payload)
        return draft

    def scope_of(self, draft: Draft, origin_id: str) -> tuple[str, None]:
        return origin_id, None

    def open_existing(self, conn: Connection, draft: Draft, origin_id: str) -> None:
        self.open_structure(conn, draft, origin_id)

    # -- what the engine asks of a job besides creating it ---------------------------------------

    def get(self, origin_id: str) -> ERPObject | None:
        """One job exactly as ``list`` gives it (``sync_single_job``)."""
        with self._connection("reading a job", part="list") as conn:
            row = self.adapter.source(self.entity, "list").find(conn, "origin_id", origin_id)
            conn.rollback()
        if row is None:
            return None
        return listing.one(self.adapter, Entity.JOBS, dict(row._mapping))

    def _job_row(self, conn: Connection, ref: dict[str, Any]) -> Row | None:
        return self.known(conn, Entity.JOBS, ref)

    def release(self, project: ProcoreRef) -> tuple[ExternalLink, ...]:
        """``reset_job``: the job, its sub jobs and cost codes keep their rows, without Procore
        ids."""
        ref = as_dict(project)
        with self._connection("resetting a job") as conn:
            job = self._job_row(conn, ref)
            if job is None:
                conn.rollback()
                return ()
            job_id = str(job._mapping["origin_id"])
            with conn.begin_nested() if conn.in_transaction() else conn.begin():
                dropped = _release_header(self, conn, "project", {"origin_id": job_id})
                if places.configured(self.adapter, Entity.SUB_JOBS, "create"):
                    dropped += _release_header(
                        self.adapter.sub_jobs,  # type: ignore[attr-defined]
                        conn,
                        "sub_job",
                        {"project_origin_id": job_id},
                    )
                dropped += release_cost_codes_where(
                    self, conn, {"project_origin_id": job_id}, _holder
                )
            conn.commit()
        return tuple(dropped)

    def release_cost_codes(self, origin_ids: list[str]) -> tuple[ExternalLink, ...]:
        """``delete_cost_code``: Procore deleted these project cost codes; the ERP keeps them
        without their Procore ids. Each id is ``<job or sub job>|<standard cost code>``."""
        dropped: list[ExternalLink] = []
        with self._connection("releasing cost codes") as conn, conn.begin():
            for origin_id in origin_ids:
                holder, _, standard = text(origin_id).rpartition("|")
                if not holder or not standard:
                    continue
                for criteria in (
                    {"sub_job_origin_id": holder, "cost_code_origin_id": standard},
                    {
                        "project_origin_id": holder,
                        "sub_job_origin_id": None,
                        "cost_code_origin_id": standard,
                    },
                ):
                    dropped += release_cost_codes_where(self, conn, criteria, _holder)
        return tuple(dropped)

    def delete_cost_code(self, item: CostCodeDeletion) -> Deletion:
        return _delete(self, as_dict(item), cost_type_origin_id=None)

    def delete_cost_type_assignment(self, item: CostTypeAssignmentDeletion) -> Deletion:
        data = as_dict(item)
        return _delete(
            self,
            {**data, "origin_id": data.get("cost_code_origin_id")},
            cost_type_origin_id=text(data.get("line_item_type_origin_id")) or "?",
        )


def _release_header(
    entity: SqlEntity, conn: Connection, item_type: str, criteria: dict[str, Any]
) -> list[ExternalLink]:
    target = entity.adapter.target(entity.entity, "create")
    if target.procedure:
        return []
    rows = places.rows_matching(conn, target, criteria)
    dropped = [
        ExternalLink(item_type, int(row._mapping["procore_id"]), str(row._mapping["origin_id"]))
        for row in rows
        if row._mapping.get("procore_id") is not None
    ]
    if dropped:
        places.update_matching(conn, target, criteria, {"procore_id": None})
    return dropped


def _scope(entity: SqlEntity, conn: Connection, item: dict[str, Any]) -> tuple[Row | None, Any]:
    """The job and the sub job (None: the job's own cost codes) a delete names."""
    job = entity.known(conn, Entity.JOBS, as_dict(item.get("project")))
    sub_ref = as_dict(item.get("sub_job"))
    sub_job = None
    if sub_ref and (sub_ref.get("origin_id") or sub_ref.get("id")):
        sub_job = entity.known(conn, Entity.SUB_JOBS, sub_ref) if _has_sub_jobs(entity) else None
        if sub_job is None:
            return None, None
    return job, sub_job


def _has_sub_jobs(entity: SqlEntity) -> bool:
    return places.configured(entity.adapter, Entity.SUB_JOBS, "list")


def _delete(
    entity: SqlEntity, item: dict[str, Any], *, cost_type_origin_id: str | None
) -> Deletion:
    """Delete a job cost code (``cost_type_origin_id`` None) or one cost type on it, unless it
    carries posted costs or budget transactions."""
    label = text(item.get("sortable_code")) or "the cost code"
    codes = places.place(entity.adapter, Entity.JOB_COSTS, "create")
    types = places.place(entity.adapter, Entity.JOB_COSTS, "create_lines")
    with entity._connection("deleting a cost code", part="create") as conn:
        job, sub_job = _scope(entity, conn, item)
        if job is None:
            conn.rollback()
            return Deletion(False, label)
        job_code = text(job._mapping.get("origin_code"))
        where = (
            f"sub job {text(sub_job._mapping.get('origin_code'))} of job {job_code}"
            if sub_job is not None
            else f"job {job_code}"
        )
        scope = {
            "project_origin_id": str(job._mapping["origin_id"]),
            "sub_job_origin_id": None if sub_job is None else str(sub_job._mapping["origin_id"]),
        }
        row = None
        procore_id = as_int(item.get("id")) if cost_type_origin_id is None else None
        if procore_id is not None and "procore_id" in codes.bind(conn):
            found = places.rows_matching(conn, codes, {**scope, "procore_id": procore_id})
            row = found[0] if found else None
        if row is None:
            standard = standard_part_of_cost_code_origin_id(text(item.get("origin_id")))
            found = places.rows_matching(conn, codes, {**scope, "cost_code_origin_id": standard})
            row = found[0] if found else None
        if row is None:
            conn.rollback()
            return Deletion(False, f"{label} on {where}")
        cost_code = str(row._mapping["cost_code_origin_id"])
        standard_row = entity.adapter.lookup(
            conn, Entity.STANDARD_COST_CODES, {"origin_id": cost_code}
        )
        code = text(standard_row._mapping.get("origin_code")) if standard_row else label
        criteria = {**scope, "cost_code_origin_id": cost_code}
        if cost_type_origin_id is not None:
            criteria["cost_type_origin_id"] = cost_type_origin_id
            if not places.rows_matching(conn, types, criteria):
                conn.rollback()
                return Deletion(False, f"cost type on cost code {code} of {where}")
            what = f"The cost type on cost code {code} of {where}"
        else:
            what = f"Cost code {code} on {where}"
        _keep_if_used(entity, conn, what, types, criteria)
        with conn.begin_nested():
            places.delete_matching(conn, types, criteria)
            if cost_type_origin_id is None:
                places.delete_matching(conn, codes, criteria)
        conn.commit()
    done = what[:1].lower() + what[1:] if cost_type_origin_id is not None else what
    return Deletion(True, done)


def _keep_if_used(
    entity: SqlEntity, conn: Connection, what: str, types: Any, criteria: dict[str, Any]
) -> None:
    mapping = types.bind(conn)
    posted = sum(
        (
            to_amount(row._mapping.get("job_to_date_cost"))
            for row in places.rows_matching(conn, types, criteria)
        ),
        start=to_amount(0),
    )
    has_amounts = any(
        row._mapping.get(name) not in (None, 0)
        for row in places.rows_matching(conn, types, criteria)
        for name in JOB_COST_AMOUNTS
        if name in mapping and name != "job_to_date_cost"
    )
    if posted:
        conn.rollback()
        raise ConstraintViolation(
            [
                f"{what} has {shown(posted)} of costs posted in the ERP, so the ERP keeps it. "
                "Reverse or move those costs in the ERP first, then delete it again."
            ]
        )
    budgeted = has_amounts
    if places.configured(entity.adapter, Entity.BUDGETS, "create_lines"):
        transactions = places.place(entity.adapter, Entity.BUDGETS, "create_lines")
        if transactions.table_name:
            budgeted = budgeted or bool(places.rows_matching(conn, transactions, criteria))
    if budgeted:
        conn.rollback()
        raise ConstraintViolation(
            [
                f"{what} is on the job's budget in the ERP, so the ERP keeps it. Remove it "
                "from the budget first, then delete it again."
            ]
        )
