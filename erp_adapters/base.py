"""The one interface every ERP adapter implements, and the plain values that cross it.

The sync engine talks to an ERP only through these types, so that adding an accounting
system means writing one adapter, never touching the engine. An adapter knows nothing of
Procore's HTTP API, the portal's models or Django views: it lists what the ERP holds (already
shaped as Procore wants it) and creates what Procore exports (returning the External Data
links Procore needs back).

Shapes follow `procore-erp-api.md`: `ERPObject.data` is the `data` of a staged record
(`erp_staged_records.md`, "Supported Fields") or, for standard cost codes and cost types that are
synced directly, the fields of one `updates` item of `standard_cost_codes/sync` or
`line_item_types/sync` without `origin_id`. Export payloads are the `request_data` of the events
dictionary (`create_vendor`, `create_or_update_job`, `create_sub_job`, `create_budget`, one item
of `create_standard_cost_codes`, `delete_cost_codes` or `delete_cost_type_assignments`,
`create_commitment`, `create_commitment_change_order`). Each entity has its own protocol
(`VendorAdapter`, `JobAdapter`, `SubJobAdapter`, `BudgetAdapter`, …): what it adds beyond
listing and creating (update, delete-or-refuse, release, budgets) is typed there.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Protocol, TypedDict, TypeVar

# --------------------------------------------------------------------------------------------
# Entities and the values that cross the interface
# --------------------------------------------------------------------------------------------


class Entity(StrEnum):
    """What an adapter can list and create; the names are the metadata's entity keys (§f)."""

    VENDORS = "vendors"
    JOBS = "jobs"
    SUB_JOBS = "sub_jobs"
    JOB_COSTS = "job_costs"
    STANDARD_COST_CODES = "standard_cost_codes"
    STANDARD_CATEGORIES = "standard_categories"
    BUDGETS = "budgets"
    COMMITMENTS = "commitments"
    COMMITMENT_CHANGE_ORDERS = "commitment_change_orders"
    # Payment applications and company-level direct costs
    PAYMENT_APPLICATIONS = "payment_applications"
    COMPANY_LEVEL_DIRECT_COSTS = "company_level_direct_costs"
    # Prime contracts (imported) and their change orders (exported).
    PRIME_CONTRACTS = "prime_contracts"
    PRIME_CONTRACT_CHANGE_ORDERS = "prime_contract_change_orders"
    # -- Requisitions and payments (issue 11) --
    REQUISITIONS = "requisitions"
    CONTRACT_PAYMENTS = "contract_payments"


@dataclass(frozen=True, slots=True)
class ERPObject:
    """One object as the ERP holds it, ready to stage or sync in Procore.

    ``item_type`` is the staged-records item type (``vendor``, ``project``,
    ``work_order_contract``, ``purchase_order_contract``, ``commitment_change_order``,
    ``line_item``) or, for the directly synced entities, ``standard_cost_code`` and
    ``line_item_type``. ``data`` holds only JSON values (money and quantities as decimal strings,
    dates as ISO strings) and never repeats ``origin_id``/``origin_code``; the engine adds those
    and sends ``data`` unchanged. ``children`` are line items (commitments, change orders).
    """

    item_type: str
    origin_id: str
    origin_code: str
    data: dict[str, Any]
    children: tuple[ERPObject, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict; children nested under ``children`` as the staged-records sync
        endpoint accepts them."""
        out: dict[str, Any] = {
            "item_type": self.item_type,
            "origin_id": self.origin_id,
            "origin_code": self.origin_code,
            "data": self.data,
        }
        if self.children:
            out["children"] = [child.as_json() for child in self.children]
        return out

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON, so an unchanged object hashes the same on every read."""
        canonical = json.dumps(
            self.as_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """One External Data update: which Procore object now has which ERP id."""

    item_type: str
    item_id: int
    origin_id: str | None  # None unsyncs the object in Procore (unlink)

    def as_update(self) -> dict[str, Any]:
        return {"item_type": self.item_type, "item_id": self.item_id, "origin_id": self.origin_id}


@dataclass(frozen=True, slots=True)
class CreateResult:
    """What creating a Procore export in the ERP produced.

    ``created`` is False when the ERP already held the object for this Procore id (a
    re-delivered request, a retry after a crash, or a lost race): the caller proceeds exactly as
    after a fresh create. ``links`` are the External Data updates for the header and each child,
    header first.
    """

    origin_id: str
    origin_code: str
    created: bool
    links: tuple[ExternalLink, ...] = ()
    assignments: tuple[AssignmentRef, ...] = ()


@dataclass(frozen=True, slots=True)
class AssignmentRef:
    """A cost type assigned to a cost code, by Procore ids: what
    ``cost_code_line_item_types/sync`` marks ``synced`` once the ERP holds it (jobs, sub jobs)."""

    cost_code_id: int
    line_item_type_id: int

    def as_update(self) -> dict[str, Any]:
        return {
            "cost_code_id": self.cost_code_id,
            "line_item_type_id": self.line_item_type_id,
            "synced": True,
        }


@dataclass(frozen=True, slots=True)
class Deletion:
    """What a delete the ERP allowed did. ``deleted`` is False when the ERP no longer held the
    object (deleted there already): Procore may delete its copy all the same. ``label`` names the
    object as the accountant knows it ("03-300 Concrete on job J-1001")."""

    deleted: bool
    label: str


@dataclass(frozen=True, slots=True)
class TransactionLink:
    """A budget transaction the ERP holds: Procore's transaction id and the ERP's id for it, as
    ``erp_transactions/sync`` takes them."""

    id: int
    origin_id: str

    def as_update(self) -> dict[str, Any]:
        return {"id": self.id, "origin_id": self.origin_id, "synced": True}


@dataclass(frozen=True, slots=True)
class BudgetResult:
    """What exporting a budget produced: the budget's External Data link, and every transaction
    of the export the ERP now holds (``posted`` of them new; a re-delivered export posts none
    twice)."""

    origin_id: str
    origin_code: str
    created: bool
    links: tuple[ExternalLink, ...]
    transactions: tuple[TransactionLink, ...]
    posted: int


class HealthState(StrEnum):
    """The same words as ``Connection.Health``."""

    OK = "ok"
    DEGRADED = "degraded"
    FAILING = "failing"


@dataclass(frozen=True, slots=True)
class HealthStatus:
    state: HealthState
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.state is HealthState.OK


# --------------------------------------------------------------------------------------------
# Errors: the engine classifies by class, once
# --------------------------------------------------------------------------------------------


class AdapterError(Exception):
    """Base class for everything an adapter or the registry raises on purpose."""


class ConstraintViolation(AdapterError):
    """The ERP refuses the object. Permanent: close the Request Detail ``failed`` with
    ``messages`` (each one sentence an accountant can act on)."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


class ERPUnavailable(AdapterError):
    """The ERP cannot be reached or is busy. Retryable with backoff."""


class ERPMisconfigured(ERPUnavailable):
    """The adapter's settings do not fit the ERP (a wrong password, a table or column that does
    not exist). Nothing the accountant can fix, so never a refusal: the work waits and retries
    like an outage (nothing is lost) until someone corrects the settings; the message names the
    entity and the setting."""


class EntityNotSupported(AdapterError):
    """This adapter's ERP has no such entity. Permanent."""


class ERPPending(AdapterError):
    """The ERP has the object but answers later: a file-exchange ERP imports the outbox file on
    its own schedule and writes an acknowledgement. Not a failure: the engine shows the Request
    Detail ``in_progress`` and calls ``create`` again with the same payload after
    ``check_again_in`` seconds (or as soon as the answer arrives), and ``create`` then returns
    the ERP's answer (or raises it)."""

    def __init__(self, message: str, *, check_again_in: float = 300.0) -> None:
        self.check_again_in = float(check_again_in)
        super().__init__(message)


class ERPNoAnswer(AdapterError):
    """The ERP was handed the object but never answered within the adapter's time limit. The
    engine closes the Request Detail ``stale`` with the message; support can re-drive it once
    the ERP has processed the object."""


class UnknownAdapter(AdapterError):
    """No adapter is registered under the key."""


class AdapterSettingsError(AdapterError):
    """The adapter's settings do not match its JSON Schema; ``problems`` lists each one."""

    def __init__(self, adapter_key: str, problems: list[str]) -> None:
        self.adapter_key = adapter_key
        self.problems = list(problems)
        super().__init__(
            f"Settings for the {adapter_key!r} ERP adapter are not valid: " + "; ".join(problems)
        )


@dataclass(frozen=True, slots=True)
class ERPAnswer:
    """The ERP's late answer about an object it was handed (``ERPPending``): which Procore
    object and Request Detail it concerns, so the portal can take up the waiting request now
    rather than at its next check. The answer itself stays with the adapter, which ``create``
    returns (or raises) when called again."""

    entity: Entity
    procore_id: int
    request_detail_id: int | None
    status: str  # "success" or "failed"


@dataclass(frozen=True, slots=True)
class UnreadableRecord:
    """A record the ERP holds that the adapter could not read (a bad row of an import file):
    ``where`` names it as a person finds it (``vendors.csv, line 7``), ``reason`` says what is
    wrong (``column tax_id: '12,5' is not a decimal``). ``origin_id`` is the ERP's id of the
    record the bad row belongs to when the adapter can still tell (the row's id column reads),
    None when it cannot: the engine never archives a record it knows is unreadable, and
    archives nothing at all while an unreadable record has no id (it might be any of them)."""

    where: str
    reason: str
    origin_id: str | None = None


@dataclass
class ListingProblems:
    """What one ``list()`` pass could not read: the count, and the first few samples (so memory
    stays flat however many rows are bad). An adapter whose ERP can hold unreadable records
    exposes the last pass's as ``listing_problems`` on the entity adapter; the engine reports
    them on the import run and goes on with the rest (docs/adapters.md, "Records the ERP holds
    but the adapter cannot read").

    The ERP still holds an unreadable record, so it has not left the ERP: ``held`` keeps the
    origin id of every one that names it, and ``unidentified`` counts those that do not, so the
    engine can tell what it must not archive (``keeps``)."""

    SAMPLES: ClassVar[int] = 5

    count: int = 0
    samples: list[UnreadableRecord] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    unidentified: int = 0

    def add(self, record: UnreadableRecord) -> None:
        self.count += 1
        if record.origin_id:
            self.held.add(record.origin_id)
        else:
            self.unidentified += 1
        if len(self.samples) < self.SAMPLES:
            self.samples.append(record)

    def keeps(self, origin_id: str) -> bool:
        """Whether a record the listing left out may still be in the ERP (unreadable): True
        for one whose row was named, and for every record while some bad row names none."""
        return bool(self.unidentified) or origin_id in self.held


def listing_problems_of(source: Any) -> ListingProblems:
    """The problems of ``source``'s last ``list()`` pass (none for adapters that cannot have
    any, such as a database whose columns are typed)."""
    problems = getattr(source, "listing_problems", None)
    return problems if isinstance(problems, ListingProblems) else ListingProblems()


# --------------------------------------------------------------------------------------------
# Export payloads: the `request_data` of the events dictionary (only the keys adapters read)
# --------------------------------------------------------------------------------------------


class ProcoreRef(TypedDict, total=False):
    """A reference to another Procore object inside a payload (project, vendor, …)."""

    id: int
    name: str
    company: str
    origin_id: str | None
    origin_data: str | None


class ProcoreVendor(TypedDict, total=False):
    id: int
    name: str
    company: str
    abbreviated_name: str | None
    address: str | None
    city: str | None
    state_code: str | None
    zip: str | None
    country_code: str | None
    business_phone: str | None
    fax_number: str | None
    mobile_phone: str | None
    email_address: str | None
    website: str | None
    license_number: str | None
    trade_name: str | None
    is_active: bool
    origin_id: str | None
    origin_code: str | None
    erp_custom_fields: dict[str, Any]


class VendorExport(TypedDict, total=False):
    """`create_vendor`."""

    vendor: ProcoreVendor
    request_detail_id: int
    company_id: int


class ProcoreCostCodeRef(TypedDict, total=False):
    id: int
    name: str
    code: str
    full_code: str
    sortable_code: str
    origin_id: str | None
    standard_cost_code_id: int | None
    standard_cost_code_origin_id: str | None
    line_item_types: list[dict[str, Any]]


class ProcoreJob(TypedDict, total=False):
    id: int
    name: str
    origin_id: str | None
    origin_code: str | None
    address: str | None
    city: str | None
    state_code: str | None
    zip: str | None
    country_code: str | None
    active: bool
    erp_custom_fields: dict[str, Any]


class JobExport(TypedDict, total=False):
    """`create_or_update_job`."""

    job: ProcoreJob
    all_cost_codes: list[ProcoreCostCodeRef]
    request_detail_id: int
    company_id: int


class ProcoreSubJob(TypedDict, total=False):
    id: int
    code: str
    name: str
    origin_id: str | None
    synced: bool
    project: ProcoreRef


class SubJobExport(TypedDict, total=False):
    """`create_sub_job`."""

    sub_job: ProcoreSubJob
    all_cost_codes: list[ProcoreCostCodeRef]
    request_detail_id: int
    company_id: int


class CostCodeDeletion(TypedDict, total=False):
    """One item of `delete_cost_codes`, with the scope (project, sub job) of the request."""

    project: ProcoreRef
    sub_job: ProcoreRef | None
    id: int
    origin_id: str | None
    sortable_code: str
    request_detail_id: int


class CostTypeAssignmentDeletion(TypedDict, total=False):
    """One item of `delete_cost_type_assignments`, with the scope of the request."""

    project: ProcoreRef
    sub_job: ProcoreRef | None
    id: int
    cost_code_origin_id: str | None
    line_item_type_origin_id: str | None
    job_cost_id: int | None
    request_detail_id: int


class ProcoreJobCost(TypedDict, total=False):
    """A budget line's ERP job cost in `create_budget` / `update_budget`."""

    id: int
    cost_code_origin_id: str | None
    line_item_type_origin_id: str | None
    budget_line_item_id: int
    new_amount: float | str
    job_origin_id: str | None
    sub_job_origin_id: str | None


class ProcoreBudgetTransaction(TypedDict, total=False):
    id: int
    origin_id: str | None
    value: float | str
    synced: bool
    type: str  # "Erp::OriginalEstimateTransaction", …
    job_cost_id: int
    notes: str | None


class BudgetExport(TypedDict, total=False):
    """`create_budget` and `update_budget` (``job_id`` is the job's origin id; a re-export
    carries only the unsynced transactions)."""

    job_id: str
    budget: dict[str, Any]
    job_costs: list[ProcoreJobCost]
    transactions: list[ProcoreBudgetTransaction]
    request_detail_id: int
    company_id: int


class StandardCostCodeExport(TypedDict, total=False):
    """One item of the `create_standard_cost_codes` list."""

    id: int
    standard_cost_code_list_id: int
    origin_id: str | None
    parent_id: int | None
    parent_origin_id: str | None
    code: str
    full_code: str
    name: str
    request_detail_id: int


class CostTypeExport(TypedDict, total=False):
    """A Procore line item type as payloads carry it (``line_item_type``)."""

    id: int
    name: str
    code: str
    base_type: str | None
    origin_id: str | None


class ProcoreLineItem(TypedDict, total=False):
    id: int
    position: int | None
    description: str | None
    amount: str
    quantity: str | None
    unit_cost: str | None
    uom: str | None
    cost_code: ProcoreCostCodeRef
    line_item_type: CostTypeExport
    commitment_line_item_id: int | None
    origin_id: str | None


class ProcoreCommitment(TypedDict, total=False):
    id: int
    type: str  # "WorkOrderContract" | "PurchaseOrderContract"
    number: str
    title: str
    description: str | None
    status: str
    executed: bool
    retainage_percent: str | None
    origin_id: str | None
    origin_code: str | None
    project: ProcoreRef
    vendor: ProcoreRef
    erp_custom_fields: dict[str, Any]


class CommitmentExport(TypedDict, total=False):
    """`create_commitment` (``job_id`` is the job's origin id)."""

    job_id: str
    commitment: ProcoreCommitment
    commitment_items: list[ProcoreLineItem]
    additional_data: dict[str, Any]
    request_detail_id: int
    company_id: int


class ProcoreChangeOrder(TypedDict, total=False):
    id: int
    contract_id: int
    number: int | str
    title: str
    description: str | None
    status: str
    origin_id: str | None
    origin_code: str | None
    erp_custom_fields: dict[str, Any]


class CommitmentChangeOrderExport(TypedDict, total=False):
    """`create_commitment_change_order`."""

    job_origin_id: str
    commitment: ProcoreCommitment
    commitment_items: list[ProcoreLineItem]
    change_order: ProcoreChangeOrder
    change_order_items: list[ProcoreLineItem]
    additional_data: dict[str, Any]
    request_detail_id: int
    company_id: int


# --------------------------------------------------------------------------------------------
# Conventions shared with the engine
# --------------------------------------------------------------------------------------------

JOB_COST_CODE_SEPARATOR = "|"


def job_cost_code_origin_id(job_origin_id: str, cost_code_origin_id: str) -> str:
    """The origin id of a cost code inside one job (a Procore *project* cost code).

    Procore's ``origin_id`` is unique per company across projects, so a standard cost code used
    in several jobs needs one id per job; the events dictionary's own samples use
    ``"<job origin id>|<cost code origin id>"``, and so do we.
    """
    return f"{job_origin_id}{JOB_COST_CODE_SEPARATOR}{cost_code_origin_id}"


def standard_part_of_cost_code_origin_id(origin_id: str) -> str:
    """The standard cost code's origin id inside a job cost code's origin id (or itself)."""
    return origin_id.rsplit(JOB_COST_CODE_SEPARATOR, 1)[-1]


# --------------------------------------------------------------------------------------------
# The interface
# --------------------------------------------------------------------------------------------

PayloadT = TypeVar("PayloadT", contravariant=True)


class EntityAdapter(Protocol[PayloadT]):
    """What an adapter offers for one entity."""

    entity: Entity

    def list(self) -> Iterator[ERPObject]:
        """Every object of this entity in the ERP, streamed: memory stays bounded by a page,
        whatever the count. Parents come before their children (cost code trees).

        The import treats an object it once had and no longer finds here as gone from the ERP
        (archived, forgotten, its job costs deleted). One the ERP holds but the adapter cannot
        read is not gone: leave it out, and put it in ``listing_problems`` as an
        ``UnreadableRecord`` naming its ``origin_id`` when the adapter can still tell it (an
        ``UnreadableRecord`` without one stops the run from removing anything)."""
        ...

    def check_create(self, payload: PayloadT) -> list[str]:
        """Why the ERP would refuse ``payload``, as sentences an accountant can act on; empty
        when it would accept it (or already holds this Procore object)."""
        ...

    def create(self, payload: PayloadT) -> CreateResult:
        """Create the object, idempotently on the Procore id: a second call, or a call that
        loses a race to another worker, returns the existing object with ``created=False``.
        Raises ``ConstraintViolation`` (permanent) or ``ERPUnavailable`` (retry)."""
        ...


class VendorAdapter(EntityAdapter[VendorExport], Protocol):
    """Vendors; ``update`` is for a vendor exported again once the metadata enables vendor
    updates (``vendors.configs.export.update``)."""

    def check_update(self, payload: VendorExport) -> list[str]:
        """Why the ERP would refuse to update the vendor the payload's ``origin_id`` names."""
        ...

    def update(self, payload: VendorExport) -> CreateResult:
        """Update the ERP vendor named by ``origin_id`` (or the Procore id); its code stays.
        Raises ``ConstraintViolation`` when it is not in the ERP or the ERP refuses."""
        ...


class JobAdapter(EntityAdapter[JobExport], Protocol):
    """Jobs and their cost codes. ``create`` creates the job, or updates it when the ERP holds
    it already (by Procore id or origin id), then opens the exported cost codes with their cost
    types; ``CreateResult.assignments`` are those Procore should now mark synced."""

    def release(self, project: ProcoreRef) -> tuple[ExternalLink, ...]:
        """Procore reset the project (``reset_job``): the ERP keeps the job and its history but
        forgets every Procore id on it, its sub jobs and cost codes. Returns the ties dropped."""
        ...

    def delete_cost_code(self, item: CostCodeDeletion) -> Deletion:
        """Delete a job (or sub job) cost code, or raise ``ConstraintViolation`` saying why the
        ERP keeps it (costs posted, budget amounts)."""
        ...

    def delete_cost_type_assignment(self, item: CostTypeAssignmentDeletion) -> Deletion:
        """Remove a cost type from a job cost code, or raise ``ConstraintViolation``."""
        ...

    def release_cost_codes(self, origin_ids: list[str]) -> tuple[ExternalLink, ...]:
        """Procore deleted these cost codes itself (``delete_cost_code``): the ERP keeps them,
        without their Procore ids."""
        ...

    # -- jobs: sync_single_job (a contiguous block) --
    def get(self, origin_id: str) -> ERPObject | None:
        """One job exactly as ``list`` gives it (None when the ERP has no such job), for
        ``sync_single_job``. Optional: without it the engine walks ``list``."""
        ...


class SubJobAdapter(EntityAdapter[SubJobExport], Protocol):
    """Sub jobs, created under a job the ERP holds, with their own cost codes."""

    def release(self, sub_job: ProcoreRef) -> tuple[ExternalLink, ...]:
        """``reset_sub_job``: like ``JobAdapter.release`` for one sub job."""
        ...


class BudgetAdapter(Protocol):
    """Budgets: exported from Procore, one per job, as lines per cost code and cost type that
    transactions add up."""

    entity: Entity

    def check_export(self, payload: BudgetExport) -> list[str]:
        """Why the ERP would refuse the budget (job, cost codes or cost types it lacks)."""
        ...

    def export(self, payload: BudgetExport) -> BudgetResult:
        """Create or find the job's budget and post the payload's transactions, each once
        (keyed by Procore's transaction id). Raises ``ConstraintViolation``/``ERPUnavailable``."""
        ...

    def note_imported(self, project_origin_id: str, budget_id: int) -> str | None:
        """Procore created a budget from the ERP's (``create_budget_in_procore``): remember its
        Procore id; returns the budget's origin id, or None if the ERP has no budget there."""
        ...


StandardCostCodeAdapter = EntityAdapter[StandardCostCodeExport]
CostTypeAdapter = EntityAdapter[CostTypeExport]
# -- A document's standing in the ERP, when Procore asks to unlink it (every unlink and reset) ---
# One answer for every exported document (commitments and their change orders, prime contract
# change orders, payment applications, direct costs, payments): Procore may unsync a document
# only when the ERP no longer holds it or holds it void.


class DocumentState(StrEnum):
    """Where a document stands in the ERP's books. ``GONE``: deleted there (or never there)."""

    OPEN = "open"
    APPROVED = "approved"
    VOID = "void"
    GONE = "gone"


class DocumentRef(TypedDict, total=False):
    """How an unlink or reset names the document: Procore's id and the ERP's id (either may be
    missing), and the numbers Procore knows it by, to name it when the ERP no longer can."""

    procore_id: int | None
    origin_id: str | None
    origin_code: str | None
    job_origin_id: str | None
    number: str | None


@dataclass(frozen=True, slots=True)
class DocumentStanding:
    """What the ERP says of an exported document when Procore asks to unlink it: its state,
    and the words that name it to an accountant ("Commitment SC-001 on job J-1001").

    ``status`` is the ERP's own word for the state where a message quotes it ("Pending");
    ``reason`` is the ERP's sentence on why a live document stays linked, when it says more
    than the label; ``dropped`` are the ties to Procore the ERP let go of while answering (a
    void document it will not revive); ``line_procore_ids`` the Procore ids of its lines the ERP
    knows, to unsync them too."""

    state: DocumentState
    label: str
    status: str = ""
    reason: str = ""
    dropped: tuple[ExternalLink, ...] = ()
    line_procore_ids: tuple[int, ...] = ()

    @property
    def live(self) -> bool:
        """Still binding in the ERP: Procore must keep it synced."""
        return self.state in (DocumentState.OPEN, DocumentState.APPROVED)

    @property
    def unlinkable(self) -> bool:
        """Deleted or void in the ERP: Procore may unsync it."""
        return not self.live


# -- Commitment change orders ------------------------------------------------------------------


class CommitmentChangeOrderAdapter(EntityAdapter[CommitmentChangeOrderExport], Protocol):
    """Commitment change orders with their lines, created whole or not at all, once per Procore
    id; listed with their lines as children (``commitment_origin_id`` on the header,
    ``commitment_line_item_origin_id`` on each line)."""

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The change order by the ERP's id (else Procore's), for an unlink, with the Procore
        ids of its lines. A void one keeps its Procore id (exporting it again is refused)."""
        ...


# --------------------------------------------------------------------------------------------
# Prime contracts and prime contract change orders (events dictionary sections "Prime
# Contracts" and "Prime Contract Change Orders")
# --------------------------------------------------------------------------------------------
# A prime contract is the owner's contract of a job: entered in the ERP and imported into
# Procore as a staged ``prime_contract`` with its ``line_item`` children. Its change orders are
# approved in Procore and exported (``create_prime_contract_change_order``), with their lines and
# markups, whole or not at all; Procore later asks to unlink one (the ERP says whether it is
# gone) or a Super User resets one (the ERP keeps it, untied from Procore).


class ProcoreMarkupLineItem(TypedDict, total=False):
    """One markup applied to a change order line (``markup_line_items[]``): its amount, and the
    markup's percentage and where it posts."""

    id: int
    amount: str
    markup: dict[str, Any]


class ProcorePrimeContractLineItem(ProcoreLineItem, total=False):
    extended_amount: str
    prime_line_item_id: int | None
    prime_line_item_origin_id: str | None
    markup_line_items: list[ProcoreMarkupLineItem]


class PrimeContractChangeOrderExport(TypedDict, total=False):
    """`create_prime_contract_change_order`."""

    project: ProcoreRef
    prime_contract: dict[str, Any]
    prime_contract_items: list[ProcorePrimeContractLineItem]
    prime_contract_change_order: ProcoreChangeOrder
    prime_contract_change_order_items: list[ProcorePrimeContractLineItem]
    request_detail_id: int


class PrimeContractAdapter(Protocol):
    """Prime contracts (``Entity.PRIME_CONTRACTS``): listing only. Each ``ERPObject`` is a
    ``prime_contract`` whose ``data`` carries ``project_origin_id`` and whose children are its
    ``line_item``s (``cost_code_origin_id``, ``line_item_type_origin_id``, amounts as decimal
    strings)."""

    entity: Entity

    def list(self) -> Iterator[ERPObject]: ...


class PrimeContractChangeOrderAdapter(EntityAdapter[PrimeContractChangeOrderExport], Protocol):
    """Prime contract change orders: ``create`` writes the change order, its lines and markups
    in one transaction (a refused line leaves nothing) and is idempotent on the Procore id;
    ``CreateResult.links`` are the ``change_order``, then each ``line_item`` and ``markup``."""

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Whether the change order is deleted or void in the ERP. When it is void, the ERP
        forgets its Procore ids (``dropped``): a void document is never revived, so exporting
        the change order again makes a new one."""
        ...

    def release(self, ref: DocumentRef) -> tuple[ExternalLink, ...]:
        """A Super User reset: the ERP keeps the change order but forgets every Procore id on
        it, its lines and markups. Returns the ties dropped."""


# -- Commitments (subcontracts and purchase orders) ---------------------------------------------


class CommitmentAdapter(EntityAdapter[CommitmentExport], Protocol):
    """Subcontracts and purchase orders. ``create`` writes the header and every line in one
    transaction (all or nothing: one refused line leaves nothing behind) and is idempotent on
    the Procore id; ``list`` yields headers with their lines as ``children``."""

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """The document's state in the ERP (``GONE`` when it is not there any more)."""
        ...


class Adapter(ABC):
    """One external accounting system, configured for one company.

    Subclasses set ``key`` (the registry key stored on ``Connection.adapter_key``), ``label``
    and ``settings_schema`` (a JSON Schema for ``Connection.adapter_settings``; top-level
    ``default`` values are filled in by the registry before ``__init__`` sees the settings).
    """

    key: ClassVar[str]
    label: ClassVar[str]
    settings_schema: ClassVar[dict[str, Any]]
    # True for an ERP that answers exports later (``ERPPending``): the portal then calls
    # ``answers_collect`` on a schedule and re-drives the requests it names.
    answers_later: ClassVar[bool] = False

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.settings: dict[str, Any] = dict(settings)

    @abstractmethod
    def entities(self) -> Mapping[Entity, Any]:
        """The entities this ERP supports."""

    @abstractmethod
    def health_check(self) -> HealthStatus:
        """Whether the ERP answers, and anything that will make exports fail (cheap to call)."""

    def answers_collect(self) -> list[ERPAnswer]:
        """The answers the ERP gave since the last call, each taken once (an adapter whose
        ``create`` answers at once has none)."""
        return []

    def supports(self, entity: Entity | str) -> bool:
        return Entity(entity) in self.entities()

    def entity(self, entity: Entity | str) -> Any:
        try:
            return self.entities()[Entity(entity)]
        except (KeyError, ValueError):
            raise EntityNotSupported(
                f"The {self.label} does not handle {str(entity).replace('_', ' ')}."
            ) from None

    @property
    def vendors(self) -> VendorAdapter:
        return self.entity(Entity.VENDORS)

    @property
    def jobs(self) -> JobAdapter:
        return self.entity(Entity.JOBS)

    @property
    def sub_jobs(self) -> SubJobAdapter:
        return self.entity(Entity.SUB_JOBS)

    @property
    def budgets(self) -> BudgetAdapter:
        return self.entity(Entity.BUDGETS)

    # Commitments and commitment change orders: no flow calls these yet.

    @property
    def standard_cost_codes(self) -> StandardCostCodeAdapter:
        return self.entity(Entity.STANDARD_COST_CODES)

    @property
    def standard_categories(self) -> CostTypeAdapter:
        return self.entity(Entity.STANDARD_CATEGORIES)

    @property
    def job_costs(self) -> JobCostAdapter:
        return self.entity(Entity.JOB_COSTS)  # type: ignore[return-value]

    @property
    def commitments(self) -> CommitmentAdapter:
        return self.entity(Entity.COMMITMENTS)

    @property
    def commitment_change_orders(self) -> CommitmentChangeOrderAdapter:
        return self.entity(Entity.COMMITMENT_CHANGE_ORDERS)

    # -- Payment applications and company-level direct costs ----------------------------------

    @property
    def payment_applications(self) -> PaymentApplicationAdapter:
        return self.entity(Entity.PAYMENT_APPLICATIONS)

    @property
    def direct_costs(self) -> DirectCostAdapter:
        return self.entity(Entity.COMPANY_LEVEL_DIRECT_COSTS)

    # -- Prime contracts and prime contract change orders --

    @property
    def prime_contracts(self) -> PrimeContractAdapter:
        return self.entity(Entity.PRIME_CONTRACTS)

    @property
    def prime_contract_change_orders(self) -> PrimeContractChangeOrderAdapter:
        return self.entity(Entity.PRIME_CONTRACT_CHANGE_ORDERS)

    # -- Requisitions and payments (issue 11) --

    @property
    def requisitions(self) -> RequisitionAdapter:
        return self.entity(Entity.REQUISITIONS)

    @property
    def contract_payments(self) -> ContractPaymentAdapter:
        return self.entity(Entity.CONTRACT_PAYMENTS)


# --------------------------------------------------------------------------------------------
# Job costs: a job's (or sub job's) cost structure, imported into Procore
# --------------------------------------------------------------------------------------------
# A job's cost structure is large (a thousand rows per job is common) and changes a little at a
# time, so it is listed in two steps: ``list()`` yields one small summary per job or sub job
# (the "biller" Procore's cost codes belong to) with a digest of each of its three parts, which
# is all the engine needs to decide what changed; ``structure(origin_id)`` then reads the rows
# of one biller whose digests changed. Memory stays bounded by one page of billers either way.

JOB_COST_PARTS = ("cost_codes", "assignments", "job_costs")


@dataclass(frozen=True, slots=True)
class JobCostCodeRow:
    """One cost code opened on the job (a Procore *project* cost code): ``origin_id`` is the
    ERP's id of the job cost code, ``code`` its full code (``03-300``)."""

    origin_id: str
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class JobCostRow:
    """A cost type assigned to a job cost code, and what the ERP holds on that pair (money as
    decimal strings; ``None`` when nothing is posted yet: an assignment without job costs)."""

    cost_code_origin_id: str
    cost_type_origin_id: str
    original_estimate: str | None = None
    estimate: str | None = None
    job_to_date_cost: str | None = None

    @property
    def has_costs(self) -> bool:
        return self.original_estimate is not None


@dataclass(frozen=True, slots=True)
class JobCostStructure:
    """Everything of one biller that Procore gets: its cost codes, their cost-type assignments
    and the job costs on them. ``origin_id`` is the job's (or the sub job's) ERP id;
    ``project_origin_id`` the job's."""

    origin_id: str
    project_origin_id: str
    sub_job_origin_id: str | None
    cost_codes: tuple[JobCostCodeRow, ...]
    rows: tuple[JobCostRow, ...]


class JobCostAdapter(Protocol):
    """What an adapter offers for job costs (``Entity.JOB_COSTS``): listing only."""

    entity: Entity

    def list(self) -> Iterator[ERPObject]:
        """One summary per job and per sub job that has cost codes: ``item_type``
        ``job_costs``, ``origin_id`` the job's or sub job's ERP id, ``data`` =
        ``{project_origin_id, sub_job_origin_id, cost_codes, assignments, job_costs}``, the last
        three a short digest (20 hex characters) of that part. Streamed, a page at a time."""
        ...

    def summary(self, origin_id: str) -> ERPObject | None:
        """The summary of one job or sub job (None when the ERP has no such job)."""
        ...

    def structure(self, origin_id: str) -> JobCostStructure | None:
        """The rows of one job or sub job (None when the ERP has no such job)."""
        ...


# --------------------------------------------------------------------------------------------
# Payment applications and company-level direct costs
# --------------------------------------------------------------------------------------------
# A payment application is the general contractor's bill to the owner against the prime
# contract (``create_payment_application``); a company-level direct cost is an invoice or
# expense not tied to a commitment, whose lines post to jobs, cost codes and cost types
# (``create_company_level_direct_cost``). Both are exported whole (header and every line, or
# nothing) and may later be unlinked, which the ERP allows only once the document is deleted or
# void there.


class ProcorePaymentApplicationItem(TypedDict, total=False):
    """One line of the pay application (its schedule-of-values line). ``origin_id`` is the ERP
    id of the prime contract line it bills (``origin_type: LineItem``), not of this line."""

    id: int
    item_number: int | None
    description_of_work: str | None
    holder_id: int | None
    holder_type: str | None
    origin_id: str | None
    origin_type: str | None
    scheduled_value: Any
    work_completed_from_previous_application: Any
    work_completed_this_period: Any
    materials_presently_stored: Any
    total_completed_and_stored_to_date: Any
    work_completed_retainage_retained_this_period: Any
    materials_stored_retainage_retained_this_period: Any
    balance_to_finish: Any
    wbs_code: dict[str, Any]


class ProcorePaymentApplication(TypedDict, total=False):
    id: int
    billing_date: str | None
    contract_name: str | None
    invoice_number: str | None
    period_start: str | None
    period_end: str | None
    status: str | None
    items: list[ProcorePaymentApplicationItem]
    summary: dict[str, Any]  # application_number, project_number, project_name, amounts
    origin_id: str | None
    origin_code: str | None


class PaymentApplicationExport(TypedDict, total=False):
    """`create_payment_application` and `unlink_payment_application`. The payload names no job
    and no prime contract by ERP id: the job is the one whose code is the summary's
    ``project_number`` (or whose name is its ``project_name``), and the prime contract is kept
    as the payload gives it (the lines' ``holder_id`` and ``origin_id``)."""

    request_detail_id: int
    payment_application: ProcorePaymentApplication
    company_id: int


class ProcoreDirectCostLine(TypedDict, total=False):
    id: int | str
    position: int | None
    description: str | None
    project: ProcoreRef
    quantity: Any
    unit_cost: Any
    total_amount: Any
    uom: dict[str, Any]
    wbs_code: dict[str, Any]  # {id, flat_code, description}
    job_origin_id: str | None
    cost_code_id: int | None
    line_item_type_id: int | None
    cost_code_origin_id: str | None
    line_item_type_origin_id: str | None


class ProcoreDirectCost(TypedDict, total=False):
    id: int | str
    direct_cost_type: str  # "invoice", "expense", "payroll", "subcontractor_invoice"
    invoice_number: str | None
    description: str | None
    direct_cost_date: str | None
    accounting_date: str | None
    status: str | None
    line_item_total: Any
    vendor: dict[str, Any] | None  # {id, name, origin_id, origin_code}
    line_items: list[ProcoreDirectCostLine]
    origin_id: str | None
    origin_code: str | None


class DirectCostExport(TypedDict, total=False):
    """`create_company_level_direct_cost` and `unlink_company_level_direct_cost`."""

    request_detail_id: int
    company_id: int
    direct_cost: ProcoreDirectCost


class DocumentAdapter(Protocol[PayloadT]):
    """A money document exported from Procore with its lines, that may later be unlinked."""

    entity: Entity

    def check_create(self, payload: PayloadT) -> list[str]:
        """Why the ERP would refuse the document, every line's problem named by its line."""
        ...

    def create(self, payload: PayloadT) -> CreateResult:
        """Create the header and every line in one transaction (all or nothing), once per
        Procore id: a re-delivered export returns the document already created. A document
        void in the ERP is never brought back (``ConstraintViolation``)."""
        ...

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Procore asks to unlink the document: its state in the ERP.
        When it is void there, the ERP lets go of the Procore id (the void document stays as
        history), so exporting the Procore document again creates a new one."""
        ...


PaymentApplicationAdapter = DocumentAdapter[PaymentApplicationExport]
DirectCostAdapter = DocumentAdapter[DirectCostExport]
# Requisitions and payments (issue 11, the events dictionary's "Requisitions" and "Payments")
# --------------------------------------------------------------------------------------------
# A requisition (a subcontractor invoice) bills a commitment: each line bills part of a contract
# item (``Billings::ContractItem``), one of its detail items (``Billings::ContractDetailItem``) or
# a change order item (``Billings::ChangeOrderItem``). Payments are made against a requisition:
# exported from Procore (``create_contract_payment``), or recorded in the ERP and synced to
# Procore as invoice payments (``sync_contract_payments``, an import run like any other).

REQUISITION_ITEM_TYPES: dict[str, str] = {
    "Billings::ContractItem": "requisition_contract_item",
    "Billings::ContractDetailItem": "requisition_contract_detail_item",
    "Billings::ChangeOrderItem": "requisition_change_order_item",
}
INVOICE_TYPE_REQUISITION = "Billings::Requisition"


class ProcoreRequisitionItem(TypedDict, total=False):
    procore_requisition_item_id: int
    requisition_item_type: str
    amount: str
    description: str | None
    commitment_item_origin_id: str | None
    change_order_line_item_origin_id: str | None
    cost_code_origin_id: str | None
    line_item_type_origin_id: str | None
    retainage_this_period: str | None
    scheduled_total_amount: str | None


class ProcoreRequisition(TypedDict, total=False):
    """One requisition of ``create_requisitions`` (``request_data.requisitions[]``)."""

    procore_requisition_id: int
    request_detail_id: int
    code: str | None
    invoice_number: str | None
    billing_date: str | None
    contract_id: int
    contract_origin_id: str | None
    job_origin_id: str | None
    line_items: list[ProcoreRequisitionItem]
    erp_custom_fields: dict[str, Any]


class ProcoreContractPayment(TypedDict, total=False):
    id: int
    project_id: int
    contract_id: int
    requisition_id: int
    invoice_number: str | None
    amount: str
    date_payment_created: str | None
    date_payment_settled: str | None
    payment_method: str | None
    payment_number: str | None
    check_number: str | None
    status: str | None


class ContractPaymentExport(TypedDict, total=False):
    """`create_payment` / `create_contract_payment`."""

    request_detail_id: int
    contract_payment: ProcoreContractPayment
    company_id: int


class RequisitionAdapter(Protocol):
    """Requisitions, each created with all its lines or not at all."""

    entity: Entity

    def check_create(self, requisition: ProcoreRequisition) -> list[str]:
        """Why the ERP would refuse the requisition (each line named: a commitment not in the
        ERP, a line billing more than remains), empty when it accepts it or holds it already."""
        ...

    def create(self, requisition: ProcoreRequisition) -> CreateResult:
        """Create the requisition and its lines, idempotently on ``procore_requisition_id``;
        ``links`` are the External Data updates (``requisition`` and one per line). Raises
        ``ConstraintViolation`` leaving nothing of the requisition behind."""
        ...


class ContractPaymentAdapter(Protocol):
    """Payments against requisitions."""

    entity: Entity

    def check_create(self, payload: ContractPaymentExport) -> list[str]:
        """Why the ERP would refuse to record the exported payment."""
        ...

    def create(self, payload: ContractPaymentExport) -> CreateResult:
        """Record the payment against its requisition, idempotently on the Procore id."""
        ...

    def list(self) -> Iterator[ERPObject]:
        """Every live payment recorded in the ERP against a requisition exported from Procore
        (payments that came from Procore itself are not sent back), streamed, as
        ``invoice_payment`` objects whose ``data`` is one ``invoice_payments/sync`` item without
        its origin ids: ``invoice_type`` (``INVOICE_TYPE_REQUISITION``), ``invoice_id`` (the
        requisition's Procore id), ``amount`` (a decimal string), ``payment_date``,
        ``check_number``, ``payment_method``."""
        ...

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        """Whether the ERP still holds the payment with this origin id (``OPEN``), voided it,
        or has none (``GONE``)."""
        ...
