"""Filling one set of demo books with realistic, deterministic data, fast and re-runnable.

Deterministic: every value comes from ``random.Random`` seeded per entity, and every ERP id is a
UUIDv5 of (tenant, entity, code), so the same command gives the same books on any machine.
Re-runnable: rows are keyed by their code; a second run inserts only what is missing (vendors
with ``bulk_create(ignore_conflicts=True)`` in batches, the few jobs and commitments one by one).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from erp_adapters.demo import limits, sample_data
from erp_adapters.demo.models import (
    ChangeOrderStatus,
    CommitmentKind,
    CommitmentStatus,
    DemoBudget,
    DemoBudgetLine,
    DemoBudgetTransaction,
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
    DemoVendor,
)
from erp_adapters.demo.models.prime_contracts import DemoPrimeContract
from erp_adapters.demo.prime_contract_seeding import seed_prime_contracts
from erp_adapters.demo.requisition_seeding import seed_requisitions
from erp_adapters.demo.seeded_ids import seeded_guid
from erp_adapters.demo.seeding_payapps_direct_costs import seed_payapps_direct_costs

VENDOR_BATCH = 2000
MAX_VENDORS = 999_999  # codes V-000001…V-999999 keep a fixed width
DEFAULT_SEED = 20_240_601


class SeedError(ValueError):
    """The request cannot be seeded as asked (the message says why)."""


def vendor_code(number: int) -> str:
    return f"V-{number:06d}"


def job_code(number: int) -> str:
    return f"J-{1000 + number}"


@dataclass
class SeedReport:
    tenant: str
    created: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(
            f"{name.replace('_', ' ')} {self.created.get(name, 0):,} new "
            f"({self.totals.get(name, 0):,} in all)"
            for name in self.totals
        )
        return f"Demo ERP books '{self.tenant}' seeded in {self.seconds:.1f} s: {parts}."


# --------------------------------------------------------------------------------------------
# Vendors
# --------------------------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", name.lower().replace("&", "and"))[:40] or "vendor"


class VendorNames:
    """Unique company names of at most 30 characters, drawn in a fixed order from the seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def _candidate(self) -> tuple[str, str]:
        rng = self.rng
        word, trade = rng.choice(sample_data.TRADES)
        suffix = rng.choice(sample_data.SUFFIXES)
        pattern = rng.random()
        if pattern < 0.40:
            base = f"{rng.choice(sample_data.SURNAMES)} {word}"
        elif pattern < 0.70:
            base = f"{rng.choice(sample_data.PLACES)} {word}"
        else:
            first, second = rng.sample(sample_data.SURNAMES, 2)
            base = f"{first} & {second}"
        return f"{base} {suffix}".strip(), trade

    def next(self) -> tuple[str, str]:
        for _ in range(40):
            name, trade = self._candidate()
            if len(name) <= limits.VENDOR_NAME and name not in self.used:
                self.used.add(name)
                return name, trade
        # The pools are large enough that this is rare; a number keeps the name unique.
        base, trade = self._candidate()
        number = len(self.used) + 1
        name = f"{base[: limits.VENDOR_NAME - len(str(number)) - 1]} {number}"
        self.used.add(name)
        return name, trade


def generate_vendors(tenant: str, count: int, seed: int) -> Iterator[DemoVendor]:
    rng = random.Random(f"{seed}/vendors")
    names = VendorNames(rng)
    for number in range(1, count + 1):
        name, trade = names.next()
        city, state, zip3, area = rng.choice(sample_data.CITIES)
        street = f"{rng.randint(100, 9999)} {rng.choice(sample_data.STREETS)} "
        street += rng.choice(sample_data.STREET_TYPES)
        slug = _slug(name)
        code = vendor_code(number)
        yield DemoVendor(
            tenant=tenant,
            guid=seeded_guid(tenant, "vendor", code),
            code=code,
            name=name,
            trade=trade,
            tax_id=f"{rng.randint(10, 99)}-{rng.randint(1_000_000, 9_999_999)}",
            address=street,
            city=city,
            state_code=state,
            zip=f"{zip3}{rng.randint(0, 99):02d}",
            country_code="US",
            business_phone=f"({area}) 555-01{rng.randint(0, 99):02d}",
            email_address=f"ap@{slug}.example.com",
            website=f"https://www.{slug}.example.com",
            is_active=rng.random() > 0.03,
        )


def _batches(items: Iterator[DemoVendor], size: int) -> Iterator[list[DemoVendor]]:
    batch: list[DemoVendor] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def seed_vendors(tenant: str, count: int, seed: int) -> None:
    """Codes are fixed-width, so one indexed count tells whether V-000001…V-<count> are all
    there already (a re-run then costs one query, not 100,000 generated rows)."""
    present = DemoVendor.objects.filter(
        tenant=tenant, code__gte=vendor_code(1), code__lte=vendor_code(count)
    ).count()
    if present >= count:
        return
    for batch in _batches(generate_vendors(tenant, count, seed), VENDOR_BATCH):
        with transaction.atomic():
            DemoVendor.objects.bulk_create(batch, ignore_conflicts=True)
    if connection.vendor == "postgresql":
        # Fresh planner statistics, or the first listings after a big load sort the whole
        # tenant instead of walking the (tenant, id) index (measured: 33 ms vs 0.4 ms a page).
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{DemoVendor._meta.db_table}"')


# --------------------------------------------------------------------------------------------
# Reference data, jobs, commitments
# --------------------------------------------------------------------------------------------


def seed_cost_codes(tenant: str) -> None:
    """Parents come first in ``COST_CODES``, so each child finds its parent already saved."""
    existing = {c.code: c for c in DemoCostCode.objects.filter(tenant=tenant)}
    for code, name in sample_data.COST_CODES:
        if code in existing:
            continue
        parent = existing.get(code.rsplit("-", 1)[0]) if "-" in code else None
        existing[code] = DemoCostCode.objects.create(
            tenant=tenant,
            guid=seeded_guid(tenant, "cost_code", code),
            code=code,
            name=name,
            parent=parent,
        )


def seed_cost_types(tenant: str) -> None:
    DemoCostType.objects.bulk_create(
        [
            DemoCostType(
                tenant=tenant, guid=seeded_guid(tenant, "cost_type", code), code=code, name=name
            )
            for code, name in sample_data.COST_TYPES
        ],
        ignore_conflicts=True,
    )


def seed_jobs(tenant: str, count: int, seed: int) -> list[DemoJob]:
    rng = random.Random(f"{seed}/jobs")
    jobs = []
    for number in range(1, count + 1):
        base = sample_data.PROJECTS[(number - 1) % len(sample_data.PROJECTS)]
        phase = (number - 1) // len(sample_data.PROJECTS)
        name = base if phase == 0 else f"{base[: limits.JOB_NAME - 10]} Phase {phase + 1}"
        city, state, zip3, _area = rng.choice(sample_data.CITIES)
        start = date(2025, 1, 6) + timedelta(days=rng.randint(0, 540))
        value = Decimal(rng.randint(2_000, 80_000) * 1000)
        street = f"{rng.randint(100, 9999)} {rng.choice(sample_data.STREETS)} "
        street += rng.choice(sample_data.STREET_TYPES)
        code = job_code(number)
        job, _created = DemoJob.objects.get_or_create(
            tenant=tenant,
            code=code,
            defaults={
                "guid": seeded_guid(tenant, "job", code),
                "name": name,
                "address": street,
                "city": city,
                "state_code": state,
                "zip": f"{zip3}{rng.randint(0, 99):02d}",
                "start_date": start,
                "completion_date": start + timedelta(days=rng.randint(180, 720)),
                "estimated_value": value,
            },
        )
        jobs.append(job)
    return jobs


def seed_commitments(tenant: str, jobs: list[DemoJob], per_job: int, seed: int) -> None:
    """A few subcontracts and purchase orders per job, with lines, and one change order on the
    first of each, so commitment imports have something to show."""
    vendors = list(DemoVendor.objects.filter(tenant=tenant, is_active=True).order_by("code")[:200])
    leaf_codes = list(
        DemoCostCode.objects.filter(tenant=tenant, children__isnull=True)
        .exclude(parent=None)
        .order_by("code")
    )
    cost_types = {t.code: t for t in DemoCostType.objects.filter(tenant=tenant)}
    if not vendors or not leaf_codes or not {"S", "M"} <= cost_types.keys():
        return
    rng = random.Random(f"{seed}/commitments")
    for job in jobs:
        for index in range(per_job):
            kind = CommitmentKind.SUBCONTRACT if index % 2 == 0 else CommitmentKind.PURCHASE_ORDER
            prefix = "SC" if kind == CommitmentKind.SUBCONTRACT else "PO"
            number = f"{prefix}-{index // 2 + 1:03d}"
            vendor = rng.choice(vendors)
            chosen = rng.sample(leaf_codes, 3)
            amounts = [Decimal(rng.randint(50, 2500) * 100) for _ in chosen]
            co_amount = Decimal(rng.randint(25, 250) * 100)
            co_title = rng.choice(sample_data.CHANGE_ORDER_TITLES)
            with transaction.atomic():
                commitment, created = DemoCommitment.objects.get_or_create(
                    tenant=tenant,
                    job=job,
                    number=number,
                    defaults={
                        "guid": seeded_guid(tenant, "commitment", f"{job.code}/{number}"),
                        "vendor": vendor,
                        "kind": kind,
                        "title": f"{vendor.trade or 'Work'} - {job.name}"[
                            : limits.COMMITMENT_TITLE
                        ],
                        "status": CommitmentStatus.APPROVED,
                        "executed": True,
                        "retainage_percent": Decimal("10.00")
                        if kind == CommitmentKind.SUBCONTRACT
                        else None,
                    },
                )
                if not created:
                    continue
                cost_type = cost_types["S" if kind == CommitmentKind.SUBCONTRACT else "M"]
                lines = DemoCommitmentLine.objects.bulk_create(
                    DemoCommitmentLine(
                        tenant=tenant,
                        guid=seeded_guid(tenant, "commitment_line", f"{commitment.guid}/{pos}"),
                        commitment=commitment,
                        position=pos,
                        description=code.name[: limits.LINE_DESCRIPTION],
                        cost_code=code,
                        cost_type=cost_type,
                        quantity=Decimal(1),
                        unit_cost=amount,
                        uom="LS",
                        amount=amount,
                    )
                    for pos, (code, amount) in enumerate(zip(chosen, amounts, strict=True), 1)
                )
                if index != 0:
                    continue
                change_order = DemoChangeOrder.objects.create(
                    tenant=tenant,
                    guid=seeded_guid(tenant, "change_order", f"{commitment.guid}/001"),
                    commitment=commitment,
                    number="001",
                    title=co_title,
                    status=ChangeOrderStatus.APPROVED,
                )
                first = lines[0]
                DemoChangeOrderLine.objects.create(
                    tenant=tenant,
                    guid=seeded_guid(tenant, "change_order_line", f"{change_order.guid}/1"),
                    change_order=change_order,
                    commitment_line=first,
                    position=1,
                    description=f"{co_title} - {first.description}"[: limits.LINE_DESCRIPTION],
                    cost_code=first.cost_code,
                    cost_type=first.cost_type,
                    quantity=Decimal(1),
                    unit_cost=co_amount,
                    uom="LS",
                    amount=co_amount,
                )


# --------------------------------------------------------------------------------------------
# A job's cost structure: sub jobs, job cost codes with cost types, posted costs, budgets
# --------------------------------------------------------------------------------------------

SUB_JOB_NAMES = ("Site Work", "Building Shell", "Interiors", "Parking Structure", "Landscaping")


def _cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def seed_cost_structure(
    tenant: str,
    jobs: list[DemoJob],
    seed: int,
    *,
    cost_codes_per_job: int = 12,
    sub_jobs_per_job: int = 1,
    cost_codes_per_sub_job: int = 4,
    cost_types_per_code: int | None = None,
    budgets: bool = True,
) -> None:
    """Per job: ``sub_jobs_per_job`` sub jobs (``01``, ``02``, …), ``cost_codes_per_job``
    cost codes opened on the job itself and ``cost_codes_per_sub_job`` on each sub job, each
    with two or three cost types (or ``cost_types_per_code``), a posted cost on every pair
    (original estimate, revised estimate, job-to-date cost), and a budget whose lines carry the
    original estimates of the job's own cost codes. A job that has cost codes already is left
    as it is, so a second run adds only new jobs' structures."""
    leaf_codes = list(
        DemoCostCode.objects.filter(tenant=tenant, children__isnull=True, is_active=True)
        .exclude(parent=None)
        .order_by("code")
    )
    cost_types = list(DemoCostType.objects.filter(tenant=tenant).order_by("code"))
    if not leaf_codes or not cost_types:
        return
    done = set(
        DemoJobCostCode.objects.filter(job__in=jobs).values_list("job_id", flat=True).distinct()
    )
    for job in jobs:
        if job.pk in done:
            continue
        rng = random.Random(f"{seed}/cost_structure/{job.code}")
        with transaction.atomic():
            billers: list[tuple[DemoSubJob | None, int]] = [(None, cost_codes_per_job)]
            for number in range(1, sub_jobs_per_job + 1):
                code = f"{number:02d}"
                sub_job, _ = DemoSubJob.objects.get_or_create(
                    tenant=tenant,
                    job=job,
                    code=code,
                    defaults={
                        "guid": seeded_guid(tenant, "sub_job", f"{job.code}/{code}"),
                        "name": SUB_JOB_NAMES[(number - 1) % len(SUB_JOB_NAMES)],
                    },
                )
                billers.append((sub_job, cost_codes_per_sub_job))
            _seed_biller_costs(
                tenant, job, billers, leaf_codes, cost_types, rng, cost_types_per_code, budgets
            )


def _seed_biller_costs(tenant, job, billers, leaf_codes, cost_types, rng, per_code, budgets):
    codes: list[DemoJobCostCode] = []
    for sub_job, count in billers:
        chosen = leaf_codes if count >= len(leaf_codes) else rng.sample(leaf_codes, count)
        where = f"{job.code}/{sub_job.code if sub_job else ''}"
        codes.extend(
            DemoJobCostCode(
                tenant=tenant,
                guid=seeded_guid(tenant, "job_cost_code", f"{where}/{code.code}"),
                job=job,
                sub_job=sub_job,
                cost_code=code,
            )
            for code in sorted(chosen[:count], key=lambda c: c.code)
        )
    codes = DemoJobCostCode.objects.bulk_create(codes)
    pairs: list[DemoJobCostType] = []
    for code in codes:
        many = per_code or rng.randint(2, 3)
        chosen = cost_types if many >= len(cost_types) else rng.sample(cost_types, many)
        pairs.extend(
            DemoJobCostType(
                tenant=tenant,
                guid=seeded_guid(tenant, "job_cost_type", f"{code.guid}/{cost_type.code}"),
                job_cost_code=code,
                cost_type=cost_type,
            )
            for cost_type in chosen[:many]
        )
    pairs = DemoJobCostType.objects.bulk_create(pairs)
    costs = []
    for pair in pairs:
        original = _cents(rng, 1_000, 250_000)
        estimate = original + _cents(rng, 0, 20_000)
        costs.append(
            DemoJobCost(
                tenant=tenant,
                guid=seeded_guid(tenant, "job_cost", str(pair.guid)),
                assignment=pair,
                original_estimate=original,
                estimate=estimate,
                job_to_date_cost=(estimate * Decimal(rng.randint(0, 90)) / 100).quantize(
                    Decimal("0.01")
                ),
            )
        )
    DemoJobCost.objects.bulk_create(costs)
    if not budgets:
        return
    budget, _ = DemoBudget.objects.get_or_create(
        tenant=tenant, job=job, defaults={"guid": seeded_guid(tenant, "budget", job.code)}
    )
    by_pair = {cost.assignment.pk: cost for cost in costs}
    lines = DemoBudgetLine.objects.bulk_create(
        DemoBudgetLine(
            tenant=tenant,
            guid=seeded_guid(tenant, "budget_line", str(pair.guid)),
            budget=budget,
            job_cost_code=pair.job_cost_code,
            cost_type=pair.cost_type,
            amount=by_pair[pair.pk].original_estimate,
        )
        for pair in pairs
        if pair.job_cost_code.sub_job_id is None
    )
    DemoBudgetTransaction.objects.bulk_create(
        DemoBudgetTransaction(
            tenant=tenant,
            guid=seeded_guid(tenant, "budget_transaction", str(line.guid)),
            line=line,
            kind="original_estimate",
            amount=line.amount,
            notes="Original estimate",
        )
        for line in lines
    )


COUNTED = {
    "vendors": DemoVendor,
    "cost_codes": DemoCostCode,
    "cost_types": DemoCostType,
    "jobs": DemoJob,
    "commitments": DemoCommitment,
    "change_orders": DemoChangeOrder,
    "sub_jobs": DemoSubJob,
    "job_cost_codes": DemoJobCostCode,
    "job_costs": DemoJobCost,
    "budgets": DemoBudget,
    "prime_contracts": DemoPrimeContract,  # prime contracts (prime_contract_seeding)
}


# -- Commitments and change orders: each line posts to a cost code open on its job -------------


def open_commitment_cost_codes(tenant: str, jobs: list[DemoJob]) -> int:
    """Open on each job (without posted costs) every cost code its commitments' and change
    orders' lines post to, with the line's cost type assigned there, and post each commitment
    line to its job cost code: as an accountant's books keep a commitment, as Procore needs it
    to import the commitment (its lines' cost codes must be in the project), and so a change
    order exported from Procore on a seeded commitment is accepted as the ERP's rules require.
    Returns how many cost type assignments were opened."""
    opened = 0

    def open_pair(
        job: DemoJob, cost_code: DemoCostCode, cost_type: DemoCostType
    ) -> DemoJobCostCode:
        nonlocal opened
        job_code, _ = DemoJobCostCode.objects.get_or_create(
            tenant=tenant,
            job=job,
            sub_job=None,
            cost_code=cost_code,
            defaults={
                "guid": seeded_guid(tenant, "job_cost_code", f"{job.code}//{cost_code.code}")
            },
        )
        _, created = DemoJobCostType.objects.get_or_create(
            tenant=tenant,
            job_cost_code=job_code,
            cost_type=cost_type,
            defaults={
                "guid": seeded_guid(tenant, "job_cost_type", f"{job_code.guid}/{cost_type.code}")
            },
        )
        opened += created
        return job_code

    lines = DemoCommitmentLine.objects.filter(
        tenant=tenant, commitment__job__in=jobs, job_cost_code__isnull=True
    ).select_related("commitment__job", "cost_code", "cost_type")
    for line in lines:
        with transaction.atomic():
            job_code = open_pair(line.commitment.job, line.cost_code, line.cost_type)
            DemoCommitmentLine.objects.filter(pk=line.pk).update(job_cost_code=job_code)
    change_order_lines = DemoChangeOrderLine.objects.filter(
        tenant=tenant, change_order__commitment__job__in=jobs
    ).select_related("change_order__commitment__job", "cost_code", "cost_type")
    pairs = {
        (line.change_order.commitment.job.pk, line.cost_code_id, line.cost_type_id): line
        for line in change_order_lines
    }
    for key in sorted(pairs):
        line = pairs[key]
        open_pair(line.change_order.commitment.job, line.cost_code, line.cost_type)
    return opened


def _counts(tenant: str) -> dict[str, int]:
    return {name: model.objects.filter(tenant=tenant).count() for name, model in COUNTED.items()}


def demo_erp_seed(
    *,
    tenant: str,
    vendors: int = 50,
    jobs: int = 3,
    commitments_per_job: int = 2,
    seed: int = DEFAULT_SEED,
) -> SeedReport:
    """Make sure the books hold vendors V-000001…V-<vendors>, the cost code tree, the five cost
    types and jobs J-1001… with their sub jobs, cost codes, cost types, posted costs and
    budgets, adding only what is missing."""
    if not 0 <= vendors <= MAX_VENDORS:
        raise SeedError(f"The demo ERP numbers at most {MAX_VENDORS:,} vendors.")
    started = time.perf_counter()
    before = _counts(tenant)
    seed_cost_codes(tenant)
    seed_cost_types(tenant)
    seed_vendors(tenant, vendors, seed)
    job_rows = seed_jobs(tenant, jobs, seed)
    seed_commitments(tenant, job_rows, commitments_per_job, seed)
    # Requisitions and payments (issue 11): an invoice and its payment on each subcontract.
    seed_requisitions(tenant, seed, guid=seeded_guid)
    seed_cost_structure(tenant, job_rows, seed)
    # Payment applications and company-level direct costs
    seed_payapps_direct_costs(tenant, job_rows, seed)
    # Prime contracts: one owner contract per job, on the job's own cost codes.
    seed_prime_contracts(tenant, job_rows, seed)
    open_commitment_cost_codes(tenant, job_rows)
    after = _counts(tenant)
    return SeedReport(
        tenant=tenant,
        created={name: after[name] - before[name] for name in after},
        totals=after,
        seconds=time.perf_counter() - started,
    )
