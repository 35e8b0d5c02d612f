"""The demo ERP's rules and writes for a job's cost structure: the cost codes and cost types a
job (or sub job) export opens, sub jobs, the deletes Procore asks for, and budgets.

The rules an accountant meets here: a cost code or cost type must be in the ERP's lists before a
job can use it; a sub job needs its job in the ERP and a code unique on that job (at most
``limits.SUB_JOB_CODE`` characters); a cost code or cost type assignment with costs posted, or
with budget amounts, stays in the ERP; a budget line needs a cost code the job holds and a cost
type the ERP knows. Every refusal is a sentence that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from erp_adapters.base import (
    AssignmentRef,
    BudgetExport,
    BudgetResult,
    ConstraintViolation,
    CostCodeDeletion,
    CostTypeAssignmentDeletion,
    Deletion,
    ERPObject,
    ExternalLink,
    TransactionLink,
    job_cost_code_origin_id,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.demo import limits
from erp_adapters.demo.checks import (
    Lookup,
    Problems,
    as_dict,
    as_int,
    cost_code_label,
    parse_decimal,
    parse_guid,
    text,
)
from erp_adapters.demo.listing import keyset_pages
from erp_adapters.demo.models import (
    BudgetTransactionKind,
    DemoBudget,
    DemoBudgetLine,
    DemoBudgetTransaction,
    DemoCostCode,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)
from erp_adapters.money import shown, to_erp

ORIGINAL_ESTIMATE = "Erp::OriginalEstimateTransaction"


# -- finding what a payload names --------------------------------------------------------------


def find_sub_job(tenant: str, ref: Any) -> DemoSubJob | None:
    ref = as_dict(ref)
    if not (ref.get("origin_id") or ref.get("id")):
        return None
    return Lookup(tenant).by_ref(DemoSubJob, ref)


def holder_of(job: DemoJob, sub_job: DemoSubJob | None) -> DemoJob | DemoSubJob:
    """Whose cost codes these are: the sub job's when there is one, else the job's."""
    return sub_job if sub_job is not None else job


def job_label(job: DemoJob, sub_job: DemoSubJob | None) -> str:
    return f"sub job {sub_job.code} of job {job.code}" if sub_job else f"job {job.code}"


def job_cost_codes(job: DemoJob, sub_job: DemoSubJob | None):
    rows = DemoJobCostCode.objects.filter(job=job)
    return rows.filter(sub_job=sub_job) if sub_job else rows.filter(sub_job__isnull=True)


def cost_code_from_origin(tenant: str, origin_id: Any) -> DemoCostCode | None:
    """The standard cost code inside a job cost code's origin id (``<job>|<cost code>``)."""
    guid = parse_guid(standard_part_of_cost_code_origin_id(text(origin_id)))
    if guid is None:
        return None
    return DemoCostCode.objects.filter(tenant=tenant, guid=guid).first()


# -- opening exported cost codes on a job or sub job -------------------------------------------


def check_cost_codes(problems: Problems, lookup: Lookup, refs: Any) -> None:
    """Every exported cost code and every cost type assigned to it must be in the ERP."""
    refs = list(refs or [])
    lookup.warm_cost_codes(refs)
    for ref in refs:
        ref = as_dict(ref)
        if lookup.cost_code(ref) is None:
            problems.append(f"Cost code {cost_code_label(ref)} is not in the ERP's cost code list.")
    check_cost_types(problems, lookup, {"all_cost_codes": refs})


def check_cost_types(problems: Problems, lookup: Lookup, payload: Any) -> None:
    """Every cost type assigned to an exported cost code the ERP knows must be in the ERP."""
    refs = list(as_dict(payload).get("all_cost_codes") or [])
    lookup.warm_cost_codes(refs)
    for ref in refs:
        ref = as_dict(ref)
        if lookup.cost_code(ref) is None:
            continue
        for item in ref.get("line_item_types") or []:
            item = as_dict(item)
            if lookup.cost_type(item) is None:
                problems.append(
                    f"Cost type '{text(item.get('name'))}' ({text(item.get('code'))}) on cost "
                    f"code {cost_code_label(ref)} is not in the ERP."
                )


def _insert_all(rows: list, find: Any) -> list:
    """Insert ``rows`` in one statement; if another worker inserted some of them meanwhile (a
    unique constraint fails), take each one's existing row instead (``find(row)``)."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            return type(rows[0]).objects.bulk_create(rows)
    except IntegrityError:
        return [find(row) for row in rows]


def open_cost_codes(
    tenant: str, job: DemoJob, sub_job: DemoSubJob | None, refs: Any
) -> tuple[list[ExternalLink], list[AssignmentRef]]:
    """Open each exported cost code on the job (or sub job) with its cost types, once: a second
    export finds them. Returns the cost codes' External Data links and the assignments Procore
    should mark synced. The caller has checked every reference (``check_cost_codes``). A job
    exports hundreds of cost codes, so the rows are read and written a statement at a time, not
    one per code."""
    lookup = Lookup(tenant)
    refs = [as_dict(ref) for ref in refs or []]
    lookup.warm_cost_codes(refs)
    wanted = [
        (ref, cost_code, procore_id)
        for ref in refs
        if (cost_code := lookup.cost_code(ref)) is not None
        and (procore_id := as_int(ref.get("id"))) is not None
    ]
    opened = {
        row.cost_code_id: row
        for row in job_cost_codes(job, sub_job).filter(
            cost_code__in=[cost_code for _, cost_code, _ in wanted]
        )
    }
    missing = {
        cost_code.pk: DemoJobCostCode(tenant=tenant, job=job, sub_job=sub_job, cost_code=cost_code)
        for _, cost_code, _ in wanted
        if cost_code.pk not in opened
    }
    for row in _insert_all(
        list(missing.values()),
        lambda row: DemoJobCostCode.objects.get_or_create(
            tenant=tenant, job=job, sub_job=sub_job, cost_code=row.cost_code
        )[0],
    ):
        opened[row.cost_code_id] = row
    _procore_ids_follow(tenant, [(opened[c.pk], pid) for _, c, pid in wanted])

    holder = holder_of(job, sub_job)
    assigned = {
        (row.job_cost_code_id, row.cost_type_id): row
        for row in DemoJobCostType.objects.filter(job_cost_code__in=list(opened.values()))
    }
    links: list[ExternalLink] = []
    assignments: list[AssignmentRef] = []
    new: dict[tuple[int, int], DemoJobCostType] = {}
    resync: list[int] = []
    for ref, cost_code, procore_id in wanted:
        row = opened[cost_code.pk]
        origin_id = job_cost_code_origin_id(str(holder.guid), str(cost_code.guid))
        links.append(ExternalLink("cost_code", procore_id, origin_id))
        for item in map(as_dict, ref.get("line_item_types") or []):
            cost_type = lookup.cost_type(item)
            type_id = as_int(item.get("id"))
            if cost_type is None or type_id is None:
                continue
            key = (row.pk, cost_type.pk)
            if key in assigned:
                if not assigned[key].synced:
                    resync.append(assigned[key].pk)
            elif key not in new:
                new[key] = DemoJobCostType(
                    tenant=tenant, job_cost_code=row, cost_type=cost_type, synced=True
                )
            assignments.append(AssignmentRef(procore_id, type_id))
    _insert_all(
        list(new.values()),
        lambda row: DemoJobCostType.objects.get_or_create(
            tenant=tenant,
            job_cost_code=row.job_cost_code,
            cost_type=row.cost_type,
            defaults={"synced": True},
        )[0],
    )
    DemoJobCostType.objects.filter(pk__in=resync).update(synced=True)
    return links, assignments


def _procore_ids_follow(tenant: str, pairs: list[tuple[DemoJobCostCode, int]]) -> None:
    """Give each job cost code the Procore id the export names; a stale row holding one of
    those ids (a cost code deleted and re-made in Procore) lets go of it first."""
    stale = [(row, procore_id) for row, procore_id in pairs if row.procore_id != procore_id]
    if not stale:
        return
    ids = [procore_id for _, procore_id in stale]
    DemoJobCostCode.objects.filter(tenant=tenant, procore_id__in=ids).update(procore_id=None)
    DemoJobCostCode.objects.filter(pk__in=[row.pk for row, _ in stale]).update(procore_id=None)
    for row, procore_id in stale:
        row.procore_id = procore_id
    DemoJobCostCode.objects.bulk_update([row for row, _ in stale], ["procore_id"], batch_size=500)


def release_cost_codes(rows) -> list[ExternalLink]:
    """Forget the Procore ids of these job cost codes (and the synced flag of their cost types);
    returns the ties dropped."""
    dropped = []
    for row in rows.select_related("job", "sub_job", "cost_code"):
        if row.procore_id is not None:
            holder = holder_of(row.job, row.sub_job)
            origin_id = job_cost_code_origin_id(str(holder.guid), str(row.cost_code.guid))
            dropped.append(ExternalLink("cost_code", row.procore_id, origin_id))
    DemoJobCostType.objects.filter(job_cost_code__in=rows).update(synced=False)
    rows.update(procore_id=None)
    return dropped


def job_release(tenant: str, job: DemoJob) -> list[ExternalLink]:
    """``reset_job``: the job keeps its history in the ERP, without Procore ids."""
    with transaction.atomic():
        dropped = []
        if job.procore_id is not None:
            dropped.append(ExternalLink("project", job.procore_id, str(job.guid)))
        for sub_job in job.sub_jobs.filter(procore_id__isnull=False):
            dropped.append(ExternalLink("sub_job", sub_job.procore_id, str(sub_job.guid)))
        dropped += release_cost_codes(DemoJobCostCode.objects.filter(job=job))
        job.sub_jobs.update(procore_id=None)
        DemoJob.objects.filter(pk=job.pk).update(procore_id=None)
    return dropped


def sub_job_release(sub_job: DemoSubJob) -> list[ExternalLink]:
    with transaction.atomic():
        dropped = []
        if sub_job.procore_id is not None:
            dropped.append(ExternalLink("sub_job", sub_job.procore_id, str(sub_job.guid)))
        dropped += release_cost_codes(DemoJobCostCode.objects.filter(sub_job=sub_job))
        DemoSubJob.objects.filter(pk=sub_job.pk).update(procore_id=None)
    return dropped


def cost_codes_release(tenant: str, origin_ids: list[str]) -> list[ExternalLink]:
    """``delete_cost_code``: Procore deleted these job cost codes; the ERP keeps them."""
    wanted = Q(pk__in=[])
    for origin_id in origin_ids:
        holder, _, standard = text(origin_id).rpartition("|")
        holder_guid, standard_guid = parse_guid(holder), parse_guid(standard)
        if holder_guid is None or standard_guid is None:
            continue
        wanted |= Q(cost_code__guid=standard_guid) & (
            Q(sub_job__guid=holder_guid) | Q(sub_job__isnull=True, job__guid=holder_guid)
        )
    with transaction.atomic():
        return release_cost_codes(DemoJobCostCode.objects.filter(wanted, tenant=tenant))


# -- sub jobs ----------------------------------------------------------------------------------


def check_sub_job(tenant: str, payload: Any, *, existing: DemoSubJob | None) -> Problems:
    """Sub job messages about the code contain the word "code", as for jobs (a.5)."""
    problems = Problems()
    data = as_dict(payload)
    sub_job = as_dict(data.get("sub_job"))
    if not sub_job:
        problems.append("The export carries no sub job.")
        return problems
    lookup = Lookup(tenant)
    project = as_dict(sub_job.get("project"))
    job = lookup.job(project.get("origin_id"), project)
    if job is None:
        problems.append(
            f"Job '{text(project.get('name')) or '(unknown)'}' is not in the ERP; export the "
            "project first."
        )
    name = text(sub_job.get("name"))
    problems.missing("Sub job name", name)
    problems.too_long("Sub job name", name, limits.SUB_JOB_NAME)
    if existing is None:
        code = text(sub_job.get("code"))
        problems.missing(
            "Sub job code", code, " Enter the ERP sub job code in Procore and export again."
        )
        if len(code) > limits.SUB_JOB_CODE:
            problems.append(
                f"Sub job code '{code}' is longer than {limits.SUB_JOB_CODE} characters, the "
                "ERP's limit. Enter a shorter code and export again."
            )
        elif code and job is not None:
            taken = job.sub_jobs.filter(code=code).only("name").first()
            if taken is not None:
                problems.append(
                    f"Sub job code '{code}' is already used on job {job.code} by "
                    f"'{taken.name}'. Enter another code and export again."
                )
    check_cost_codes(problems, lookup, data.get("all_cost_codes"))
    return problems


SUB_JOB_FIELDS = ("guid", "code", "name", "job__guid")


def sub_job_object(row: dict[str, Any]) -> ERPObject:
    data = {"name": row["name"], "code": row["code"], "project_origin_id": str(row["job__guid"])}
    return ERPObject("sub_job", str(row["guid"]), row["code"], data)


def list_sub_jobs(tenant: str, *, page_size: int) -> Iterator[ERPObject]:
    queryset = DemoSubJob.objects.filter(tenant=tenant, is_active=True)
    for page in keyset_pages(queryset, SUB_JOB_FIELDS, page_size=page_size):
        yield from map(sub_job_object, page)


# -- deletes Procore asks for ------------------------------------------------------------------


def _scope(tenant: str, item: dict[str, Any]) -> tuple[DemoJob | None, DemoSubJob | None]:
    project = as_dict(item.get("project"))
    job = Lookup(tenant).job(project.get("origin_id"), project)
    return job, find_sub_job(tenant, item.get("sub_job"))


def _posted(assignments) -> Decimal:
    total = DemoJobCost.objects.filter(assignment__in=assignments).aggregate(
        total=Sum("job_to_date_cost")
    )["total"]
    return total or Decimal(0)


def _keep_if_used(what: str, assignments, budget_lines) -> None:
    """Refuse, in the accountant's words, to delete what carries costs or budget amounts."""
    posted = _posted(assignments)
    if posted:
        raise ConstraintViolation(
            [
                f"{what} has {shown(posted)} of costs posted in the ERP, so the ERP keeps "
                "it. Reverse or move those costs in the ERP first, then delete it again."
            ]
        )
    budgeted = budget_lines.aggregate(total=Sum("amount"))["total"]
    if budget_lines.exists():
        raise ConstraintViolation(
            [
                f"{what} is on the job's budget in the ERP ({shown(budgeted or 0)}), so "
                "the ERP keeps it. Remove it from the budget first, then delete it again."
            ]
        )


# Commitments: a line posts to a job cost code and cost type, which the ERP then keeps.
def _keep_if_committed(what: str, commitment_lines) -> None:
    line = commitment_lines.select_related("commitment").first()
    if line is not None:
        raise ConstraintViolation(
            [
                f"{what} carries lines of commitment {line.commitment.number} in the ERP, so "
                "the ERP keeps it. Move those lines to another cost code first (or void the "
                "commitment), then delete it again."
            ]
        )


def cost_code_delete(tenant: str, item: CostCodeDeletion) -> Deletion:
    item = as_dict(item)
    label = text(item.get("sortable_code")) or "The cost code"
    job, sub_job = _scope(tenant, item)
    if job is None:
        return Deletion(False, label)
    rows = job_cost_codes(job, sub_job)
    row = None
    if as_int(item.get("id")) is not None:
        row = rows.filter(procore_id=as_int(item.get("id"))).first()
    if row is None:
        cost_code = cost_code_from_origin(tenant, item.get("origin_id"))
        row = rows.filter(cost_code=cost_code).first() if cost_code else None
    if row is None:
        return Deletion(False, f"{label} on {job_label(job, sub_job)}")
    what = f"Cost code {row.cost_code.code} on {job_label(job, sub_job)}"
    with transaction.atomic():
        assignments = DemoJobCostType.objects.select_for_update().filter(job_cost_code=row)
        _keep_if_used(what, assignments, row.budget_lines.all())
        _keep_if_committed(what, row.commitment_lines.all())
        DemoJobCost.objects.filter(assignment__in=assignments).delete()
        row.delete()
    return Deletion(True, f"{row.cost_code.code} {row.cost_code.name} on {job_label(job, sub_job)}")


def cost_type_assignment_delete(tenant: str, item: CostTypeAssignmentDeletion) -> Deletion:
    item = as_dict(item)
    job, sub_job = _scope(tenant, item)
    cost_code = cost_code_from_origin(tenant, item.get("cost_code_origin_id"))
    cost_type = Lookup(tenant).cost_type({"origin_id": item.get("line_item_type_origin_id")})
    label = "the cost type assignment"
    if job is None or cost_code is None or cost_type is None:
        return Deletion(False, label)
    label = f"cost type {cost_type.code} on cost code {cost_code.code} of {job_label(job, sub_job)}"
    row = job_cost_codes(job, sub_job).filter(cost_code=cost_code).first()
    if row is None:
        return Deletion(False, label)
    with transaction.atomic():
        assignments = DemoJobCostType.objects.select_for_update().filter(
            job_cost_code=row, cost_type=cost_type
        )
        if not assignments.exists():
            return Deletion(False, label)
        what = label[:1].upper() + label[1:]
        _keep_if_used(what, assignments, row.budget_lines.filter(cost_type=cost_type))
        _keep_if_committed(what, row.commitment_lines.filter(cost_type=cost_type))
        DemoJobCost.objects.filter(assignment__in=assignments).delete()
        assignments.delete()
    return Deletion(True, label)


# -- budgets -----------------------------------------------------------------------------------


class BudgetPlan:
    """A budget export resolved against the books: the job, and for each job cost (by its
    Procore id) the job cost code and cost type of its line; ``problems`` when any is missing."""

    def __init__(self, tenant: str, payload: BudgetExport) -> None:
        self.tenant = tenant
        self.data = as_dict(payload)
        self.budget = as_dict(self.data.get("budget"))
        self.problems = Problems()
        self.lines: dict[int, tuple[DemoJobCostCode, Any, dict[str, Any]]] = {}
        lookup = Lookup(tenant)
        self.job = lookup.job(self.data.get("job_id"), {"id": self.budget.get("project_id")})
        if self.job is None:
            self.problems.append("The budget's job is not in the ERP; export the project first.")
            return
        if as_int(self.budget.get("id")) is None:
            self.problems.append("The export carries no Procore id for the budget.")
        for job_cost in self.data.get("job_costs") or []:
            self._resolve(lookup, as_dict(job_cost))
        known = set(self.lines)
        for item in self.data.get("transactions") or []:
            item = as_dict(item)
            value = parse_decimal(item.get("value"))
            if value is None:
                self.problems.append(f"Transaction amount '{item.get('value')}' is not a number.")
            elif abs(value) >= Decimal(10) ** 12:
                self.problems.append("A transaction amount is larger than the ERP allows.")
            if as_int(item.get("id")) is None:
                self.problems.append("A transaction carries no Procore id.")
            if as_int(item.get("job_cost_id")) not in known:
                self.problems.append(
                    f"Transaction {item.get('id')} names a budget line the export does not carry."
                )

    def _resolve(self, lookup: Lookup, job_cost: dict[str, Any]) -> None:
        job_cost_id = as_int(job_cost.get("id"))
        if job_cost_id is None:
            self.problems.append("A budget line carries no Procore job cost id.")
            return
        sub_job = None
        if job_cost.get("sub_job_origin_id"):
            sub_job = find_sub_job(self.tenant, {"origin_id": job_cost.get("sub_job_origin_id")})
            if sub_job is None or sub_job.job_id != self.job.pk:
                self.problems.append(
                    f"A budget line's sub job is not on job {self.job.code} in the ERP; export "
                    "the sub job first."
                )
                return
        cost_code = cost_code_from_origin(self.tenant, job_cost.get("cost_code_origin_id"))
        row = job_cost_codes(self.job, sub_job).filter(cost_code=cost_code).first()
        if row is None:
            self.problems.append(
                f"A budget line's cost code is not on {job_label(self.job, sub_job)} in the "
                "ERP; export the job's cost codes first."
            )
            return
        cost_type = lookup.cost_type({"origin_id": job_cost.get("line_item_type_origin_id")})
        if cost_type is None:
            self.problems.append(
                f"A budget line on cost code {row.cost_code.code} has a cost type the ERP does "
                "not know."
            )
            return
        self.lines[job_cost_id] = (row, cost_type, job_cost)


def budget_existing(tenant: str, budget: dict[str, Any]) -> DemoBudget | None:
    return Lookup(tenant).by_ref(
        DemoBudget, {"origin_id": budget.get("origin_id"), "id": budget.get("id")}
    )


def budget_export(tenant: str, payload: BudgetExport) -> BudgetResult:
    """Create or find the job's budget, its lines, and post each transaction once."""
    plan = BudgetPlan(tenant, payload)
    if plan.problems:
        raise ConstraintViolation(list(dict.fromkeys(plan.problems)))
    procore_id = as_int(plan.budget.get("id"))
    with transaction.atomic():
        budget = budget_existing(tenant, plan.budget)
        created = False
        if budget is None:
            budget, created = DemoBudget.objects.get_or_create(
                tenant=tenant, job=plan.job, defaults={"procore_id": procore_id}
            )
        if budget.job_id != plan.job.pk:
            raise ConstraintViolation(
                ["This budget belongs to another job in the ERP; export the budget of this job."]
            )
        if budget.procore_id != procore_id:
            DemoBudget.objects.filter(pk=budget.pk).update(procore_id=procore_id)
            budget.procore_id = procore_id
        lines: dict[int, DemoBudgetLine] = {}
        for job_cost_id, (row, cost_type, job_cost) in plan.lines.items():
            DemoJobCostType.objects.get_or_create(
                tenant=tenant, job_cost_code=row, cost_type=cost_type, defaults={"synced": True}
            )
            line, _ = DemoBudgetLine.objects.get_or_create(
                tenant=tenant, budget=budget, job_cost_code=row, cost_type=cost_type
            )
            updates = {
                "procore_id": job_cost_id,
                "procore_budget_line_item_id": as_int(job_cost.get("budget_line_item_id")),
            }
            if any(getattr(line, key) != value for key, value in updates.items()):
                DemoBudgetLine.objects.filter(tenant=tenant, procore_id=job_cost_id).exclude(
                    pk=line.pk
                ).update(procore_id=None)
                DemoBudgetLine.objects.filter(pk=line.pk).update(**updates)
            lines[job_cost_id] = line
        posted = 0
        links: list[TransactionLink] = []
        touched: set[int] = set()
        for item in map(as_dict, plan.data.get("transactions") or []):
            line = lines[as_int(item.get("job_cost_id"))]
            kind = (
                BudgetTransactionKind.ORIGINAL_ESTIMATE
                if text(item.get("type")) == ORIGINAL_ESTIMATE
                else BudgetTransactionKind.MODIFICATION
            )
            row, was_new = DemoBudgetTransaction.objects.get_or_create(
                tenant=tenant,
                procore_id=as_int(item.get("id")),
                defaults={
                    "line": line,
                    "kind": kind,
                    "amount": to_erp(parse_decimal(item.get("value"))),
                    "notes": text(item.get("notes"))[: limits.LINE_DESCRIPTION],
                },
            )
            posted += was_new
            touched.add(line.pk)
            links.append(TransactionLink(row.procore_id, str(row.guid)))
        for line_pk in touched:
            total = DemoBudgetTransaction.objects.filter(line_id=line_pk).aggregate(
                total=Sum("amount")
            )["total"]
            DemoBudgetLine.objects.filter(pk=line_pk).update(amount=to_erp(total or Decimal(0)))
    header = ExternalLink("budget", procore_id, str(budget.guid))
    return BudgetResult(str(budget.guid), plan.job.code, created, (header,), tuple(links), posted)


def budget_note_imported(tenant: str, project_origin_id: str, budget_id: int) -> str | None:
    job = Lookup(tenant).job(project_origin_id, {})
    budget = DemoBudget.objects.filter(job=job).first() if job else None
    if budget is None:
        return None
    with transaction.atomic():
        DemoBudget.objects.filter(tenant=tenant, procore_id=budget_id).exclude(pk=budget.pk).update(
            procore_id=None
        )
        DemoBudget.objects.filter(pk=budget.pk).update(procore_id=budget_id)
    return str(budget.guid)
