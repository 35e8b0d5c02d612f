"""Sub jobs in the ERP's database (``create_sub_job``, ``reset_sub_job``, ``sync_sub_jobs``):
listed like any entity, created under a job the ERP holds with their own cost codes and cost
types (``job_structure``), in one transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection, Row

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    Entity,
    ExternalLink,
    ProcoreRef,
)
from erp_adapters.sql import places
from erp_adapters.sql.job_structure import (
    StructureWriter,
    _holder,
    _release_header,
    release_cost_codes_where,
)
from erp_adapters.sql.writing import Draft, OpensCostCodes, SqlEntity, as_dict, as_int, text


class SubJobs(StructureWriter, OpensCostCodes, SqlEntity):
    """``create_sub_job``: a sub job under a job the ERP holds, with its own cost codes."""

    entity = Entity.SUB_JOBS
    payload_key = "sub_job"
    item_type = "sub_job"

    def draft(self, conn: Connection, payload: Any) -> Draft:
        sub_job = self.header(payload)
        draft = Draft(as_int(sub_job.get("id")), {})
        if not sub_job:
            draft.problems.append("The export carries no sub job.")
            return draft
        project = as_dict(sub_job.get("project"))
        job = self.known(conn, Entity.JOBS, project)
        draft.values = {
            "procore_id": draft.procore_id,
            "origin_code": text(sub_job.get("code")),
            "name": text(sub_job.get("name")),
            "project_origin_id": None if job is None else str(job._mapping["origin_id"]),
        }
        if job is None:
            draft.problems.append(
                f"Job '{text(project.get('name')) or '(unknown)'}' is not in the ERP; export "
                "the project first."
            )
        self.check_values(conn, draft, ("name",))
        code = draft.values["origin_code"]
        if not code:
            draft.problems.append(
                "Sub job code is missing; the ERP requires it. Enter the ERP sub job code in "
                "Procore and export again."
            )
        elif job is not None:
            for place in self._places():
                taken = places.rows_matching(
                    conn,
                    place,
                    {"origin_code": code, "project_origin_id": draft.values["project_origin_id"]},
                )
                if taken:
                    draft.problems.append(
                        f"Sub job code '{code}' is already used on job "
                        f"{text(job._mapping.get('origin_code'))} by "
                        f"'{text(taken[0]._mapping.get('name'))}'. Enter another code and "
                        "export again."
                    )
                    break
        self.check_cost_codes(conn, draft, payload)
        self.check_structure(conn, draft, payload)
        return draft

    def _places(self) -> list[Any]:
        target = self.adapter.target(self.entity, "create")
        found = [self.adapter.source(self.entity, "list")]
        return found if target.procedure else [*found, target]

    def scope_of(self, draft: Draft, origin_id: str) -> tuple[str, str]:
        return str(draft.values["project_origin_id"]), origin_id

    def after_existing(self, conn: Connection, payload: Any, row: Row) -> CreateResult:
        """The sub job is in the ERP: open any cost codes added since."""
        draft = self.draft(conn, payload)
        conn.rollback()
        problems = [p for p in draft.problems if not p.startswith("Sub job code '")]
        if problems:
            raise ConstraintViolation(problems)
        draft.values["project_origin_id"] = str(row._mapping["project_origin_id"])
        with conn.begin():
            self.open_structure(conn, draft, str(row._mapping["origin_id"]))
        return self.result(conn, row, created=False, draft=draft)

    def check_create(self, payload: Any) -> list[str]:
        with self._connection("checking a sub job export") as conn:
            procore_id = as_int(self.header(payload).get("id"))
            draft = self.draft(conn, payload)
            if procore_id is not None and self.existing(conn, procore_id) is not None:
                return [p for p in draft.problems if not p.startswith("Sub job code '")]
            return draft.problems

    def release(self, sub_job: ProcoreRef) -> tuple[ExternalLink, ...]:
        """``reset_sub_job``: the sub job and its cost codes stay, without Procore ids."""
        with self._connection("resetting a sub job") as conn:
            row = self.known(conn, Entity.SUB_JOBS, as_dict(sub_job))
            if row is None:
                conn.rollback()
                return ()
            origin_id = str(row._mapping["origin_id"])
            with conn.begin_nested() if conn.in_transaction() else conn.begin():
                dropped = _release_header(self, conn, "sub_job", {"origin_id": origin_id})
                dropped += release_cost_codes_where(
                    self, conn, {"sub_job_origin_id": origin_id}, _holder
                )
            conn.commit()
        return tuple(dropped)
