"""Jobs and their cost structure as a Procore project user builds them: sub jobs, project and
sub-job cost codes, cost-type (line item type) assignments, ERP job costs, and budgets with
their line items, budget changes and the ERP transactions an export creates.

Where things live (all ``ProcoreObject`` rows, so sync, External Data and locking apply as to
every other object):

- ``sub_job``: ``project`` = its project; ``data`` {name, code}.
- ``cost_code``: ``project`` = its project; ``data.sub_job_id`` names the sub job whose code it
  is (``None``: a project-level code). A job's export lists its project-level codes, a sub job's
  export its own (``biller_type`` "Project" / "SubJob" in the events dictionary).
- ``cost_code_line_item_type`` (an assignment): {cost_code_id, line_item_type_id, sub_job_id,
  synced}; ``synced`` is set by the integrator (``cost_code_line_item_types/sync``).
- ``erp_job_cost``: one per cost code, cost type and sub job, with the ERP's amounts
  (original_estimate, estimate, job_to_date_cost, ...) and the budget line it belongs to.
- ``budget`` (one per project) with ``budget_line_item`` children {cost_code_id,
  line_item_type_id, sub_job_id, amount (original budget), changes (approved budget changes)}.
- ``erp_transaction``: what an export sends. The first export of a line sends an original
  estimate; a later change sends a revised estimate for the difference. The integrator marks
  them ``synced`` with ``erp_transactions/sync``; a re-export (``update_budget``) carries the
  unsynced ones only (``erp_events_dictionary.md``, Budgets).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from procore_sandbox.models import ProcoreObject
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import money, required

ORIGINAL_ESTIMATE = "Erp::OriginalEstimateTransaction"
# The dictionary shows only the original estimate's type; the metadata page speaks of "Revised
# Estimate Transactions" (budgets.configs.revised_estimates_export), hence this spelling.
REVISED_ESTIMATE = "Erp::RevisedEstimateTransaction"
JOB_COST_AMOUNTS = ("original_estimate", "estimate", "job_to_date_cost")


# -- scopes -----------------------------------------------------------------------------------
def sub_job_id_of(obj: ProcoreObject) -> int | None:
    """The sub job a cost code, assignment, job cost or budget line belongs to (or None)."""
    return (obj.data or {}).get("sub_job_id")


def cost_codes_in(project: ProcoreObject, sub_job: ProcoreObject | None = None) -> list:
    """The cost codes of one biller: the project's own, or one sub job's."""
    wanted = sub_job.id if sub_job is not None else None
    rows = ProcoreObject.objects.filter(project=project, item_type="cost_code").order_by(
        "data__full_code", "id"
    )
    return [row for row in rows if sub_job_id_of(row) == wanted]


def sub_jobs_of(project: ProcoreObject) -> list[ProcoreObject]:
    """A job's sub jobs, oldest first."""
    return list(ProcoreObject.objects.filter(project=project, item_type="sub_job").order_by("id"))


def assignments_by_code(project: ProcoreObject) -> dict[int, list[ProcoreObject]]:
    """Cost-type assignments of a project, by cost code id."""
    found: dict[int, list[ProcoreObject]] = {}
    for row in ProcoreObject.objects.filter(
        project=project, item_type="cost_code_line_item_type"
    ).order_by("id"):
        found.setdefault(row.data.get("cost_code_id"), []).append(row)
    return found


def _in_project(obj: ProcoreObject, item_type: str, project: ProcoreObject, label: str) -> None:
    if obj.item_type != item_type or obj.project_id != project.id:
        raise SandboxError(f"Choose a {label} of this project.")


def _cost_type(project: ProcoreObject, line_item_type: ProcoreObject) -> None:
    if line_item_type.item_type != "line_item_type" or (
        line_item_type.company_id != project.company_id
    ):
        raise SandboxError("Choose a cost type of this company.")


# -- sub jobs and cost codes ------------------------------------------------------------------
def sub_job_create(
    *,
    project: ProcoreObject,
    name: str,
    code: str,
    cost_codes: list[tuple[str, str]] | None = None,
) -> ProcoreObject:
    """A sub job of a project with its own cost codes (``[(code, name)]``; when ``None``, a
    copy of the project's codes, as a sub job starts from the same list)."""
    if project.item_type != "project":
        raise SandboxError("A sub job belongs to a project.")
    code = required(code, "Code")
    taken = {row.data.get("code") for row in sub_jobs_of(project)}
    if code in taken:
        raise SandboxError(f"This project already has a sub job with code {code}.")
    if cost_codes is not None:
        codes = [(c, n, None) for c, n in cost_codes]
    else:
        codes = [
            (row.data.get("code"), row.data.get("name"), row.data.get("standard_cost_code_id"))
            for row in cost_codes_in(project)
        ]
    with transaction.atomic():
        sub_job = ProcoreObject.objects.create(
            company_id=project.company_id,
            item_type="sub_job",
            project=project,
            data={"name": required(name, "Name"), "code": code},
        )
        for code_text, code_name, standard_id in codes:
            _cost_code_row(project, sub_job, code_text, code_name, standard_id)
    return sub_job


def cost_code_add(
    *, project: ProcoreObject, code: str, name: str, sub_job: ProcoreObject | None = None
) -> ProcoreObject:
    """A person adds a cost code to a project or to one of its sub jobs."""
    if project.item_type != "project":
        raise SandboxError("Cost codes belong to a project or a sub job.")
    if sub_job is not None:
        _in_project(sub_job, "sub_job", project, "sub job")
    code = required(code, "Cost code")
    if any(row.data.get("code") == code for row in cost_codes_in(project, sub_job)):
        raise SandboxError(f"Cost code {code} is already in this {_biller(sub_job)}.")
    return _cost_code_row(project, sub_job, code, name, None)


def _biller(sub_job: ProcoreObject | None) -> str:
    return "sub job" if sub_job is not None else "project"


def _cost_code_row(
    project: ProcoreObject,
    sub_job: ProcoreObject | None,
    code: str,
    name: str,
    standard_id: int | None,
) -> ProcoreObject:
    code = required(code, "Cost code")
    if standard_id is None:
        standard = ProcoreObject.objects.filter(
            company_id=project.company_id, item_type="standard_cost_code", data__full_code=code
        ).first()
        standard_id = standard.id if standard else None
    return ProcoreObject.objects.create(
        company_id=project.company_id,
        item_type="cost_code",
        project=project,
        data={
            "code": code,
            "name": required(name, "Cost code name"),
            "full_code": code,
            "sortable_code": code,
            "standard_cost_code_id": standard_id,
            "sub_job_id": sub_job.id if sub_job is not None else None,
        },
    )


def cost_type_assign(*, cost_code: ProcoreObject, line_item_type: ProcoreObject) -> ProcoreObject:
    """Assign a cost type to a cost code (unsynced until the integrator marks it synced)."""
    if cost_code.item_type != "cost_code":
        raise SandboxError("Choose a cost code.")
    project = cost_code.project
    _cost_type(project, line_item_type)
    existing = [
        row
        for row in assignments_by_code(project).get(cost_code.id, [])
        if row.data.get("line_item_type_id") == line_item_type.id
    ]
    if existing:
        raise SandboxError(
            f"Cost type {line_item_type.data.get('code')} is already assigned to "
            f"{cost_code.data.get('full_code')}."
        )
    return ProcoreObject.objects.create(
        company_id=project.company_id,
        item_type="cost_code_line_item_type",
        project=project,
        data={
            "cost_code_id": cost_code.id,
            "line_item_type_id": line_item_type.id,
            "sub_job_id": sub_job_id_of(cost_code),
            "synced": False,
        },
    )


# -- job costs --------------------------------------------------------------------------------
def job_cost_for(
    cost_code: ProcoreObject, line_item_type_id: int, *, create: bool = False
) -> ProcoreObject | None:
    """The ERP job cost of a cost code and cost type (its sub job follows the cost code)."""
    candidates = ProcoreObject.objects.filter(
        project_id=cost_code.project_id,
        item_type="erp_job_cost",
        data__cost_code_id=cost_code.id,
        data__line_item_type_id=line_item_type_id,
    ).order_by("id")
    for row in candidates:
        if sub_job_id_of(row) == sub_job_id_of(cost_code):
            return row
    if not create:
        return None
    return ProcoreObject.objects.create(
        company_id=cost_code.company_id,
        item_type="erp_job_cost",
        project_id=cost_code.project_id,
        data={
            "cost_code_id": cost_code.id,
            "line_item_type_id": line_item_type_id,
            "sub_job_id": sub_job_id_of(cost_code),
            **{name: "0.00" for name in JOB_COST_AMOUNTS},
        },
    )


def job_cost_set(
    *,
    cost_code: ProcoreObject,
    line_item_type: ProcoreObject,
    original_estimate: Any = None,
    estimate: Any = None,
    job_to_date_cost: Any = None,
) -> ProcoreObject:
    """Create or change a job cost's amounts (what the ERP normally syncs with
    ``erp_job_costs/sync``); amounts left ``None`` keep their value."""
    if cost_code.item_type != "cost_code":
        raise SandboxError("Choose a cost code.")
    _cost_type(cost_code.project, line_item_type)
    amounts = {
        "original_estimate": original_estimate,
        "estimate": estimate,
        "job_to_date_cost": job_to_date_cost,
    }
    with transaction.atomic():
        row = job_cost_for(cost_code, line_item_type.id, create=True)
        for name, value in amounts.items():
            if value not in (None, ""):
                row.data[name] = money(value, name.replace("_", " ").capitalize())
        row.save(update_fields=["data", "updated_at"])
    return row


# -- budgets ----------------------------------------------------------------------------------
def budget_of(project: ProcoreObject) -> ProcoreObject | None:
    """The project's budget, or None (Procore keeps one per project)."""
    return ProcoreObject.objects.filter(project=project, item_type="budget").first()


def budget_create(*, project: ProcoreObject) -> ProcoreObject:
    """A project's budget (Procore has one per project)."""
    if project.item_type != "project":
        raise SandboxError("A budget belongs to a project.")
    if budget_of(project) is not None:
        raise SandboxError("This project already has a budget.")
    return ProcoreObject.objects.create(
        company_id=project.company_id,
        item_type="budget",
        project=project,
        data={"name": f"{project.data.get('name')} budget", "custom_fields": {}},
    )


def budget_lines(budget: ProcoreObject) -> list[ProcoreObject]:
    """A budget's line items in the order they were made."""
    return list(
        ProcoreObject.objects.filter(parent=budget, item_type="budget_line_item").order_by("id")
    )


def _line_for(
    budget: ProcoreObject, cost_code: ProcoreObject, line_item_type: ProcoreObject
) -> ProcoreObject:
    _in_project(cost_code, "cost_code", budget.project, "cost code")
    _cost_type(budget.project, line_item_type)
    for line in budget_lines(budget):
        if (
            line.data.get("cost_code_id") == cost_code.id
            and line.data.get("line_item_type_id") == line_item_type.id
        ):
            return line
    return ProcoreObject(
        company_id=budget.company_id,
        item_type="budget_line_item",
        project_id=budget.project_id,
        parent=budget,
        data={
            "cost_code_id": cost_code.id,
            "line_item_type_id": line_item_type.id,
            "sub_job_id": sub_job_id_of(cost_code),
            "amount": "0.00",
            "changes": "0.00",
        },
    )


def budget_line_set(
    *,
    budget: ProcoreObject,
    cost_code: ProcoreObject,
    line_item_type: ProcoreObject,
    amount: Any,
) -> ProcoreObject:
    """Set a line's original budget amount. Once the budget is exported its original amounts
    are locked; a change then goes through :func:`budget_change`."""
    if budget.item_type != "budget":
        raise SandboxError("Choose a budget.")
    if budget.synced:
        raise SandboxError(
            "This budget was exported and its original amounts are locked; record a budget "
            "change instead."
        )
    line = _line_for(budget, cost_code, line_item_type)
    line.data = {**line.data, "amount": money(amount, "Amount")}
    line.save()
    return line


def budget_change(
    *,
    budget: ProcoreObject,
    cost_code: ProcoreObject,
    line_item_type: ProcoreObject,
    amount: Any,
) -> ProcoreObject:
    """An approved budget change (modification) of ``amount`` (may be negative) on a line; the
    next export sends it as a revised estimate."""
    if budget.item_type != "budget":
        raise SandboxError("Choose a budget.")
    delta = Decimal(money(amount, "Amount"))
    if delta == 0:
        raise SandboxError("A budget change needs a non-zero amount.")
    line = _line_for(budget, cost_code, line_item_type)
    changes = Decimal(str(line.data.get("changes") or "0")) + delta
    line.data = {**line.data, "changes": money(changes, "Changes")}
    line.save()
    return line


def revised_amount(line: ProcoreObject) -> Decimal:
    """Original amount plus approved changes: what the ERP should end up holding."""
    return Decimal(str(line.data.get("amount") or "0")) + Decimal(
        str(line.data.get("changes") or "0")
    )


def budget_transactions(budget: ProcoreObject, *, unsynced_only: bool = False) -> list:
    """A budget's ERP transactions; ``unsynced_only`` gives what an export carries."""
    rows = ProcoreObject.objects.filter(parent=budget, item_type="erp_transaction").order_by("id")
    rows = list(rows)
    if unsynced_only:
        rows = [row for row in rows if not row.data.get("synced")]
    return rows


@dataclass(frozen=True)
class Pending:
    """One transaction the next export would send: new, or the unsynced original estimate of a
    never-exported budget whose line amount changed since (then ``existing`` is set)."""

    line: ProcoreObject
    kind: str
    value: Decimal
    existing: ProcoreObject | None = None


def budget_pending(budget: ProcoreObject) -> list[Pending]:
    """What changed since the transactions already made: an original estimate for a line never
    exported, a revised estimate for the difference between a line's revised amount and what
    its transactions add up to."""
    by_line: dict[int, list[ProcoreObject]] = {}
    for row in budget_transactions(budget):
        by_line.setdefault(row.data.get("budget_line_item_id"), []).append(row)
    pending: list[Pending] = []
    for line in budget_lines(budget):
        amount = Decimal(str(line.data.get("amount") or "0"))
        rows = by_line.get(line.id, [])
        originals = [row for row in rows if row.data.get("type") == ORIGINAL_ESTIMATE]
        others = sum((Decimal(str(r.data.get("value"))) for r in rows if r not in originals), 0)
        if not originals:
            pending.append(Pending(line, ORIGINAL_ESTIMATE, amount))
            have = amount + others
        else:
            original = originals[0]
            value = Decimal(str(original.data.get("value")))
            if not original.data.get("synced") and not budget.synced and value != amount:
                pending.append(Pending(line, ORIGINAL_ESTIMATE, amount, existing=original))
                value = amount
            have = (
                value + others + sum((Decimal(str(r.data.get("value"))) for r in originals[1:]), 0)
            )
        delta = revised_amount(line) - have
        if delta != 0:
            pending.append(Pending(line, REVISED_ESTIMATE, delta))
    return pending


def budget_transactions_prepare(budget: ProcoreObject) -> list[ProcoreObject]:
    """At export: make the job costs the lines need and the pending transactions; returns the
    unsynced transactions, which are what the export carries."""
    codes = {
        row.id: row
        for row in ProcoreObject.objects.filter(project=budget.project, item_type="cost_code")
    }
    with transaction.atomic():
        for line in budget_lines(budget):
            code = codes.get(line.data.get("cost_code_id"))
            if code is None:
                raise SandboxError(f"Budget line {line.id} names a cost code that is gone.")
            job_cost = job_cost_for(code, line.data.get("line_item_type_id"), create=True)
            if job_cost.data.get("budget_line_item_id") != line.id:
                job_cost.data["budget_line_item_id"] = line.id
                job_cost.save(update_fields=["data", "updated_at"])
            if line.data.get("job_cost_id") != job_cost.id:
                line.data["job_cost_id"] = job_cost.id
                line.save(update_fields=["data", "updated_at"])
        for item in budget_pending(budget):
            if item.existing is not None:
                item.existing.data["value"] = money(item.value, "Value")
                item.existing.save(update_fields=["data", "updated_at"])
                continue
            transaction_create(budget, item.line, item.kind, item.value)
    return budget_transactions(budget, unsynced_only=True)


def transaction_create(
    budget: ProcoreObject,
    line: ProcoreObject,
    kind: str,
    value: Decimal,
    *,
    imported: bool = False,
) -> ProcoreObject:
    """One ERP transaction of a budget line. An export's are unsynced until the integrator
    marks them; an import's (``imported``) hold amounts that came from the ERP, so they are
    synced from the start and never exported."""
    return ProcoreObject.objects.create(
        company_id=budget.company_id,
        item_type="erp_transaction",
        project_id=budget.project_id,
        parent=budget,
        data={
            "value": money(value, "Value"),
            "synced": imported,
            "imported": imported,
            "type": kind,
            "code": None,
            "procore_transaction_id": None,
            "procore_transaction_type": None,
            "job_cost_id": line.data.get("job_cost_id"),
            "budget_line_item_id": line.id,
            "notes": None,
        },
    )
