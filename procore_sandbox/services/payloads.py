"""``request_data`` of the export events, in the shapes of ``erp_events_dictionary.md``
(create_vendor, create_or_update_job, create_commitment, create_commitment_change_order,
create_sub_job). Fields the sandbox does not model are sent as the dictionary's empty values."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from procore_sandbox.models import ProcoreObject
from procore_sandbox.services.cost_structure import (
    assignments_by_code,
    budget_lines,
    budget_transactions,
    cost_codes_in,
    revised_amount,
)
from procore_sandbox.services.representations import iso

CONTRACT_TYPES = {
    "work_order_contract": "WorkOrderContract",
    "purchase_order_contract": "PurchaseOrderContract",
}


def _ref(obj: ProcoreObject | None, *, name_key: str = "name") -> dict | None:
    if obj is None:
        return None
    return {
        "id": obj.id,
        name_key: obj.data.get("name"),
        "origin_id": obj.origin_id,
        "origin_data": obj.origin_data,
    }


def _origin(obj: ProcoreObject) -> dict:
    return {
        "origin_id": obj.origin_id,
        "origin_code": obj.origin_code or None,
        "origin_data": obj.origin_data,
        "created_at": iso(obj.created_at),
        "updated_at": iso(obj.updated_at),
    }


def vendor_payload(vendor: ProcoreObject) -> dict:
    """``create_vendor``: the vendor as the dictionary's example shows it."""
    data = vendor.data
    return {
        "vendor": {
            "id": vendor.id,
            "name": data.get("name"),
            "abbreviated_name": data.get("abbreviated_name"),
            "address": data.get("address", ""),
            "authorized_bidder": data.get("authorized_bidder", True),
            "business_phone": data.get("business_phone", ""),
            "city": data.get("city", ""),
            "company": data.get("company") or data.get("name"),
            "country_code": data.get("country_code", "US"),
            "email_address": data.get("email_address"),
            "fax_number": data.get("fax_number", ""),
            "is_active": data.get("is_active", True),
            "labor_union": None,
            "license_number": data.get("license_number"),
            "logo": None,
            "mobile_phone": None,
            "non_union_prevailing_wage": False,
            "notes": data.get("notes"),
            "prequalified": data.get("prequalified", False),
            "state_code": data.get("state_code", ""),
            "synced_to_erp": vendor.synced,
            "trade_name": data.get("trade_name", ""),
            "union_member": data.get("union_member", False),
            "website": data.get("website"),
            "zip": data.get("zip", ""),
            "erp_custom_fields": data.get("erp_custom_fields") or {},
            "business_register": None,
            "primary_contact": None,
            "attachments": [],
            "vendor_group": None,
            **_origin(vendor),
        },
        "company_id": vendor.company_id,
    }


def _line_item_type_json(row: ProcoreObject | None) -> dict | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "name": row.data.get("name"),
        "code": row.data.get("code"),
        "base_type": row.data.get("base_type"),
        "origin_id": row.origin_id,
        "origin_data": row.origin_data,
    }


def _cost_code_json(code: ProcoreObject, biller: ProcoreObject, assigned: list) -> dict:
    """A cost code as the events dictionary shows it; ``biller`` is its project or sub job."""
    data = code.data
    full_code = data.get("full_code") or data.get("code")
    return {
        "id": code.id,
        "name": data.get("name"),
        "full_code": full_code,
        "origin_id": code.origin_id,
        "origin_data": code.origin_data,
        "biller": biller.data.get("name"),
        "biller_id": biller.id,
        "biller_type": "SubJob" if biller.item_type == "sub_job" else "Project",
        "biller_origin_id": biller.origin_id,
        "budgeted": False,
        "code": data.get("code"),
        "created_at": iso(code.created_at),
        "deleted_at": None,
        "line_item_types": [_line_item_type_ref(row) for row in assigned],
        "parent": {"id": data.get("parent_id")},
        "position": None,
        "sortable_code": data.get("sortable_code") or full_code,
        "updated_at": iso(code.updated_at),
        "long_name_helper": [[full_code], [data.get("name")]],
        "standard_cost_code_id": data.get("standard_cost_code_id"),
        "standard_cost_code_origin_id": _standard_origin(data.get("standard_cost_code_id")),
    }


def _line_item_type_ref(row: ProcoreObject) -> dict:
    """A cost type inside a cost code's ``line_item_types`` (no origin_data there)."""
    return {
        "id": row.id,
        "name": row.data.get("name"),
        "code": row.data.get("code"),
        "base_type": row.data.get("base_type"),
        "origin_id": row.origin_id,
    }


def _standard_origin(standard_id: int | None) -> str | None:
    if not standard_id:
        return None
    row = ProcoreObject.objects.filter(id=standard_id).only("origin_id").first()
    return row.origin_id if row else None


def _all_cost_codes(project: ProcoreObject, biller: ProcoreObject) -> list[dict]:
    """Every cost code of one biller (the project's own, or a sub job's) with its assigned
    cost types."""
    sub_job = biller if biller.item_type == "sub_job" else None
    types = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            company=project.company_id, item_type="line_item_type"
        )
    }
    assigned = assignments_by_code(project)
    return [
        _cost_code_json(
            code,
            biller,
            [
                types[row.data["line_item_type_id"]]
                for row in assigned.get(code.id, [])
                if row.data.get("line_item_type_id") in types
            ],
        )
        for code in cost_codes_in(project, sub_job)
    ]


def job_payload(project: ProcoreObject) -> dict:
    """``create_or_update_job``: the job and its own (project-level) cost codes."""
    data = project.data
    return {
        "job": {
            "id": project.id,
            "name": data.get("name"),
            "origin_id": project.origin_id,
            "origin_data": project.origin_data,
            "origin_code": project.origin_code or None,
            "custom_fields": {},
            "erp_custom_fields": data.get("erp_custom_fields") or {},
            "address": data.get("address", ""),
            "city": data.get("city", ""),
            "state_code": data.get("state_code", ""),
            "zip": data.get("zip", ""),
            "latitude": None,
            "longitude": None,
            "synced": project.synced,
            "active": data.get("active", True),
        },
        "all_cost_codes": _all_cost_codes(project, project),
        "company_id": project.company_id,
    }


def project_ref(project: ProcoreObject, *, origin_code: bool = True) -> dict:
    """``{id, name, origin_id, origin_data[, origin_code]}``, the dictionary's project stub."""
    ref = {
        "id": project.id,
        "name": project.data.get("name"),
        "origin_id": project.origin_id,
        "origin_data": project.origin_data,
    }
    if origin_code:
        ref["origin_code"] = project.origin_code or None
    return ref


def sub_job_json(sub_job: ProcoreObject, *, project_origin_code: bool = True) -> dict:
    """A sub job as ``create_sub_job``, ``create_sub_job_in_procore`` and ``reset_sub_job``
    show it (the last one without the project's origin_code)."""
    return {
        "id": sub_job.id,
        "code": sub_job.data.get("code"),
        "created_at": iso(sub_job.created_at),
        "name": sub_job.data.get("name"),
        "origin_data": sub_job.origin_data,
        "origin_id": sub_job.origin_id,
        "updated_at": iso(sub_job.updated_at),
        "synced": sub_job.synced,
        "project": project_ref(sub_job.project, origin_code=project_origin_code),
    }


def sub_job_payload(sub_job: ProcoreObject) -> dict:
    """``create_sub_job``: the sub job, its project, and the sub job's cost codes."""
    return {
        "sub_job": sub_job_json(sub_job),
        "all_cost_codes": _all_cost_codes(sub_job.project, sub_job),
        "company_id": sub_job.company_id,
    }


def _number(value: Any) -> float:
    """Amounts in budget events are JSON numbers in the dictionary (``"value": 33.33``)."""
    return float(Decimal(str(value or "0")))


def _budget_json(budget: ProcoreObject) -> dict:
    return {
        "id": budget.id,
        "origin_id": budget.origin_id,
        "origin_data": budget.origin_data,
        "synced": budget.synced,
        "custom_fields": budget.data.get("custom_fields") or {},
        "project_id": budget.project_id,
    }


def budget_payload(budget: ProcoreObject) -> dict:
    """``create_budget`` / ``update_budget``: the budget, the job cost of every line, and the
    unsynced transactions (a re-export sends only those, as the dictionary says)."""
    project = budget.project
    related = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            company=budget.company_id,
            item_type__in=("cost_code", "line_item_type", "sub_job"),
        )
    }

    def origin(key: str, line: ProcoreObject) -> str | None:
        row = related.get(line.data.get(key))
        return row.origin_id if row else None

    job_costs = []
    for line in budget_lines(budget):
        job_costs.append(
            {
                "id": line.data.get("job_cost_id"),
                "cost_code_origin_id": origin("cost_code_id", line),
                "line_item_type_origin_id": origin("line_item_type_id", line),
                "budget_line_item_id": line.id,
                "new_amount": _number(revised_amount(line)),
                "job_origin_id": project.origin_id,
                "sub_job_origin_id": origin("sub_job_id", line),
            }
        )
    transactions = [
        {
            "id": row.id,
            "origin_id": row.origin_id,
            "code": row.data.get("code"),
            "value": _number(row.data.get("value")),
            "synced": bool(row.data.get("synced")),
            "type": row.data.get("type"),
            "procore_transaction_id": row.data.get("procore_transaction_id"),
            "procore_transaction_type": row.data.get("procore_transaction_type"),
            "job_cost_id": row.data.get("job_cost_id"),
            "created_at": iso(row.created_at),
            "notes": row.data.get("notes"),
        }
        for row in budget_transactions(budget, unsynced_only=True)
    ]
    return {
        "job_id": project.origin_id,
        "budget": _budget_json(budget),
        "job_costs": job_costs,
        "transactions": transactions,
        "company_id": budget.company_id,
    }


def budget_in_procore_payload(budget: ProcoreObject) -> dict:
    """``create_budget_in_procore`` (the dictionary's example names the project by
    ``project_origin_id``)."""
    return {
        "project_origin_id": budget.project.origin_id,
        "budget": _budget_json(budget),
        "company_id": budget.company_id,
    }


def codes_by_id(rows: Iterable[ProcoreObject]) -> dict[int, ProcoreObject]:
    """The cost codes and cost types that line items (or markups) name, by id, in one query,
    so a payload of many lines reads them once."""
    rows = list(rows)
    ids = {r.data.get("cost_code_id") for r in rows} | {
        r.data.get("line_item_type_id") for r in rows
    }
    return {row.id: row for row in ProcoreObject.objects.filter(id__in=ids - {None})}


def _line_items_json(holder: ProcoreObject, project: ProcoreObject) -> list[dict]:
    rows = list(ProcoreObject.objects.filter(parent=holder, item_type="line_item"))
    related = codes_by_id(rows)
    items = []
    for row in rows:
        cost_code = related.get(row.data.get("cost_code_id"))
        cost_type = related.get(row.data.get("line_item_type_id"))
        item = {
            "id": row.id,
            "amount": row.data.get("amount"),
            "company": {"id": holder.company_id, "name": holder.company.name},
            "cost_code": _cost_code_json(cost_code, project, [cost_type] if cost_type else [])
            if cost_code
            else None,
            "created_at": iso(row.created_at),
            "description": row.data.get("description"),
            "extended_amount": row.data.get("amount"),
            "extended_type": "manual",
            "holder": {
                "id": holder.id,
                "holder_type": CONTRACT_TYPES.get(holder.item_type, "CommitmentChangeOrder"),
            },
            "line_item_type": _line_item_type_json(cost_type),
            "origin_data": row.origin_data,
            "origin_id": row.origin_id,
            "position": row.data.get("position"),
            "project": _ref(project),
            "quantity": row.data.get("quantity", "0.0"),
            "tax_amount": "0.0",
            "tax_code": None,
            "tax_code_id": None,
            "total_amount": row.data.get("amount"),
            "unit_cost": row.data.get("unit_cost", "0.0"),
            "uom": row.data.get("uom"),
            "updated_at": iso(row.updated_at),
        }
        if row.data.get("commitment_line_item_id"):
            item["commitment_line_item_id"] = row.data["commitment_line_item_id"]
        items.append(item)
    return items


def _commitment_json(commitment: ProcoreObject) -> dict:
    data = commitment.data
    project = commitment.project
    vendor = ProcoreObject.objects.filter(id=data.get("vendor_id")).first()
    total = data.get("grand_total", "0.0")
    return {
        "id": commitment.id,
        "accounting_method": data.get("accounting_method", "amount"),
        "approved_change_orders": "0.0",
        "custom_fields": {},
        "deleted_at": None,
        "description": data.get("description", ""),
        "erp_custom_fields": data.get("erp_custom_fields") or {},
        "exclusions": "",
        "executed": data.get("executed", False),
        "grand_total": total,
        "inclusions": "",
        "number": data.get("number"),
        "payment_terms": None,
        "pending_change_orders": "0.0",
        "private": data.get("private", True),
        "project": _ref(project),
        "retainage_percent": data.get("retainage_percent"),
        "revised_contract": total,
        "show_line_items_to_non_admins": False,
        "status": data.get("status", "Approved"),
        "title": data.get("title"),
        "vendor": _ref(vendor, name_key="company") if vendor else None,
        "code": commitment.origin_code or None,
        "type": CONTRACT_TYPES[commitment.item_type],
        **_origin(commitment),
    }


def commitment_payload(commitment: ProcoreObject) -> dict:
    project = commitment.project
    return {
        "job_id": project.origin_id,
        "commitment": _commitment_json(commitment),
        "commitment_items": _line_items_json(commitment, project),
        "additional_data": {"accounting_date": None},
        "company_id": commitment.company_id,
    }


def _change_order_commitment_json(commitment: ProcoreObject) -> dict:
    """The commitment as ``create_commitment_change_order`` shows it: every key of the
    dictionary's example (dates, addresses and the billing totals the sandbox does not track
    are null or zero; the revised and remaining amounts are the commitment's total)."""
    found = _commitment_json(commitment)
    total = found.get("grand_total") or "0.0"
    for key in (
        "actual_completion_date",
        "approval_letter_date",
        "assignee_id",
        "bill_to_address",
        "contract_date",
        "contract_estimated_completion_date",
        "contract_start_date",
        "delivery_date",
        "due_date",
        "execution_date",
        "expected_date",
        "issued_on_date",
        "letter_of_intent_date",
        "requisitions_are_enabled",
        "returned_date",
        "ship_to_address",
        "ship_via",
        "signed_contract_received_date",
    ):
        found.setdefault(key, None)
    for key in (
        "draft_change_orders_amount",
        "percentage_paid",
        "total_draw_requests_amount",
        "total_payments",
        "total_requisitions_amount",
    ):
        found.setdefault(key, "0.0")
    found.setdefault("pending_revised_contract", total)
    found.setdefault("remaining_balance_outstanding", total)
    return found


def change_order_payload(change_order: ProcoreObject) -> dict:
    commitment = change_order.parent
    project = commitment.project
    data = change_order.data
    return {
        "job_origin_id": project.origin_id,
        "commitment": _change_order_commitment_json(commitment),
        "commitment_items": _line_items_json(commitment, project),
        "change_order": {
            "id": change_order.id,
            "contract_id": commitment.id,
            "number": data.get("number"),
            "status": data.get("status", "Approved"),
            "title": data.get("title"),
            "description": data.get("description", ""),
            "deleted_at": None,
            "due_date": None,
            "invoiced_date": None,
            "paid_date": None,
            "reviewed_at": None,
            "custom_fields": {},
            "erp_custom_fields": data.get("erp_custom_fields") or {},
            **_origin(change_order),
        },
        "change_order_items": _line_items_json(change_order, project),
        "additional_data": {"accounting_date": None},
        "company_id": change_order.company_id,
    }


# -- the ERP tool's other buttons (shapes of erp_events_dictionary.md) -------------------------
def vendor_ref(vendor: ProcoreObject, origin_id: str | None = None) -> dict:
    """``{id, origin_id}``: how link, unlink and merge events name a vendor."""
    return {"id": vendor.id, "origin_id": origin_id if origin_id is not None else vendor.origin_id}


def standard_cost_code_export_item(code: ProcoreObject, request_detail_id: int) -> dict:
    """One item of ``create_standard_cost_codes`` (a list, one Request Detail per code)."""
    data = code.data
    parent = ProcoreObject.objects.filter(id=data.get("parent_id") or 0).first()
    full_code = data.get("full_code") or data.get("code")
    codes = [parent.data.get("code"), data.get("code")] if parent else [data.get("code")]
    names = [parent.data.get("name"), data.get("name")] if parent else [data.get("name")]
    return {
        "id": code.id,
        "standard_cost_code_list_id": code.parent_id,
        "origin_id": code.origin_id,
        "parent_id": parent.id if parent else None,
        "code": data.get("code"),
        "full_code": full_code,
        "name": data.get("name"),
        "origin_data": code.origin_data,
        "parent_origin_id": parent.origin_id if parent else None,
        "long_name_helper": [codes, names],
        "erp_custom_fields": data.get("erp_custom_fields") or {},
        "request_detail_id": request_detail_id,
    }


def standard_cost_code_ref(code: ProcoreObject) -> dict:
    """``{id, sortable_code, origin_id}`` of the Super User's delete and unlink events."""
    return {
        "id": code.id,
        "sortable_code": code.data.get("sortable_code") or code.data.get("full_code"),
        "origin_id": code.origin_id,
    }


def standard_category_ref(cost_type: ProcoreObject) -> dict:
    """``{procore_id, code, origin_id}`` of ``delete_standard_categories``."""
    return {
        "procore_id": cost_type.id,
        "code": cost_type.data.get("code"),
        "origin_id": cost_type.origin_id,
    }


def sync_single_job_payload(project: ProcoreObject) -> dict:
    """``sync_single_job``; ``additional_job_data.project_id`` is the project's id too (the
    dictionary's example shows another number there without saying what it is)."""
    configuration = project.data.get("configuration") or {}
    return {
        "id": project.origin_id,
        "additional_job_data": {
            "job_name": project.data.get("name"),
            "procore_project_id": project.id,
            "project_id": project.id,
            "start_date": project.data.get("start_date"),
            "job_cost_transactions_sync_enabled": bool(
                configuration.get("erp_job_cost_transaction_syncing_enabled")
            ),
        },
        "company_id": project.company_id,
    }


def sync_sub_job_payload(sub_job: ProcoreObject) -> dict:
    """``sync_sub_job``, like ``sync_single_job`` with the parent job's origin_id."""
    project = sub_job.project
    return {
        "id": sub_job.origin_id,
        "additional_job_data": {
            "job_name": sub_job.data.get("name"),
            "parent_origin_id": project.origin_id,
            "procore_project_id": project.id,
            "procore_sub_job_id": sub_job.id,
            "project_id": project.id,
            "start_date": sub_job.data.get("start_date"),
        },
        "company_id": sub_job.company_id,
    }


def reset_job_payload(project: ProcoreObject) -> dict:
    """``reset_job`` names the project as it was before the reset (with its origin_id)."""
    return {"project": project_ref(project, origin_code=False)}


def reset_sub_job_payload(sub_job: ProcoreObject) -> dict:
    """``reset_sub_job`` names the sub job as it was before the reset."""
    return {"sub_job": sub_job_json(sub_job, project_origin_code=False)}


def _scope_refs(project: ProcoreObject, sub_job: ProcoreObject | None) -> dict:
    return {
        "project": {"id": project.id, "origin_id": project.origin_id},
        "sub_job": {"id": sub_job.id, "origin_id": sub_job.origin_id} if sub_job else None,
    }


def delete_cost_codes_payload(
    project: ProcoreObject,
    sub_job: ProcoreObject | None,
    codes: list[ProcoreObject],
    detail_ids: dict[int, int],
) -> dict:
    """``delete_cost_codes``: a user asks to delete synced codes; one Request Detail each."""
    return {
        **_scope_refs(project, sub_job),
        "cost_codes": [
            {
                "id": code.id,
                "request_detail_id": detail_ids[code.id],
                "origin_id": code.origin_id,
                "sortable_code": code.data.get("sortable_code") or code.data.get("full_code"),
            }
            for code in codes
        ],
    }


def delete_cost_type_assignments_payload(
    project: ProcoreObject,
    sub_job: ProcoreObject | None,
    assignments: list[ProcoreObject],
    detail_ids: dict[int, int],
    job_cost_ids: dict[int, int | None],
) -> dict:
    """``delete_cost_type_assignments``: one Request Detail per assignment."""
    related = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            id__in={a.data.get("cost_code_id") for a in assignments}
            | {a.data.get("line_item_type_id") for a in assignments}
        )
    }

    def origin(assignment: ProcoreObject, key: str) -> str | None:
        row = related.get(assignment.data.get(key))
        return row.origin_id if row else None

    return {
        **_scope_refs(project, sub_job),
        "cost_type_assignments": [
            {
                "id": row.id,
                "request_detail_id": detail_ids[row.id],
                "cost_code_origin_id": origin(row, "cost_code_id"),
                "line_item_type_origin_id": origin(row, "line_item_type_id"),
                "job_cost_id": job_cost_ids.get(row.id),
            }
            for row in assignments
        ],
    }


def delete_cost_code_payload(
    project: ProcoreObject, sub_job: ProcoreObject | None, codes: list[ProcoreObject]
) -> dict:
    """``delete_cost_code`` (Super User): the codes Procore deleted, no Request Detail."""
    return {
        "project_cost_code_data_array": [
            {
                "id": code.id,
                "origin_id": code.origin_id,
                "sortable_code": code.data.get("sortable_code") or code.data.get("full_code"),
            }
            for code in codes
        ],
        "project_origin_id": project.origin_id,
        "procore_project_id": project.id,
        "procore_sub_job_id": sub_job.id if sub_job else None,
    }
