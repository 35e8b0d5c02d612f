"""Reads for the sandbox's pages: what each object's ERP state is, and what each tab of the ERP
Integrations Tool shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from procore_sandbox.models import (
    Company,
    ErpRequest,
    ErpRequestDetail,
    ExportRequest,
    ProcoreObject,
    StagedRecord,
)
from procore_sandbox.services import cost_structure
from procore_sandbox.services.objects import COMMITMENT_ITEM_TYPES
from procore_sandbox.services.staged_records import ready_to_import

TOP_LEVEL_TYPES = (
    "vendor",
    "project",
    "sub_job",
    "budget",
    "work_order_contract",
    "purchase_order_contract",
    "change_order",
    "prime_contract",
    "prime_contract_change_order",
)


@dataclass
class ErpState:
    code: str
    label: str
    messages: list[str] = field(default_factory=list)
    export: ExportRequest | None = None


def erp_state(obj: ProcoreObject, latest: ExportRequest | None) -> ErpState:
    """The badge a person sees on an object: synced, waiting, exporting, failed, ..."""
    if latest is not None and latest.status == ExportRequest.Status.READY:
        return ErpState("ready", "Ready to export", export=latest)
    detail = None
    if latest is not None and latest.status == ExportRequest.Status.ACCEPTED and latest.erp_request:
        details = list(latest.erp_request.details.all())
        detail = details[0] if details else None
    if detail is not None and detail.status == ErpRequestDetail.Status.IN_PROGRESS:
        return ErpState("exporting", "Exporting", export=latest)
    if obj.synced:
        return ErpState("synced", "Synced", export=latest)
    if latest is None:
        return ErpState("not_sent", "Not sent to ERP")
    if latest.status == ExportRequest.Status.REJECTED:
        reason = [latest.reject_reason] if latest.reject_reason else []
        return ErpState("rejected", "Rejected by the approver", reason, export=latest)
    if detail is None:
        return ErpState("exporting", "Exporting", export=latest)
    if detail.status == ErpRequestDetail.Status.FAILED:
        return ErpState("failed", "Failed to export", list(detail.messages), export=latest)
    if detail.status == ErpRequestDetail.Status.STALE:
        return ErpState("stale", "Export went stale", list(detail.messages), export=latest)
    if detail.status == ErpRequestDetail.Status.SUCCESS:
        # The integration sends the ERP id (External Data) before it closes the export, so a
        # successful export of an object that is not synced was unsynced since: an unlink, or a
        # Super User reset.
        return ErpState("unlinked", "Not synced: unlinked from the ERP", export=latest)
    return ErpState(
        "exported", "Exported, waiting for the ERP id", list(detail.messages), export=latest
    )


def _latest_exports(objects: list[ProcoreObject]) -> dict[int, ExportRequest]:
    exports = (
        ExportRequest.objects.filter(item__in=objects)
        .select_related("erp_request")
        .prefetch_related(
            Prefetch("erp_request__details", queryset=ErpRequestDetail.objects.order_by("-id"))
        )
        .order_by("item_id", "-id")
    )
    latest: dict[int, ExportRequest] = {}
    for export in exports:
        latest.setdefault(export.item_id, export)
    return latest


def with_states(objects: list[ProcoreObject]) -> list[tuple[ProcoreObject, ErpState]]:
    latest = _latest_exports(objects)
    return [(obj, erp_state(obj, latest.get(obj.id))) for obj in objects]


def company_objects(company: Company) -> dict[str, list]:
    """Everything the project user's page lists, with each object's ERP state."""
    rows = list(
        ProcoreObject.objects.filter(company=company, item_type__in=TOP_LEVEL_TYPES)
        .select_related("project", "parent")
        .order_by("id")
    )
    states = dict((obj.id, state) for obj, state in with_states(rows))
    vendors = {obj.id: obj for obj in rows if obj.item_type == "vendor"}
    lines: dict[int, list[ProcoreObject]] = {}
    for line in ProcoreObject.objects.filter(company=company, item_type="line_item").order_by("id"):
        lines.setdefault(line.parent_id, []).append(line)
    codes: dict[int, list[ProcoreObject]] = {}
    for code in ProcoreObject.objects.filter(company=company, item_type="cost_code").order_by(
        "data__full_code", "id"
    ):
        codes.setdefault(code.data.get("sub_job_id") or code.project_id, []).append(code)

    def entry(obj: ProcoreObject) -> dict:
        return {
            "obj": obj,
            "state": states[obj.id],
            "lines": lines.get(obj.id, []),
            "cost_codes": codes.get(obj.id, []),
            "vendor": vendors.get(obj.data.get("vendor_id")),
        }

    return {
        "vendors": [entry(o) for o in rows if o.item_type == "vendor"],
        "projects": [entry(o) for o in rows if o.item_type == "project"],
        "sub_jobs": [entry(o) for o in rows if o.item_type == "sub_job"],
        "budgets": [entry(o) for o in rows if o.item_type == "budget"],
        "commitments": [entry(o) for o in rows if o.item_type in COMMITMENT_ITEM_TYPES],
        "change_orders": [entry(o) for o in rows if o.item_type == "change_order"],
        # Prime contracts and their change orders
        "prime_contracts": [entry(o) for o in rows if o.item_type == "prime_contract"],
        "prime_contract_change_orders": [
            entry(o) for o in rows if o.item_type == "prime_contract_change_order"
        ],
    }


def ready_to_export(company: Company) -> list[ExportRequest]:
    return list(
        ExportRequest.objects.filter(company=company, status=ExportRequest.Status.READY)
        .select_related("item", "item__project")
        .order_by("sent_at")
    )


def synced_objects(company: Company) -> list[ProcoreObject]:
    return list(
        ProcoreObject.objects.filter(
            company=company, item_type__in=TOP_LEVEL_TYPES, origin_id__isnull=False
        )
        .select_related("project")
        .order_by("item_type", "id")
    )


def failed_exports(company: Company) -> list[tuple[ProcoreObject, ErpState]]:
    candidates = list(
        ProcoreObject.objects.filter(
            company=company,
            item_type__in=TOP_LEVEL_TYPES,
            exports__status=ExportRequest.Status.ACCEPTED,
        )
        .distinct()
        .order_by("id")
    )
    return [(obj, s) for obj, s in with_states(candidates) if s.code in {"failed", "stale"}]


def import_queue(company: Company) -> list[dict]:
    return [
        {"record": record, "children": list(record.children.order_by("id"))}
        for record in ready_to_import(company=company)
    ]


def staged_elsewhere(company: Company) -> list[StagedRecord]:
    """Staged records that Ready to Import hides (their project or commitment is not synced,
    or they were marked invalid), so the person sees why nothing shows."""
    shown = {record.id for record in ready_to_import(company=company)}
    return list(
        StagedRecord.objects.filter(company=company, status__in=["staged", "invalid"])
        .exclude(item_type="line_item")
        .exclude(id__in=shown)
        .order_by("id")
    )


def recent_requests(company: Company, *, limit: int = 50) -> list[ErpRequest]:
    return list(
        ErpRequest.objects.filter(company=company)
        .prefetch_related(
            Prefetch("details", queryset=ErpRequestDetail.objects.select_related("item"))
        )
        .order_by("-id")[:limit]
    )


def cost_code_lists(company: Company) -> dict[str, list[ProcoreObject]]:
    return {
        "standard_cost_codes": list(
            ProcoreObject.objects.filter(company=company, item_type="standard_cost_code").order_by(
                "data__full_code", "id"
            )
        ),
        "cost_types": list(
            ProcoreObject.objects.filter(company=company, item_type="line_item_type").order_by(
                "data__code", "id"
            )
        ),
    }


def _types(company_id: int) -> dict[int, ProcoreObject]:
    return {
        row.id: row
        for row in ProcoreObject.objects.filter(
            company_id=company_id, item_type="line_item_type"
        ).order_by("data__code", "id")
    }


def cost_structure_of(project: ProcoreObject, sub_job: ProcoreObject | None = None) -> dict:
    """A job's (or sub job's) page: its cost codes with their assigned cost types, its job
    costs, and for a job its sub jobs and budget."""
    types = _types(project.company_id)
    assigned = cost_structure.assignments_by_code(project)
    codes = cost_structure.cost_codes_in(project, sub_job)
    by_id = {code.id: code for code in codes}
    wanted = sub_job.id if sub_job is not None else None
    job_costs = [
        {
            "row": row,
            "code": by_id.get(row.data.get("cost_code_id")),
            "type": types.get(row.data.get("line_item_type_id")),
        }
        for row in ProcoreObject.objects.filter(project=project, item_type="erp_job_cost").order_by(
            "id"
        )
        if cost_structure.sub_job_id_of(row) == wanted
    ]
    return {
        "codes": [
            {
                "code": code,
                "assignments": [
                    (row, types.get(row.data.get("line_item_type_id")))
                    for row in assigned.get(code.id, [])
                ],
            }
            for code in codes
        ],
        "job_costs": job_costs,
        "cost_types": list(types.values()),
        "sub_jobs": with_states(cost_structure.sub_jobs_of(project)) if sub_job is None else [],
        "budget": cost_structure.budget_of(project) if sub_job is None else None,
        "configuration": project.data.get("configuration") or {},
    }


def budget_view(budget: ProcoreObject) -> dict:
    """A budget's page: lines (original, changes, revised, what the ERP holds), transactions,
    and what the next export would send."""
    project = budget.project
    types = _types(budget.company_id)
    codes = {
        row.id: row
        for row in ProcoreObject.objects.filter(project=project, item_type="cost_code").order_by(
            "data__full_code", "id"
        )
    }
    sub_jobs = {row.id: row for row in cost_structure.sub_jobs_of(project)}
    transactions = cost_structure.budget_transactions(budget)
    synced_sum: dict[int, Decimal] = {}
    for row in transactions:
        if row.data.get("synced"):
            key = row.data.get("budget_line_item_id")
            synced_sum[key] = synced_sum.get(key, Decimal("0")) + Decimal(str(row.data["value"]))
    lines = [
        {
            "line": line,
            "code": codes.get(line.data.get("cost_code_id")),
            "type": types.get(line.data.get("line_item_type_id")),
            "sub_job": sub_jobs.get(line.data.get("sub_job_id")),
            "revised": cost_structure.revised_amount(line),
            "in_erp": synced_sum.get(line.id, Decimal("0")),
        }
        for line in cost_structure.budget_lines(budget)
    ]
    return {
        "lines": lines,
        "transactions": transactions,
        "pending": cost_structure.budget_pending(budget),
        "codes": list(codes.values()),
        "cost_types": list(types.values()),
        "sub_jobs": sub_jobs,
    }


def vendors_tab(company: Company) -> dict:
    """The Link & Merge Vendors tab: staged ERP vendors and Procore vendors."""
    vendors = list(ProcoreObject.objects.filter(company=company, item_type="vendor").order_by("id"))
    return {
        "staged_vendors": list(
            StagedRecord.objects.filter(
                company=company, item_type="vendor", status=StagedRecord.Status.STAGED
            ).order_by("id")
        ),
        "unsynced_vendors": [v for v in vendors if not v.synced],
        "all_vendors": vendors,
    }


def super_user_tab(company: Company) -> dict:
    """The Super User tab: what can be reset, and synced cost codes by biller."""
    rows = ProcoreObject.objects.filter(company=company).select_related("project")
    synced_codes: dict[tuple[int, int | None], list[ProcoreObject]] = {}
    for code in rows.filter(item_type="cost_code", origin_id__isnull=False).order_by(
        "project_id", "data__full_code", "id"
    ):
        synced_codes.setdefault((code.project_id, code.data.get("sub_job_id")), []).append(code)
    names = {row.id: row for row in rows.filter(item_type__in=("project", "sub_job"))}
    return {
        "synced_projects": list(rows.filter(item_type="project", origin_id__isnull=False)),
        "synced_sub_jobs": list(rows.filter(item_type="sub_job", origin_id__isnull=False)),
        "code_groups": [
            {"project": names.get(project_id), "sub_job": names.get(sub_job_id), "codes": codes}
            for (project_id, sub_job_id), codes in synced_codes.items()
        ],
    }
