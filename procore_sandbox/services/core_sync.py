"""Procore's core endpoints the ERP flows use (procore-erp-api.md §b.2): the sync actions per
resource, plus the few direct updates, deletes and lists around them."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from procore_sandbox.models import Company, ProcoreObject
from procore_sandbox.services.errors import NotFound, SandboxError, field_error
from procore_sandbox.services.requisitions import invoice_payment_prepare
from procore_sandbox.services.sync import (
    RESERVED,
    SyncContext,
    SyncSpec,
    as_int,
    clean_origin_id,
    objects_sync,
)


def _standard_cost_code_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    parent = _parent_in(
        attrs, ctx, ProcoreObject.objects.filter(parent=ctx.parent, item_type="standard_cost_code")
    )
    if parent is not None:
        attrs["parent_id"] = parent.id
    code = attrs.get("code", (obj.data if obj else {}).get("code"))
    parent_id = attrs.get("parent_id", (obj.data if obj else {}).get("parent_id"))
    parent_code = None
    if parent_id:
        parent_row = parent or ProcoreObject.objects.filter(id=parent_id).first()
        parent_code = parent_row.data.get("full_code") if parent_row else None
    if code is not None and "full_code" not in attrs:
        attrs["full_code"] = f"{parent_code}-{code}" if parent_code else str(code)
    return attrs


def _line_item_type_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    if "csv_import_code" in attrs and "code" not in attrs:
        attrs["code"] = attrs["csv_import_code"]
    return attrs


def _cost_code_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    """A cost code belongs to one biller: the project (no ``sub_job_id``) or the sub job named
    by the ``sub_job_id`` query parameter. A code of one biller is not changed through the
    other's call, so a portal that forgets ``sub_job_id`` sees an error, not a moved code."""
    sub_job_id = ctx.extra.get("sub_job_id")
    attrs.pop("sub_job_id", None)
    if obj is not None and (obj.data or {}).get("sub_job_id") != sub_job_id:
        raise field_error("sub_job_id", _other_biller(obj, "Cost code"))
    parent = _parent_in(
        attrs, ctx, ProcoreObject.objects.filter(project=ctx.project, item_type="cost_code")
    )
    if parent is not None:
        attrs["parent_id"] = parent.id
    standard_id = attrs.get("standard_cost_code_id")
    if (
        standard_id is not None
        and not ProcoreObject.objects.filter(
            company=ctx.company, item_type="standard_cost_code", id=as_int(standard_id) or 0
        ).exists()
    ):
        raise field_error("standard_cost_code_id", "Standard cost code not found")
    attrs["sub_job_id"] = sub_job_id
    code = attrs.get("code", (obj.data if obj else {}).get("code"))
    if code is not None and "full_code" not in attrs:
        parent_code = parent.data.get("full_code") if parent else None
        attrs["full_code"] = f"{parent_code}-{code}" if parent_code else str(code)
        attrs.setdefault("sortable_code", attrs["full_code"])
    return attrs


def _other_biller(obj: ProcoreObject, what: str) -> str:
    owner = (obj.data or {}).get("sub_job_id")
    where = f"sub job {owner}" if owner else "the project itself"
    return f"{what} belongs to {where}; send its sub_job_id (or none) to change it"


def _assignment_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    """Assignments and job costs name a cost code of the project; their sub job is the cost
    code's, and must be the ``sub_job_id`` of the call (none for project-level codes)."""
    cost_code_id = as_int(attrs.get("cost_code_id"))
    line_item_type_id = as_int(attrs.get("line_item_type_id"))
    cost_code = ProcoreObject.objects.filter(
        project=ctx.project, item_type="cost_code", id=cost_code_id or 0
    ).first()
    if cost_code is None:
        raise field_error("cost_code_id", "Cost code not found in this project")
    if (cost_code.data or {}).get("sub_job_id") != ctx.extra.get("sub_job_id"):
        raise field_error("cost_code_id", _other_biller(cost_code, "Cost code"))
    if not ProcoreObject.objects.filter(
        company=ctx.company, item_type="line_item_type", id=line_item_type_id or 0
    ).exists():
        raise field_error("line_item_type_id", "Line item type not found")
    attrs["cost_code_id"] = cost_code_id
    attrs["line_item_type_id"] = line_item_type_id
    if "synced" in attrs:
        attrs["synced"] = _flag(attrs["synced"])
    attrs["sub_job_id"] = (cost_code.data or {}).get("sub_job_id")
    return attrs


def _flag(value: Any) -> bool:
    """``synced`` as a boolean; "true"/"false" strings too, as Rails would read them."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "1", "t", "yes"}
    return bool(value)


def _job_cost_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    if obj is None:
        return _assignment_prepare(attrs, ctx, obj)
    for key in ("cost_code_id", "line_item_type_id", "sub_job_id"):
        attrs.pop(key, None)
    return attrs


def _transaction_prepare(attrs: dict, ctx: SyncContext, obj: ProcoreObject | None) -> dict:
    """The integrator marks a budget's transactions synced; their amounts are Procore's."""
    if "synced" in attrs:
        attrs["synced"] = _flag(attrs["synced"])
    for key in ("value", "type", "job_cost_id", "budget_line_item_id"):
        attrs.pop(key, None)
    return attrs


def _parent_in(attrs: dict, ctx: SyncContext, candidates) -> ProcoreObject | None:
    """Resolve ``parent_origin_id`` / ``parent_id`` among ``candidates``."""
    if attrs.get("parent_origin_id") is not None:
        origin = clean_origin_id(attrs.pop("parent_origin_id"))
        parent = candidates.filter(origin_id=origin).first()
        if parent is None:
            raise field_error("parent_origin_id", "Parent not found")
        return parent
    if attrs.get("parent_id") is not None:
        parent = candidates.filter(id=as_int(attrs["parent_id"]) or 0).first()
        if parent is None:
            raise field_error("parent_id", "Parent not found")
        return parent
    return None


SPECS: dict[str, SyncSpec] = {
    "vendors": SyncSpec("vendor"),
    "projects": SyncSpec("project"),
    "sub_jobs": SyncSpec("sub_job", required=("name", "code"), project_scoped=True),
    "standard_cost_codes": SyncSpec(
        "standard_cost_code", required=("name", "code"), prepare=_standard_cost_code_prepare
    ),
    "line_item_types": SyncSpec("line_item_type", prepare=_line_item_type_prepare),
    "cost_codes": SyncSpec(
        "cost_code", required=("name", "code"), project_scoped=True, prepare=_cost_code_prepare
    ),
    "cost_code_line_item_types": SyncSpec(
        "cost_code_line_item_type",
        required=("cost_code_id", "line_item_type_id"),
        project_scoped=True,
        natural_key=("cost_code_id", "line_item_type_id"),
        prepare=_assignment_prepare,
    ),
    "erp_job_costs": SyncSpec(
        "erp_job_cost",
        required=("cost_code_id", "line_item_type_id"),
        project_scoped=True,
        natural_key=("cost_code_id", "line_item_type_id"),
        prepare=_job_cost_prepare,
    ),
    "erp_transactions": SyncSpec(
        "erp_transaction",
        required=(),
        project_scoped=True,
        creatable=False,
        prepare=_transaction_prepare,
    ),
    "insurances": SyncSpec("insurance"),
    # Requisitions and payments (issue 11): a payment belongs to an invoice of the company.
    "invoice_payments": SyncSpec(
        "invoice_payment",
        required=("invoice_type", "invoice_id"),
        prepare=invoice_payment_prepare,
    ),
}


def resource_sync(
    *,
    company: Company,
    resource: str,
    updates: Any,
    project: ProcoreObject | None = None,
    parent: ProcoreObject | None = None,
    sub_job_id: int | None = None,
) -> dict:
    spec = SPECS[resource]
    ctx = SyncContext(
        company=company, project=project, parent=parent, extra={"sub_job_id": sub_job_id}
    )
    return objects_sync(spec=spec, ctx=ctx, updates=updates)


def project_get(*, company: Company, project_id: Any) -> ProcoreObject:
    project = ProcoreObject.objects.filter(
        company=company, item_type="project", id=as_int(project_id) or 0
    ).first()
    if project is None:
        raise NotFound("Project not found")
    return project


def job_by_origin(*, company: Company, origin_id: Any) -> tuple[ProcoreObject, int | None]:
    """The project (and sub job) an ERP job origin_id names. ``erp_job_costs/sync`` takes a
    ``job_origin_id``; the sandbox also takes a sub job's origin_id there, as the ERP holds job
    costs per sub job too (``create_budget`` names a ``sub_job_origin_id`` per job cost)."""
    origin = clean_origin_id(origin_id)
    found = ProcoreObject.objects.filter(
        company=company, item_type__in=("project", "sub_job"), origin_id=origin
    ).order_by("item_type")
    row = found.first()
    if row is None or origin is None:
        raise NotFound(f"No project or sub job has origin_id {origin_id!r}")
    if row.item_type == "sub_job":
        return row.project, row.id
    return row, None


def standard_cost_code_list_get(*, company: Company, list_id: Any) -> ProcoreObject:
    found = ProcoreObject.objects.filter(
        company=company, item_type="standard_cost_code_list", id=as_int(list_id) or 0
    ).first()
    if found is None:
        raise NotFound("Standard cost code list not found")
    return found


def object_get(*, company: Company, item_type: str, object_id: Any) -> ProcoreObject:
    obj = ProcoreObject.objects.filter(
        company=company, item_type=item_type, id=as_int(object_id) or 0
    ).first()
    if obj is None:
        raise NotFound(f"{item_type.replace('_', ' ').capitalize()} not found")
    return obj


def object_patch(*, company: Company, item_type: str, object_id: Any, attrs: Any) -> ProcoreObject:
    """The integrator's direct update (``PATCH /projects/:id``, ``/sub_jobs/:id``). Locking keeps
    people from editing synced objects; the integration itself may still update them."""
    if not isinstance(attrs, dict):
        raise SandboxError("Body must be an object")
    obj = object_get(company=company, item_type=item_type, object_id=object_id)
    with transaction.atomic():
        if "origin_id" in attrs:
            origin = clean_origin_id(attrs["origin_id"])
            taken = (
                ProcoreObject.objects.filter(company=company, item_type=item_type, origin_id=origin)
                .exclude(id=obj.id)
                .exists()
            )
            if origin is not None and taken:
                raise SandboxError(
                    "origin_id has already been taken",
                    errors={"origin_id": ["has already been taken"]},
                )
            obj.origin_id = origin
        if "origin_code" in attrs:
            obj.origin_code = attrs["origin_code"] or ""
        if "origin_data" in attrs:
            obj.origin_data = attrs["origin_data"]
        obj.data = {**obj.data, **{k: v for k, v in attrs.items() if k not in RESERVED}}
        obj.save()
    return obj


def object_delete(*, company: Company, item_type: str, object_id: Any) -> None:
    """Delete one object; a cost code takes its cost-type assignments and job costs along."""
    obj = object_get(company=company, item_type=item_type, object_id=object_id)
    with transaction.atomic():
        if item_type == "cost_code":
            ProcoreObject.objects.filter(
                project_id=obj.project_id,
                item_type__in=("cost_code_line_item_type", "erp_job_cost"),
                data__cost_code_id=obj.id,
            ).delete()
        obj.delete()


def objects_list(
    *, company: Company, item_type: str, project: ProcoreObject | None = None, **filters: Any
):
    queryset = ProcoreObject.objects.filter(company=company, item_type=item_type)
    if project is not None:
        queryset = queryset.filter(project=project)
    return queryset.filter(**filters).order_by("id")


BOOLEAN_CONFIGURATION = frozenset({"erp_job_cost_transaction_syncing_enabled"})


def project_configuration_update(*, project: ProcoreObject, configuration: Any) -> dict:
    """``PATCH /projects/:id/configuration``; ``erp_job_cost_transaction_syncing_enabled``
    must be a boolean (it is what ``sync_single_job`` reports as
    ``job_cost_transactions_sync_enabled``)."""
    if not isinstance(configuration, dict):
        raise SandboxError(
            "configuration must be an object", errors={"configuration": ["must be an object"]}
        )
    wrong = sorted(
        name
        for name in BOOLEAN_CONFIGURATION & set(configuration)
        if not isinstance(configuration[name], bool)
    )
    if wrong:
        raise SandboxError(
            "configuration is invalid", errors={name: ["must be true or false"] for name in wrong}
        )
    current = dict(project.data.get("configuration") or {})
    current.update(configuration)
    project.data = {**project.data, "configuration": current}
    project.save(update_fields=["data", "updated_at"])
    return current
