"""The demo ERP's commitment change orders: the rules an accountant's ERP applies before it takes
one, and what it says of one Procore wants to unlink.

A change order adjusts a commitment the ERP holds, so its commitment must be in the ERP and
not void; each line posts to a cost code the commitment's job has opened, with a cost type
assigned to that cost code there (a job whose cost structure was never exported opens none, and
takes no change order). A void change order stays in the books as history: Procore may unlink
it, but nothing brings it back to life.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from erp_adapters.base import (
    CommitmentChangeOrderExport,
    DocumentRef,
    DocumentStanding,
    DocumentState,
)
from erp_adapters.demo import checks
from erp_adapters.demo.checks import Lookup, Problems, as_dict, as_int, cost_code_label, text
from erp_adapters.demo.models import (
    ChangeOrderStatus,
    DemoChangeOrder,
    DemoCommitment,
    DemoJobCostType,
)

VOID = "void"


def status_of(value: Any) -> str:
    """Procore's change order status as the ERP keeps it: approved, void, or open (draft,
    pending, in review: anything not decided yet)."""
    word = text(value).lower()
    if word == "approved":
        return ChangeOrderStatus.APPROVED
    if word == VOID:
        return ChangeOrderStatus.VOID
    return ChangeOrderStatus.OPEN


def commitment_is_void(commitment: DemoCommitment) -> bool:
    return text(commitment.status).lower() == VOID


@dataclass(frozen=True)
class _JobStructure:
    """The (cost code id, cost type id) pairs a job has opened, and its cost code ids."""

    codes: frozenset[int]
    pairs: frozenset[tuple[int, int]]


def _job_structure(commitment: DemoCommitment) -> _JobStructure:
    rows = DemoJobCostType.objects.filter(
        job_cost_code__job_id=commitment.job_id, job_cost_code__is_active=True
    ).values_list("job_cost_code__cost_code_id", "cost_type_id")
    pairs = frozenset(rows)
    codes = frozenset(
        commitment.job.cost_codes.filter(is_active=True).values_list("cost_code_id", flat=True)
    )
    return _JobStructure(codes, pairs)


def check_change_order(tenant: str, payload: CommitmentChangeOrderExport) -> Problems:
    """Every reason the ERP refuses the change order, each line named by its position."""
    problems = checks.check_change_order(tenant, payload)
    data = as_dict(payload)
    lookup = Lookup(tenant)
    commitment = lookup.commitment(as_dict(data.get("commitment")))
    if commitment is None:
        return problems
    if commitment_is_void(commitment):
        problems.append(
            f"Commitment {commitment.number} is void in the ERP; a void commitment takes no "
            "change orders."
        )
    structure = _job_structure(commitment)
    job = commitment.job
    for index, item in enumerate(map(as_dict, data.get("change_order_items") or []), start=1):
        label = f"Line {as_int(item.get('position')) or index}"
        code_ref = as_dict(item.get("cost_code"))
        code = lookup.cost_code(code_ref) if code_ref else None
        type_ref = as_dict(item.get("line_item_type"))
        cost_type = lookup.cost_type(type_ref) if type_ref else None
        if code is None or cost_type is None:
            continue  # already said by check_lines
        if code.id not in structure.codes:
            problems.append(
                f"{label}: cost code {cost_code_label(code_ref)} is not open on job {job.code}; "
                "add it to the job in the ERP (or export the project's cost codes) first."
            )
        elif (code.id, cost_type.id) not in structure.pairs:
            problems.append(
                f"{label}: cost type '{cost_type.name}' ({cost_type.code}) is not assigned to "
                f"cost code {code.code} on job {job.code}."
            )
    return problems


def find(tenant: str, origin_id: Any, procore_id: Any) -> DemoChangeOrder | None:
    """The change order by the ERP's id, else by Procore's."""
    guid = checks.parse_guid(origin_id)
    rows = DemoChangeOrder.objects.filter(tenant=tenant).select_related("commitment")
    if guid is not None:
        found = rows.filter(guid=guid).first()
        if found is not None:
            return found
    number = as_int(procore_id)
    return rows.filter(procore_id=number).first() if number is not None else None


def standing(tenant: str, ref: DocumentRef) -> DocumentStanding:
    """Whether the change order is still live in the ERP (Procore may then not unlink it)."""
    row = find(tenant, ref.get("origin_id"), ref.get("procore_id"))
    if row is None:
        return DocumentStanding(DocumentState.GONE, "the change order")
    label = f"change order {row.number} on commitment {row.commitment.number}"
    lines = tuple(
        line_id
        for line_id in row.lines.exclude(procore_id=None).values_list("procore_id", flat=True)
    )
    return DocumentStanding(
        DocumentState(row.status),
        label,
        status=row.get_status_display(),
        line_procore_ids=lines,
    )
