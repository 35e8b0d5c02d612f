"""The ERP records the contract suite seeds, described once and independently of any adapter.

Each adapter's factory fixture (``tests/erp_adapters/contract/adapters/<key>.py``) turns a
``Books`` into its own storage (the demo's tables, a SQL database, a folder of CSV files) and
returns the adapter configured on it. The suite then asks every adapter the same questions and
expects the same Procore-shaped answers, so one ERP's quirks never leak into the engine.

Origin ids are UUID strings (the demo ERP keeps them in a UUID column); codes and names stay
within the strictest limits of the built-in ERPs (vendor names ≤ 30, job codes ≤ 10, cost type
codes ≤ 2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

NAMESPACE = uuid.UUID("0a4f52a4-6a55-4d57-9a3e-6d4b1c8a2f10")


def oid(name: str) -> str:
    """A stable UUID origin id for a record of the sample books."""
    return str(uuid.uuid5(NAMESPACE, name))


@dataclass(frozen=True)
class VendorRow:
    origin_id: str
    code: str
    name: str
    city: str = ""
    state_code: str = ""
    email_address: str = ""


@dataclass(frozen=True)
class CostCodeRow:
    """``code`` is the full code (``03-300``); the parent's full code is its prefix."""

    origin_id: str
    code: str
    name: str
    parent_origin_id: str | None = None


@dataclass(frozen=True)
class CostTypeRow:
    origin_id: str
    code: str
    name: str


@dataclass(frozen=True)
class JobRow:
    origin_id: str
    code: str
    name: str
    city: str = ""
    state_code: str = ""


@dataclass(frozen=True)
class LineRow:
    origin_id: str
    position: int
    description: str
    cost_code_origin_id: str
    cost_type_origin_id: str
    amount: Decimal
    commitment_line_origin_id: str | None = None


@dataclass(frozen=True)
class CommitmentRow:
    """``kind`` is ``subcontract`` or ``purchase_order``; ``status`` is the ERP's word
    (``Void`` for a cancelled one, which no listing shows), blank for the ERP's default."""

    origin_id: str
    kind: str
    number: str
    title: str
    job_origin_id: str
    vendor_origin_id: str
    lines: tuple[LineRow, ...] = ()
    status: str = ""

    @property
    def void(self) -> bool:
        return self.status.lower() == "void"


@dataclass(frozen=True)
class ChangeOrderRow:
    origin_id: str
    number: str
    title: str
    commitment_origin_id: str
    lines: tuple[LineRow, ...] = ()


@dataclass(frozen=True)
class PrimeContractRow:
    """A job's owner contract; ``status`` as the ERP writes it (``Void``: no listing shows it)."""

    origin_id: str
    number: str
    title: str
    job_origin_id: str
    lines: tuple[LineRow, ...] = ()
    status: str = ""

    @property
    def void(self) -> bool:
        return self.status.lower() == "void"


@dataclass(frozen=True)
class RequisitionLineRow:
    """An invoice line billing a commitment line or a change order line."""

    origin_id: str
    position: int
    amount: Decimal
    commitment_line_origin_id: str | None = None
    change_order_line_origin_id: str | None = None
    procore_id: int | None = None
    description: str = ""

    @property
    def item_type(self) -> str:
        if self.change_order_line_origin_id:
            return "Billings::ChangeOrderItem"
        return "Billings::ContractItem"


@dataclass(frozen=True)
class RequisitionRow:
    """An invoice: ``procore_id`` is the Procore requisition it was exported from (None for
    one entered in the ERP); ``status`` ``Void`` for a cancelled one (it bills nothing)."""

    origin_id: str
    number: str
    commitment_origin_id: str
    lines: tuple[RequisitionLineRow, ...]
    procore_id: int | None = None
    billing_date: str = "2026-10-31"
    status: str = ""


@dataclass(frozen=True)
class PaymentRow:
    """A payment on an invoice: ``procore_id`` set when it was exported from Procore."""

    origin_id: str
    number: str
    requisition_origin_id: str
    amount: Decimal
    paid_on: str
    check_number: str = ""
    method: str = "check"
    status: str = ""
    procore_id: int | None = None


@dataclass(frozen=True)
class BillingRow:
    """A pay application (on ``job_origin_id``) or a direct cost (of ``vendor_origin_id``, of
    ``kind``) the ERP holds, with one line of ``amount``; ``status`` is the ERP's word (``Void``
    for a cancelled one)."""

    origin_id: str
    number: str
    status: str = "Approved"
    job_origin_id: str | None = None
    vendor_origin_id: str | None = None
    kind: str = "invoice"
    amount: Decimal = Decimal("0")
    line_origin_id: str = ""

    @property
    def void(self) -> bool:
        return self.status.lower() == "void"


@dataclass(frozen=True)
class SubJobRow:
    origin_id: str
    code: str
    name: str
    job_origin_id: str


@dataclass(frozen=True)
class JobCostEntry:
    """A cost type on a cost code opened on a job (or sub job), with its amounts when the ERP
    holds any (all three, or none: an assignment without job costs)."""

    job_origin_id: str
    sub_job_origin_id: str | None
    cost_code_origin_id: str
    cost_type_origin_id: str
    amounts: tuple[Decimal, Decimal, Decimal] | None = None


@dataclass(frozen=True)
class Books:
    """What one ERP holds. Rows of one entity may reference rows of another by origin id."""

    vendors: tuple[VendorRow, ...] = ()
    cost_codes: tuple[CostCodeRow, ...] = ()
    cost_types: tuple[CostTypeRow, ...] = ()
    jobs: tuple[JobRow, ...] = ()
    commitments: tuple[CommitmentRow, ...] = ()
    change_orders: tuple[ChangeOrderRow, ...] = ()
    prime_contracts: tuple[PrimeContractRow, ...] = ()
    # Requisitions (subcontractor invoices) and the payments on them (issue 13).
    requisitions: tuple[RequisitionRow, ...] = ()
    payments: tuple[PaymentRow, ...] = ()
    # Payment applications and company-level direct costs (exported from Procore).
    pay_apps: tuple[BillingRow, ...] = ()
    direct_costs: tuple[BillingRow, ...] = ()
    # The job cost structure: sub jobs, and the cost codes and cost types opened on each job and
    # sub job.
    sub_jobs: tuple[SubJobRow, ...] = ()
    job_costs: tuple[JobCostEntry, ...] = ()

    def job(self, origin_id: str) -> JobRow:
        return next(j for j in self.jobs if j.origin_id == origin_id)

    def commitment(self, origin_id: str) -> CommitmentRow:
        return next(c for c in self.commitments if c.origin_id == origin_id)

    def cost_code(self, code: str) -> CostCodeRow:
        return next(c for c in self.cost_codes if c.code == code)

    def cost_type(self, code: str) -> CostTypeRow:
        return next(c for c in self.cost_types if c.code == code)

    def vendor(self, code: str) -> VendorRow:
        return next(v for v in self.vendors if v.code == code)

    def with_vendors(self, count: int) -> Books:
        """These books with ``count`` more vendors (to list across several pages)."""
        bulk = tuple(
            VendorRow(oid(f"vendor-bulk-{n}"), f"B-{n:06d}", f"Bulk Vendor {n}")
            for n in range(1, count + 1)
        )
        return replace(self, vendors=self.vendors + bulk)


def sample_books() -> Books:
    """Small books with one of everything the engine handles, deliberately seeded out of order
    (a child cost code before its parent) so that listing order is the adapter's doing; with the
    job structure of ``with_job_structure``."""
    vendors = (
        VendorRow(
            oid("v1"),
            "V-000001",
            "Acme Paving Inc",
            city="Austin",
            state_code="TX",
            email_address="ap@acme.example",
        ),
        VendorRow(oid("v2"), "V-000002", "Ångström Electric", city="Malmö"),
        VendorRow(oid("v3"), "V-000003", "Baker & Sons Concrete", state_code="CA"),
    )
    cost_codes = (
        CostCodeRow(oid("cc-03-300"), "03-300", "Cast-in-Place Concrete", oid("cc-03")),
        CostCodeRow(oid("cc-03"), "03", "Concrete"),
        CostCodeRow(oid("cc-01"), "01", "General Requirements"),
        CostCodeRow(oid("cc-01-100"), "01-100", "Summary", oid("cc-01")),
        CostCodeRow(oid("cc-03-300-10"), "03-300-10", "Footings", oid("cc-03-300")),
    )
    cost_types = (
        CostTypeRow(oid("ct-L"), "L", "Labor"),
        CostTypeRow(oid("ct-M"), "M", "Materials"),
        CostTypeRow(oid("ct-S"), "S", "Subcontract"),
    )
    jobs = (
        JobRow(oid("j1"), "J-1001", "Riverside Clinic", city="Austin", state_code="TX"),
        JobRow(oid("j2"), "J-1002", "Hillcrest School"),
    )
    sc_lines = (
        LineRow(
            oid("sc1-l1"),
            1,
            "Footings",
            oid("cc-03-300-10"),
            oid("ct-S"),
            Decimal("12500.00"),
        ),
        LineRow(oid("sc1-l2"), 2, "Slab on grade", oid("cc-03-300"), oid("ct-S"), Decimal("0.10")),
    )
    commitments = (
        CommitmentRow(
            oid("sc1"), "subcontract", "SC-001", "Concrete works", oid("j1"), oid("v3"), sc_lines
        ),
        CommitmentRow(
            oid("po1"),
            "purchase_order",
            "PO-001",
            "Rebar",
            oid("j2"),
            oid("v1"),
            (
                LineRow(
                    oid("po1-l1"), 1, "Rebar #5", oid("cc-03-300"), oid("ct-M"), Decimal("840.5")
                ),
            ),
        ),
    )
    commitments += (
        CommitmentRow(
            oid("sc-void"),
            "subcontract",
            "SC-009",
            "Cancelled paving",
            oid("j2"),
            oid("v1"),
            (
                LineRow(
                    oid("sc-void-l1"), 1, "Paving", oid("cc-01-100"), oid("ct-S"), Decimal("99")
                ),
            ),
            status="Void",
        ),
    )
    change_orders = (
        ChangeOrderRow(
            oid("co1"),
            "1",
            "Deeper footings",
            oid("sc1"),
            (
                LineRow(
                    oid("co1-l1"),
                    1,
                    "Extra depth",
                    oid("cc-03-300-10"),
                    oid("ct-S"),
                    Decimal("-250.00"),
                    commitment_line_origin_id=oid("sc1-l1"),
                ),
            ),
        ),
    )
    return with_job_structure(
        Books(vendors, cost_codes, cost_types, jobs, commitments, change_orders)
    )


def requisition_books() -> Books:
    """``sample_books()`` with a second (positive) change order on SC-001 and invoice history:
    INV-7001 from Procore (requisition 9001) billing 5,000.00 of SC-001's first line, a void
    invoice (9009) billing 7,000.00 of it that counts for nothing, and an invoice entered in the
    ERP on PO-001. Payments on INV-7001: 2,000.00 by the ERP (the one to list into Procore), a
    void one, and one exported from Procore; and one on the ERP's own invoice."""
    books = sample_books()
    extra_order = ChangeOrderRow(
        oid("co2"),
        "2",
        "Extra pour",
        oid("sc1"),
        (
            LineRow(
                oid("co2-l1"), 1, "Extra pour", oid("cc-03-300"), oid("ct-S"), Decimal("400.00")
            ),
        ),
    )
    requisitions = (
        RequisitionRow(
            oid("r1"),
            "INV-7001",
            oid("sc1"),
            (
                RequisitionLineRow(
                    oid("r1-l1"),
                    1,
                    Decimal("5000.00"),
                    commitment_line_origin_id=oid("sc1-l1"),
                    procore_id=9101,
                    description="Footings",
                ),
            ),
            procore_id=9001,
        ),
        RequisitionRow(
            oid("r-void"),
            "INV-7009",
            oid("sc1"),
            (
                RequisitionLineRow(
                    oid("r-void-l1"),
                    1,
                    Decimal("7000.00"),
                    commitment_line_origin_id=oid("sc1-l1"),
                    procore_id=9109,
                    description="Footings",
                ),
            ),
            procore_id=9009,
            status="Void",
        ),
        RequisitionRow(
            oid("r-erp"),
            "INV-7100",
            oid("po1"),
            (
                RequisitionLineRow(
                    oid("r-erp-l1"),
                    1,
                    Decimal("100.00"),
                    commitment_line_origin_id=oid("po1-l1"),
                    description="Rebar #5",
                ),
            ),
        ),
    )
    payments = (
        PaymentRow(oid("p1"), "PAY-0001", oid("r1"), Decimal("2000.00"), "2026-11-15", "10421"),
        PaymentRow(
            oid("p-void"), "PAY-0002", oid("r1"), Decimal("1000.00"), "2026-11-16", status="Void"
        ),
        PaymentRow(
            oid("p-procore"), "PC-8001", oid("r1"), Decimal("500.00"), "2026-11-17", procore_id=8001
        ),
        PaymentRow(oid("p-erp"), "PAY-0003", oid("r-erp"), Decimal("50.00"), "2026-11-18"),
    )
    return replace(
        books,
        change_orders=(*books.change_orders, extra_order),
        requisitions=requisitions,
        payments=payments,
    )


def billing_books() -> Books:
    """The sample books with a pay application and a direct cost the ERP holds, and a void one
    of each (history: an unlink may let them go)."""
    pay_apps = (
        BillingRow(
            oid("pa1"),
            "1",
            job_origin_id=oid("j1"),
            amount=Decimal("1200.00"),
            line_origin_id=oid("pa1-l1"),
        ),
        BillingRow(
            oid("pa-void"),
            "2",
            "Void",
            job_origin_id=oid("j2"),
            amount=Decimal("50.00"),
            line_origin_id=oid("pa-void-l1"),
        ),
    )
    direct_costs = (
        BillingRow(
            oid("dc1"),
            "INV-501",
            vendor_origin_id=oid("v1"),
            amount=Decimal("310.25"),
            job_origin_id=oid("j1"),
            line_origin_id=oid("dc1-l1"),
        ),
        BillingRow(
            oid("dc-void"),
            "EXP-9",
            "Void",
            kind="expense",
            amount=Decimal("86.40"),
            job_origin_id=oid("j2"),
            line_origin_id=oid("dc-void-l1"),
        ),
    )
    return replace(sample_books(), pay_apps=pay_apps, direct_costs=direct_costs)


def with_job_structure(books: Books) -> Books:
    """``books`` with the structure the demo ERP gives every job (every cost code open, with
    every cost type; some with job costs), and a sub job of the first job with two cost codes
    of its own."""
    entries = []
    priced = {
        ("03-300-10", "S"): (Decimal("13000.00"), Decimal("13250.50"), Decimal("4100.25")),
        ("01-100", "L"): (Decimal("2500"), Decimal("2600"), Decimal("0")),
    }
    for n, job in enumerate(books.jobs):
        for code in books.cost_codes:
            for cost_type in books.cost_types:
                amounts = priced.get((code.code, cost_type.code)) if n == 0 else None
                entries.append(
                    JobCostEntry(job.origin_id, None, code.origin_id, cost_type.origin_id, amounts)
                )
    sub_jobs = ()
    if books.jobs and books.cost_codes and books.cost_types:
        job = books.jobs[0]
        sub_jobs = (SubJobRow(oid("sj-a"), "SJ-A", "Building A", job.origin_id),)
        for code in books.cost_codes[:2]:
            entries.append(
                JobCostEntry(
                    job.origin_id,
                    sub_jobs[0].origin_id,
                    code.origin_id,
                    books.cost_types[-1].origin_id,
                    (Decimal("900.00"), Decimal("950.00"), Decimal("120.40")),
                )
            )
    return replace(books, sub_jobs=sub_jobs, job_costs=tuple(entries))
