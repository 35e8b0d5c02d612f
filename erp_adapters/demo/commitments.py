"""The demo ERP's commitments (subcontracts and purchase orders): the rules it enforces, the one
transaction that writes a document with all its lines, and where a document stands.

An accountant's ERP keeps a commitment as a header (job, vendor, number, status, retainage) and
lines, each posting to one of the job's cost codes with one of the cost types assigned to that
cost code. The rules below refuse, in the accountant's words, everything that would break that
model: a closed job, a vendor the ERP does not know or has deactivated, a cost code not opened
on the job, a cost type not assigned to it, an amount that is not one, lines that do not add up
to the document's total. Every problem of every line is reported at once, each naming the line
by its position and description, so one round of fixes in Procore is enough.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from erp_adapters import money
from erp_adapters.base import (
    JOB_COST_CODE_SEPARATOR,
    CommitmentExport,
    DocumentRef,
    DocumentStanding,
    DocumentState,
)
from erp_adapters.demo import limits
from erp_adapters.demo.checks import (
    COMMITMENT_TYPES,
    Lookup,
    Problems,
    as_dict,
    as_int,
    cost_code_label,
    parse_guid,
    text,
)
from erp_adapters.demo.cost_structure import cost_code_from_origin, job_cost_codes
from erp_adapters.demo.models import (
    CommitmentStatus,
    DemoCommitment,
    DemoCommitmentLine,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
    DemoVendor,
)

# Procore's commitment statuses, as the ERP books them: a binding document is approved, a
# cancelled one is void (and is refused: there is nothing to commit), anything else is open.
APPROVED_IN_PROCORE = {"approved", "complete", "executed"}
VOID_IN_PROCORE = {"void", "terminated"}
HUNDRED = Decimal(100)
MAX_LINES = 2000  # lines on one document
QUANTITIES = money.Precision(places=4)  # quantities and unit costs, as the books keep them


def procore_status(status: Any) -> str:
    word = text(status).lower()
    if word in APPROVED_IN_PROCORE:
        return CommitmentStatus.APPROVED
    if word in VOID_IN_PROCORE:
        return CommitmentStatus.VOID
    return CommitmentStatus.OPEN


def line_label(item: dict[str, Any], index: int) -> str:
    """``Line 3 'Framing labor'``: how Procore's ERP tab lets the accountant find the line."""
    position = as_int(item.get("position")) or index
    description = text(item.get("description"))
    return f"Line {position} '{description}'" if description else f"Line {position}"


@dataclass
class PlannedLine:
    procore_id: int | None
    position: int
    description: str
    job_cost_code: DemoJobCostCode
    cost_type: Any
    quantity: Decimal | None
    unit_cost: Decimal | None
    uom: str
    amount: Decimal


@dataclass
class CommitmentPlan:
    """A ``create_commitment`` export checked against the books, and what it would write."""

    tenant: str
    payload: CommitmentExport
    problems: Problems = field(default_factory=Problems)
    job: DemoJob | None = None
    vendor: DemoVendor | None = None
    kind: str = ""
    lines: list[PlannedLine] = field(default_factory=list)
    retainage: Decimal | None = None
    _opened: dict[tuple[str, str], DemoJobCostCode | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        data = as_dict(self.payload)
        commitment = as_dict(data.get("commitment"))
        if not commitment:
            self.problems.append("The export carries no commitment.")
            return
        lookup = Lookup(self.tenant)
        self._header(data, commitment, lookup)
        items = [as_dict(item) for item in data.get("commitment_items") or []]
        if not items:
            self.problems.append("The commitment has no line items; the ERP needs at least one.")
        if len(items) > MAX_LINES:
            self.problems.append(
                f"The commitment has {len(items):,} lines; the ERP takes at most "
                f"{MAX_LINES:,} on one document."
            )
            return
        assigned = self._assignments()
        for index, item in enumerate(items, start=1):
            self._line(item, index, lookup, assigned)
        self._total(commitment)

    # -- header -----------------------------------------------------------------------------

    def _header(self, data: dict[str, Any], commitment: dict[str, Any], lookup: Lookup) -> None:
        problems = self.problems
        kind = text(commitment.get("type"))
        if kind not in COMMITMENT_TYPES:
            problems.append(
                f"Commitment type '{kind}' is neither a subcontract nor a purchase order."
            )
        else:
            self.kind = COMMITMENT_TYPES[kind][0]
        number = text(commitment.get("number"))
        problems.missing("Commitment number", number)
        problems.too_long(f"Commitment number '{number}'", number, limits.COMMITMENT_NUMBER)
        problems.too_long(
            "Commitment title", text(commitment.get("title")), limits.COMMITMENT_TITLE
        )
        if procore_status(commitment.get("status")) == CommitmentStatus.VOID:
            problems.append(
                f"Commitment {number} is {text(commitment.get('status')).lower()} in Procore; "
                "the ERP does not book a cancelled commitment."
            )
        project = as_dict(commitment.get("project"))
        self.job = job = lookup.job(data.get("job_id"), project)
        if job is None:
            problems.append(
                f"Job '{text(project.get('name')) or text(data.get('job_id'))}' is not in the "
                "ERP; export the project first."
            )
        elif not job.is_active:
            problems.append(
                f"Job {job.code} '{job.name}' is closed in the ERP; nothing can be committed "
                "on it. Reopen the job in the ERP, or choose another project."
            )
        vendor_ref = as_dict(commitment.get("vendor"))
        self.vendor = vendor = lookup.vendor(vendor_ref) if vendor_ref else None
        if not vendor_ref:
            problems.append("The commitment has no vendor; the ERP requires one.")
        elif vendor is None:
            name = text(vendor_ref.get("company")) or text(vendor_ref.get("name")) or "(none)"
            problems.append(f"Vendor '{name}' is not in the ERP; export the vendor first.")
        elif not vendor.is_active:
            problems.append(
                f"Vendor {vendor.code} '{vendor.name}' is inactive in the ERP; activate the "
                "vendor there before committing money to it."
            )
        if job is not None and number:
            taken = DemoCommitment.objects.filter(job=job, number=number).first()
            if taken is not None:
                problems.append(
                    f"Commitment {number} already exists on job {job.code} in the ERP"
                    + (" (void)." if taken.status == CommitmentStatus.VOID else ".")
                    + " Give the commitment another number in Procore and export it again."
                )
        retainage = commitment.get("retainage_percent")
        if retainage not in (None, ""):
            try:
                self.retainage = money.amount(retainage, field="Retainage")
            except money.NotAnAmount:
                problems.append(f"Retainage '{retainage}' is not a percentage.")
            else:
                if not Decimal(0) <= self.retainage <= HUNDRED:
                    problems.append(f"Retainage of {self.retainage}% is not between 0% and 100%.")
                self.retainage = money.to_erp(self.retainage)

    # -- lines ------------------------------------------------------------------------------

    def _assignments(self) -> set[tuple[int, int]]:
        """(job cost code id, cost type id) pairs open on the job and its sub jobs: one query."""
        if self.job is None:
            return set()
        return set(
            DemoJobCostType.objects.filter(job_cost_code__job=self.job).values_list(
                "job_cost_code_id", "cost_type_id"
            )
        )

    def _job_cost_code(self, cost_code: dict[str, Any]) -> DemoJobCostCode | None:
        """The job (or sub job) cost code a Procore line names: its origin id is
        ``<job or sub job id>|<standard cost code id>``. Looked up once per cost code of the
        document, however many lines post to it."""
        key = (text(cost_code.get("origin_id")), text(cost_code.get("full_code")))
        if key not in self._opened:
            self._opened[key] = self._find_job_cost_code(cost_code)
        return self._opened[key]

    def _find_job_cost_code(self, cost_code: dict[str, Any]) -> DemoJobCostCode | None:
        origin = text(cost_code.get("origin_id"))
        standard = cost_code_from_origin(self.tenant, origin)
        if standard is None:
            standard = Lookup(self.tenant).cost_code(cost_code)
        if standard is None:
            return None
        sub_job = None
        if JOB_COST_CODE_SEPARATOR in origin:
            holder = parse_guid(origin.rsplit(JOB_COST_CODE_SEPARATOR, 1)[0])
            if holder is not None and holder != self.job.guid:
                sub_job = DemoSubJob.objects.filter(
                    tenant=self.tenant, guid=holder, job=self.job
                ).first()
        return (
            job_cost_codes(self.job, sub_job)
            .select_related("cost_code")
            .filter(cost_code=standard)
            .first()
        )

    def _line(
        self, item: dict[str, Any], index: int, lookup: Lookup, assigned: set[tuple[int, int]]
    ) -> None:
        problems = self.problems
        label = line_label(item, index)
        problems.too_long(
            f"{label}: the description", text(item.get("description")), limits.LINE_DESCRIPTION
        )
        problems.too_long(f"{label}: the unit of measure", text(item.get("uom")), limits.UOM)
        values: dict[str, Decimal | None] = {}
        for key, blank in (("amount", Decimal(0)), ("quantity", None), ("unit_cost", None)):
            words = key.replace("_", " ")
            try:
                values[key] = money.amount(item.get(key), field=words, blank=blank)
            except money.NotAnAmount:
                problems.append(f"{label}: the {words} '{item.get(key)}' is not a number.")
                continue
            if values[key] is not None and abs(values[key]) >= Decimal(10) ** 12:
                problems.append(f"{label}: the {words} is larger than the ERP allows.")
        cost_code = as_dict(item.get("cost_code"))
        cost_type_ref = as_dict(item.get("line_item_type"))
        job_cost_code = cost_type = None
        if not cost_code:
            problems.append(f"{label} has no cost code; the ERP requires one.")
        elif self.job is not None:
            job_cost_code = self._job_cost_code(cost_code)
            if job_cost_code is None:
                problems.append(
                    f"{label}: cost code {cost_code_label(cost_code)} is not open on job "
                    f"{self.job.code} in the ERP; add it to the job's cost codes first."
                )
            elif not job_cost_code.is_active:
                problems.append(
                    f"{label}: cost code {job_cost_code.cost_code.code} is closed on job "
                    f"{self.job.code} in the ERP."
                )
        if not cost_type_ref:
            problems.append(f"{label} has no cost type; the ERP requires one.")
        else:
            cost_type = lookup.cost_type(cost_type_ref)
            if cost_type is None:
                problems.append(
                    f"{label}: cost type '{text(cost_type_ref.get('name'))}' "
                    f"({text(cost_type_ref.get('code'))}) is not in the ERP."
                )
            elif job_cost_code is not None and (job_cost_code.pk, cost_type.pk) not in assigned:
                problems.append(
                    f"{label}: cost type {cost_type.code} '{cost_type.name}' is not assigned to "
                    f"cost code {job_cost_code.cost_code.code} on job {self.job.code} in the ERP."
                )
        if job_cost_code is None or cost_type is None or len(values) < 3:
            return
        self.lines.append(
            PlannedLine(
                procore_id=as_int(item.get("id")),
                position=as_int(item.get("position")) or index,
                description=text(item.get("description")),
                job_cost_code=job_cost_code,
                cost_type=cost_type,
                quantity=_kept(values["quantity"]),
                unit_cost=_kept(values["unit_cost"]),
                uom=text(item.get("uom")),
                amount=money.to_erp(values["amount"]),
            )
        )

    def _total(self, commitment: dict[str, Any]) -> None:
        """The lines, as the ERP keeps them, must add up to the document's total in Procore:
        otherwise the books and Procore would disagree on what is owed."""
        if self.problems or commitment.get("grand_total") in (None, ""):
            return
        try:
            expected = money.to_erp(money.amount(commitment.get("grand_total")))
        except money.NotAnAmount:
            self.problems.append(
                f"The commitment's total '{commitment.get('grand_total')}' is not an amount."
            )
            return
        booked = money.total(line.amount for line in self.lines)
        if booked != expected:
            self.problems.append(
                f"The lines add up to {money.shown(booked)} in the ERP (each rounded to the "
                f"cent), but the commitment's total in Procore is {money.shown(expected)}; "
                "correct the line amounts in Procore and export it again."
            )


def _kept(value: Decimal | None) -> Decimal | None:
    return None if value is None else money.to_erp(value, QUANTITIES)


def commitment_write(plan: CommitmentPlan, procore_id: int) -> DemoCommitment:
    """Header and every line in one transaction: whole, or (on any error) nothing."""
    commitment = as_dict(as_dict(plan.payload).get("commitment"))
    with transaction.atomic():
        header = DemoCommitment.objects.create(
            tenant=plan.tenant,
            procore_id=procore_id,
            job=plan.job,
            vendor=plan.vendor,
            kind=plan.kind,
            number=text(commitment.get("number")),
            title=text(commitment.get("title")),
            description=text(commitment.get("description")),
            status=procore_status(commitment.get("status")),
            executed=bool(commitment.get("executed")),
            retainage_percent=plan.retainage,
        )
        DemoCommitmentLine.objects.bulk_create(
            DemoCommitmentLine(
                tenant=plan.tenant,
                commitment=header,
                procore_id=line.procore_id,
                position=line.position,
                description=line.description,
                job_cost_code=line.job_cost_code,
                cost_code=line.job_cost_code.cost_code,
                cost_type=line.cost_type,
                quantity=line.quantity,
                unit_cost=line.unit_cost,
                uom=line.uom,
                amount=line.amount,
            )
            for line in plan.lines
        )
    return header


def commitment_refusal_if_void(row: DemoCommitment) -> list[str]:
    """A void document is history: an export that finds it (after an unlink in Procore, say)
    is refused rather than bringing it back."""
    if row.status != CommitmentStatus.VOID:
        return []
    return [
        f"Commitment {row.number} on job {row.job.code} is void in the ERP and cannot be "
        "brought back. Create a new commitment in Procore (with another number) and export "
        "that one."
    ]


def commitment_find(tenant: str, ref: DocumentRef) -> DemoCommitment | None:
    ref = as_dict(ref)
    rows = DemoCommitment.objects.filter(tenant=tenant).select_related("job")
    guid = parse_guid(ref.get("origin_id"))
    if guid is not None:
        found = rows.filter(guid=guid).first()
        if found is not None:
            return found
    procore_id = as_int(ref.get("procore_id"))
    return rows.filter(procore_id=procore_id).first() if procore_id is not None else None


def commitment_standing(tenant: str, ref: DocumentRef) -> DocumentStanding:
    row = commitment_find(tenant, ref)
    if row is None:
        return DocumentStanding(DocumentState.GONE, "The commitment")
    return DocumentStanding(
        DocumentState(row.status), f"Commitment {row.number} on job {row.job.code}"
    )


def commitment_void(row: DemoCommitment) -> None:
    """What the accountant does in the ERP to cancel a commitment: it stays, void."""
    DemoCommitment.objects.filter(pk=row.pk).update(
        status=CommitmentStatus.VOID, voided_at=timezone.now()
    )
