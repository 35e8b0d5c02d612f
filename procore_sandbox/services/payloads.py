"""``request_data`` of the export events, in the shapes of ``erp_events_dictionary.md``
(create_vendor, create_or_update_job, create_commitment, create_commitment_change_order,
create_sub_job). Fields the sandbox does not model are sent as the dictionary's empty values."""

from __future__ import annotations

from procore_sandbox.models import ProcoreObject
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


def _cost_code_json(code: ProcoreObject, project: ProcoreObject, assigned: list) -> dict:
    data = code.data
    full_code = data.get("full_code") or data.get("code")
    return {
        "id": code.id,
        "name": data.get("name"),
        "full_code": full_code,
        "origin_id": code.origin_id,
        "origin_data": code.origin_data,
        "biller": project.data.get("name"),
        "biller_id": project.id,
        "biller_type": "Project",
        "biller_origin_id": project.origin_id,
        "budgeted": False,
        "code": data.get("code"),
        "created_at": iso(code.created_at),
        "deleted_at": None,
        "line_item_types": [_line_item_type_json(row) for row in assigned],
        "parent": {"id": data.get("parent_id")},
        "position": None,
        "sortable_code": data.get("sortable_code") or full_code,
        "updated_at": iso(code.updated_at),
        "long_name_helper": [[full_code], [data.get("name")]],
        "standard_cost_code_id": data.get("standard_cost_code_id"),
        "standard_cost_code_origin_id": _standard_origin(data.get("standard_cost_code_id")),
    }


def _standard_origin(standard_id: int | None) -> str | None:
    if not standard_id:
        return None
    row = ProcoreObject.objects.filter(id=standard_id).only("origin_id").first()
    return row.origin_id if row else None


def job_payload(project: ProcoreObject) -> dict:
    codes = list(ProcoreObject.objects.filter(project=project, item_type="cost_code"))
    assignments = ProcoreObject.objects.filter(
        project=project, item_type="cost_code_line_item_type"
    )
    types = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            company=project.company_id, item_type="line_item_type"
        )
    }
    by_code: dict[int, list] = {}
    for row in assignments:
        cost_type = types.get(row.data.get("line_item_type_id"))
        if cost_type is not None:
            by_code.setdefault(row.data.get("cost_code_id"), []).append(cost_type)
    data = project.data
    return {
        "job": {
            "id": project.id,
            "name": data.get("name"),
            "project_number": data.get("project_number"),
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
        "all_cost_codes": [_cost_code_json(c, project, by_code.get(c.id, [])) for c in codes],
        "company_id": project.company_id,
    }


def sub_job_payload(sub_job: ProcoreObject) -> dict:
    project = sub_job.project
    return {
        "sub_job": {
            "id": sub_job.id,
            "code": sub_job.data.get("code"),
            "name": sub_job.data.get("name"),
            "synced": sub_job.synced,
            "project": {**_ref(project), "origin_code": project.origin_code or None},
            **_origin(sub_job),
        },
        "company_id": sub_job.company_id,
    }


def _line_items_json(holder: ProcoreObject, project: ProcoreObject) -> list[dict]:
    rows = list(ProcoreObject.objects.filter(parent=holder, item_type="line_item"))
    related = {
        row.id: row
        for row in ProcoreObject.objects.filter(
            id__in={r.data.get("cost_code_id") for r in rows}
            | {r.data.get("line_item_type_id") for r in rows}
        )
    }
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


def change_order_payload(change_order: ProcoreObject) -> dict:
    commitment = change_order.parent
    project = commitment.project
    data = change_order.data
    return {
        "job_origin_id": project.origin_id,
        "commitment": _commitment_json(commitment),
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
