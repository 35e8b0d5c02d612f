"""Budgets exported from Procore into the ERP's database (``create_budget``/``update_budget``).

``entities.budgets.create`` is the job's budget (one row per job, with Procore's budget id);
``entities.budgets.create_lines`` one row per transaction posted to it, keyed by Procore's
transaction id (give that column a unique constraint): a re-delivered export, or a re-export
carrying transactions the ERP already holds, posts none of them twice. The budget and every new
transaction are written in one transaction: a transaction the database refuses leaves nothing
of the export behind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import DataError, IntegrityError

from erp_adapters.base import (
    BudgetExport,
    BudgetResult,
    ConstraintViolation,
    Entity,
    ExternalLink,
    TransactionLink,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.sql import places
from erp_adapters.sql.database import connected, describe
from erp_adapters.sql.fields import parse_decimal
from erp_adapters.sql.writing import as_dict, as_int, text

if TYPE_CHECKING:
    from erp_adapters.sql.books import SqlBooks

ORIGINAL_ESTIMATE = "Erp::OriginalEstimateTransaction"
LIMIT = Decimal(10) ** 12


class _Plan:
    """A budget export resolved against the ERP: the job, and per Procore job cost id the cost
    code, cost type and sub job of its budget line; ``problems`` when any is missing."""

    def __init__(self, budgets: Budgets, conn: Connection, payload: Any) -> None:
        adapter = budgets.adapter
        self.data = as_dict(payload)
        self.budget = as_dict(self.data.get("budget"))
        self.problems: list[str] = []
        self.lines: dict[int, dict[str, Any]] = {}
        self.job = adapter.lookup(
            conn, Entity.JOBS, {"origin_id": self.data.get("job_id"), "id": None}
        )
        if self.job is None and as_int(self.budget.get("project_id")) is not None:
            self.job = adapter.lookup(conn, Entity.JOBS, {"id": self.budget.get("project_id")})
        if self.job is None:
            self.problems.append("The budget's job is not in the ERP; export the project first.")
            return
        self.job_id = str(self.job._mapping["origin_id"])
        self.job_code = text(self.job._mapping.get("origin_code")) or self.job_id
        if as_int(self.budget.get("id")) is None:
            self.problems.append("The export carries no Procore id for the budget.")
        for job_cost in map(as_dict, self.data.get("job_costs") or []):
            self._resolve(budgets, conn, job_cost)
        for item in map(as_dict, self.data.get("transactions") or []):
            value = parse_decimal(item.get("value"))
            if value is None:
                self.problems.append(f"Transaction amount '{item.get('value')}' is not a number.")
            elif abs(value) >= LIMIT:
                self.problems.append("A transaction amount is larger than the ERP allows.")
            if as_int(item.get("id")) is None:
                self.problems.append("A transaction carries no Procore id.")
            if as_int(item.get("job_cost_id")) not in self.lines:
                self.problems.append(
                    f"Transaction {item.get('id')} names a budget line the export does not carry."
                )

    def _resolve(self, budgets: Budgets, conn: Connection, job_cost: dict[str, Any]) -> None:
        adapter = budgets.adapter
        job_cost_id = as_int(job_cost.get("id"))
        if job_cost_id is None:
            self.problems.append("A budget line carries no Procore job cost id.")
            return
        sub_job = None
        sub_ref = text(job_cost.get("sub_job_origin_id"))
        if sub_ref:
            found = (
                adapter.lookup(conn, Entity.SUB_JOBS, {"origin_id": sub_ref})
                if places.configured(adapter, Entity.SUB_JOBS, "list")
                else None
            )
            if found is None or str(found._mapping["project_origin_id"]) != self.job_id:
                self.problems.append(
                    f"A budget line's sub job is not on job {self.job_code} in the ERP; export "
                    "the sub job first."
                )
                return
            sub_job = str(found._mapping["origin_id"])
        standard = standard_part_of_cost_code_origin_id(text(job_cost.get("cost_code_origin_id")))
        cost_code = adapter.lookup(conn, Entity.STANDARD_COST_CODES, {"origin_id": standard})
        where = f"sub job {sub_ref} of job {self.job_code}" if sub_job else f"job {self.job_code}"
        if cost_code is None or not self._opened(budgets, conn, sub_job, standard):
            self.problems.append(
                f"A budget line's cost code is not on {where} in the ERP; export the job's cost "
                "codes first."
            )
            return
        cost_type = adapter.lookup(
            conn,
            Entity.STANDARD_CATEGORIES,
            {"origin_id": text(job_cost.get("line_item_type_origin_id"))},
        )
        if cost_type is None:
            self.problems.append(
                f"A budget line on cost code {text(cost_code._mapping.get('origin_code'))} has a "
                "cost type the ERP does not know."
            )
            return
        self.lines[job_cost_id] = {
            "project_origin_id": self.job_id,
            "sub_job_origin_id": sub_job,
            "cost_code_origin_id": str(cost_code._mapping["origin_id"]),
            "cost_type_origin_id": str(cost_type._mapping["origin_id"]),
            "procore_job_cost_id": job_cost_id,
        }

    def _opened(self, budgets: Budgets, conn: Connection, sub_job: str | None, code: str) -> bool:
        """Whether the cost code is open on the job (or sub job), when the ERP's job cost
        codes are mapped; any cost code of the ERP's list otherwise."""
        if not places.configured(budgets.adapter, Entity.JOB_COSTS, "list"):
            return True
        source = places.place(budgets.adapter, Entity.JOB_COSTS, "list")
        criteria = {
            "project_origin_id": self.job_id,
            "sub_job_origin_id": sub_job,
            "cost_code_origin_id": code,
        }
        return bool(places.rows_matching(conn, source, criteria))


class Budgets:
    """``Entity.BUDGETS`` of the SQL adapter (``base.BudgetAdapter``)."""

    entity = Entity.BUDGETS

    def __init__(self, adapter: SqlBooks) -> None:
        self.adapter = adapter

    def mappings(self) -> list[Any]:
        return [places.place(self.adapter, self.entity, p) for p in ("create", "create_lines")]

    def _connection(self, what: str, part: str = "create") -> Any:
        return connected(
            self.adapter.engine,
            what=what,
            setting=f"entities.budgets.{part}",
            url=self.adapter.url,
        )

    def _bind(self, conn: Connection) -> tuple[Any, Any]:
        header = places.place(self.adapter, self.entity, "create")
        lines = places.place(self.adapter, self.entity, "create_lines")
        for where in (header, lines):
            places.bind(conn, where, what="posting a budget", url=self.adapter.url)
        return header, lines

    def check_export(self, payload: BudgetExport) -> list[str]:
        with self._connection("checking a budget export") as conn:
            self._bind(conn)
            problems = _Plan(self, conn, payload).problems
            conn.rollback()
        return list(dict.fromkeys(problems))

    def _budget_of(self, conn: Connection, header: Any, job_id: str) -> Row | None:
        found = places.rows_matching(conn, header, {"project_origin_id": job_id})
        return found[0] if found else None

    def export(self, payload: BudgetExport) -> BudgetResult:
        """Find or create the job's budget and post each transaction not yet posted, all in
        one transaction."""
        with self._connection("posting a budget") as conn:
            header, lines = self._bind(conn)
            plan = _Plan(self, conn, payload)
            conn.rollback()
            if plan.problems:
                raise ConstraintViolation(list(dict.fromkeys(plan.problems)))
            procore_id = as_int(plan.budget.get("id"))
            transactions = [as_dict(item) for item in plan.data.get("transactions") or []]
            try:
                with conn.begin():
                    budget = self._budget_of(conn, header, plan.job_id)
                    created = budget is None
                    if created:
                        places.put(
                            conn,
                            header,
                            {"project_origin_id": plan.job_id, "procore_id": procore_id},
                        )
                        budget = self._budget_of(conn, header, plan.job_id)
                    elif budget._mapping.get("procore_id") != procore_id:
                        places.update_matching(
                            conn, header, {"procore_id": procore_id}, {"procore_id": None}
                        )
                        places.update_matching(
                            conn,
                            header,
                            {"project_origin_id": plan.job_id},
                            {"procore_id": procore_id},
                        )
                    budget_id = str(budget._mapping["origin_id"])
                    posted, links = 0, []
                    for position, item in enumerate(transactions, start=1):
                        transaction_id = int(item["id"])
                        held = places.rows_matching(conn, lines, {"procore_id": transaction_id})
                        if not held:
                            values = {
                                **plan.lines[int(item["job_cost_id"])],
                                "parent_origin_id": budget_id,
                                "procore_id": transaction_id,
                                "kind": "original_estimate"
                                if text(item.get("type")) == ORIGINAL_ESTIMATE
                                else "modification",
                                "amount": parse_decimal(item.get("value")),
                                "notes": text(item.get("notes")) or None,
                            }
                            try:
                                places.put(conn, lines, values)
                            except (IntegrityError, DataError) as exc:
                                exc._position = position  # type: ignore[attr-defined]
                                raise
                            held = places.rows_matching(conn, lines, {"procore_id": transaction_id})
                            posted += 1
                        links.append(
                            TransactionLink(transaction_id, str(held[0]._mapping["origin_id"]))
                        )
            except (IntegrityError, DataError) as exc:
                conn.rollback()
                where = lines.describe()
                raise ConstraintViolation(
                    [
                        f"The ERP refused transaction {getattr(exc, '_position', '?')} of the "
                        f"budget of job {plan.job_code}: {describe(exc)} ({where}, setting "
                        "'entities.budgets.create_lines'). Nothing was written."
                    ]
                ) from None
        link = ExternalLink("budget", int(procore_id or 0), budget_id)
        return BudgetResult(budget_id, plan.job_code, created, (link,), tuple(links), posted)

    def note_imported(self, project_origin_id: str, budget_id: int) -> str | None:
        """Procore made a budget from the ERP's: remember its Procore id on the job's budget."""
        with self._connection("recording a budget's Procore id") as conn:
            header, _ = self._bind(conn)
            budget = self._budget_of(conn, header, str(project_origin_id))
            if budget is None:
                conn.rollback()
                return None
            with conn.begin_nested():
                places.update_matching(
                    conn, header, {"procore_id": budget_id}, {"procore_id": None}
                )
                places.update_matching(
                    conn,
                    header,
                    {"project_origin_id": str(project_origin_id)},
                    {"procore_id": budget_id},
                )
            conn.commit()
        return str(budget._mapping["origin_id"])
