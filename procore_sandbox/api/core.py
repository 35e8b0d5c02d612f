"""Core Procore endpoints the ERP flows use (procore-erp-api.md §b.2 and the legacy ones of
§b.1): sync actions, a few direct updates and deletes, and lists to read back what was synced."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from procore_sandbox.api.base import ApiContext, ApiResult, paginate, procore_api
from procore_sandbox.services import core_sync, requisitions, staged_records
from procore_sandbox.services.errors import BadRequest
from procore_sandbox.services.representations import object_json


def _param(request: HttpRequest, body: Any, name: str) -> Any:
    if isinstance(body, dict) and body.get(name) is not None:
        return body[name]
    return request.GET.get(name)


def _company_param(request: HttpRequest, ctx: ApiContext, body: Any) -> None:
    value = _param(request, body, "company_id")
    if value in (None, ""):
        raise BadRequest("company_id is required", errors={"company_id": ["is required"]})
    ctx.require_company_id(value)


def _company_if_given(request: HttpRequest, ctx: ApiContext) -> None:
    """The portal sends ``?company_id=`` on deletes and configuration; when it is there it must
    be the ``Procore-Company-Id`` company (403 otherwise, as everywhere)."""
    value = request.GET.get("company_id")
    if value not in (None, ""):
        ctx.require_company_id(value)


def _updates(body: Any) -> Any:
    if not isinstance(body, dict) or "updates" not in body:
        raise BadRequest("updates is required", errors={"updates": ["is required"]})
    return body["updates"]


def _project(request: HttpRequest, ctx: ApiContext, body: Any):
    project_id = _param(request, body, "project_id")
    if project_id in (None, ""):
        raise BadRequest("project_id is required", errors={"project_id": ["is required"]})
    return core_sync.project_get(company=ctx.company, project_id=project_id)


def _company_sync(resource: str):
    """``PATCH /rest/v1.0/<resource>/sync`` with ``company_id`` and ``updates``."""

    @procore_api("PATCH")
    def view(request: HttpRequest, ctx: ApiContext) -> dict:
        body = ctx.json()
        _company_param(request, ctx, body)
        return core_sync.resource_sync(
            company=ctx.company, resource=resource, updates=_updates(body)
        )

    view.__name__ = f"{resource}_sync"
    return view


def _project_sync(resource: str):
    """``PATCH /rest/v1.0/<resource>/sync?project_id=…[&sub_job_id=…]``."""

    @procore_api("PATCH")
    def view(request: HttpRequest, ctx: ApiContext) -> dict:
        body = ctx.json()
        if _param(request, body, "company_id") not in (None, ""):
            _company_param(request, ctx, body)
        project = _project(request, ctx, body)
        sub_job_id = _param(request, body, "sub_job_id")
        if sub_job_id not in (None, ""):
            sub_job = core_sync.object_get(
                company=ctx.company, item_type="sub_job", object_id=sub_job_id
            )
            if sub_job.project_id != project.id:
                raise BadRequest(
                    "sub_job_id is not a sub job of project_id",
                    errors={"sub_job_id": ["is not a sub job of this project"]},
                )
            sub_job_id = sub_job.id
        return core_sync.resource_sync(
            company=ctx.company,
            resource=resource,
            updates=_updates(body),
            project=project,
            sub_job_id=sub_job_id or None,
        )

    view.__name__ = f"{resource}_sync"
    return view


vendors_sync = _company_sync("vendors")
projects_sync = _company_sync("projects")
line_item_types_sync = _company_sync("line_item_types")
insurances_sync = _company_sync("insurances")
sub_jobs_sync = _project_sync("sub_jobs")
cost_codes_sync = _project_sync("cost_codes")
cost_code_line_item_types_sync = _project_sync("cost_code_line_item_types")
erp_transactions_sync = _project_sync("erp_transactions")


@procore_api("PATCH")
def standard_cost_codes_sync(request: HttpRequest, ctx: ApiContext) -> dict:
    body = ctx.json()
    _company_param(request, ctx, body)
    list_id = _param(request, body, "standard_cost_code_list_id")
    if list_id in (None, ""):
        raise BadRequest(
            "standard_cost_code_list_id is required",
            errors={"standard_cost_code_list_id": ["is required"]},
        )
    code_list = core_sync.standard_cost_code_list_get(company=ctx.company, list_id=list_id)
    return core_sync.resource_sync(
        company=ctx.company,
        resource="standard_cost_codes",
        updates=_updates(body),
        parent=code_list,
    )


@procore_api("PATCH")
def erp_job_costs_sync(request: HttpRequest, ctx: ApiContext) -> dict:
    """``{company_id, job_origin_id, updates}`` (legacy-2022); items keyed by cost code and
    cost type. ``job_origin_id`` names a synced project, or a synced sub job (a sandbox
    extension: see ``core_sync.job_by_origin``)."""
    body = ctx.json()
    _company_param(request, ctx, body)
    job_origin_id = _param(request, body, "job_origin_id")
    if job_origin_id in (None, ""):
        raise BadRequest("job_origin_id is required", errors={"job_origin_id": ["is required"]})
    project, sub_job_id = core_sync.job_by_origin(company=ctx.company, origin_id=job_origin_id)
    return core_sync.resource_sync(
        company=ctx.company,
        resource="erp_job_costs",
        updates=_updates(body),
        project=project,
        sub_job_id=sub_job_id,
    )


@procore_api("PATCH")
def invoice_payments_sync(request: HttpRequest, ctx: ApiContext, company_id: int) -> dict:
    ctx.require_company_id(company_id)
    body = ctx.json()
    return core_sync.resource_sync(
        company=ctx.company, resource="invoice_payments", updates=_updates(body)
    )


# Requisitions and payments (issue 11): Invoice Payments Unlink (path not public; §i of
# procore-erp-api.md is extended with the portal's choice in integrations/procore/paths.py).
@procore_api("PATCH")
def invoice_payment_unlink(
    request: HttpRequest, ctx: ApiContext, company_id: int, payment_id: int
) -> dict:
    ctx.require_company_id(company_id)
    payment = requisitions.invoice_payment_unlink(company=ctx.company, payment_id=payment_id)
    return object_json(payment)


# -- reads, direct updates, deletes -----------------------------------------------------------
def _company_list(item_type: str):
    @procore_api("GET")
    def view(request: HttpRequest, ctx: ApiContext) -> ApiResult:
        _company_param(request, ctx, None)
        rows = core_sync.objects_list(company=ctx.company, item_type=item_type)
        return paginate(request, rows, object_json)

    view.__name__ = f"{item_type}_list"
    return view


def _project_list(item_type: str):
    @procore_api("GET")
    def view(request: HttpRequest, ctx: ApiContext) -> ApiResult:
        project = _project(request, ctx, None)
        rows = core_sync.objects_list(company=ctx.company, item_type=item_type, project=project)
        return paginate(request, rows, object_json)

    view.__name__ = f"{item_type}_list"
    return view


vendors_list = _company_list("vendor")
projects_list = _company_list("project")
line_item_types_list = _company_list("line_item_type")
sub_jobs_list = _project_list("sub_job")
cost_codes_list = _project_list("cost_code")
cost_code_line_item_types_list = _project_list("cost_code_line_item_type")


@procore_api("GET")
def standard_cost_codes_list(request: HttpRequest, ctx: ApiContext) -> ApiResult:
    list_id = request.GET.get("standard_cost_code_list_id")
    if not list_id:
        raise BadRequest(
            "standard_cost_code_list_id is required",
            errors={"standard_cost_code_list_id": ["is required"]},
        )
    code_list = core_sync.standard_cost_code_list_get(company=ctx.company, list_id=list_id)
    rows = core_sync.objects_list(
        company=ctx.company, item_type="standard_cost_code", parent=code_list
    )
    return paginate(request, rows, object_json)


def _object_view(item_type: str, methods: tuple[str, ...]):
    """GET, PATCH (the integrator's update) and DELETE of one object."""

    @procore_api(*methods)
    def view(request: HttpRequest, ctx: ApiContext, object_id: int) -> ApiResult:
        _company_if_given(request, ctx)
        if request.method == "DELETE":
            core_sync.object_delete(company=ctx.company, item_type=item_type, object_id=object_id)
            return ApiResult(None, status=204)
        if request.method == "PATCH":
            body = ctx.json()
            attrs = body.get(item_type, body) if isinstance(body, dict) else body
            obj = core_sync.object_patch(
                company=ctx.company, item_type=item_type, object_id=object_id, attrs=attrs
            )
            return ApiResult(object_json(obj))
        obj = core_sync.object_get(company=ctx.company, item_type=item_type, object_id=object_id)
        return ApiResult(object_json(obj))

    view.__name__ = f"{item_type}_detail"
    return view


project_detail = _object_view("project", ("GET", "PATCH"))
sub_job_detail = _object_view("sub_job", ("GET", "PATCH"))
vendor_detail = _object_view("vendor", ("GET",))
standard_cost_code_detail = _object_view("standard_cost_code", ("GET", "DELETE"))
cost_code_detail = _object_view("cost_code", ("GET", "DELETE"))
cost_code_line_item_type_detail = _object_view("cost_code_line_item_type", ("GET", "DELETE"))
erp_job_cost_detail = _object_view("erp_job_cost", ("GET", "DELETE"))


@procore_api("GET", "PATCH")
def project_configuration(request: HttpRequest, ctx: ApiContext, project_id: int) -> dict:
    _company_if_given(request, ctx)
    project = core_sync.project_get(company=ctx.company, project_id=project_id)
    if request.method == "PATCH":
        body = ctx.json()
        configuration = body.get("configuration") if isinstance(body, dict) else None
        return core_sync.project_configuration_update(project=project, configuration=configuration)
    return dict(project.data.get("configuration") or {})


# -- legacy staging (pre-Staged-Records) ------------------------------------------------------
LEGACY_STAGING = {
    "erp_vendors": "vendor",
    "erp_projects": "project",
    "erp_sub_jobs": "sub_job",
    "erp_prime_contracts": "prime_contract",
    "erp_work_order_contracts": "work_order_contract",
    "erp_purchase_order_contracts": "purchase_order_contract",
    "erp_work_order_contract_line_items": "line_item",
    "erp_purchase_order_contract_line_items": "line_item",
}
_PARENT_KEYS = (
    "parent_origin_id",
    "work_order_contract_origin_id",
    "purchase_order_contract_origin_id",
    "commitment_origin_id",
    "contract_origin_id",
)


def _legacy_item(item_type: str, item: Any) -> Any:
    """A flat legacy item as a staged record: columns kept, everything else under ``data``."""
    if not isinstance(item, dict):
        return item
    record: dict[str, Any] = {"item_type": item_type}
    data = {}
    for key, value in item.items():
        if key in {"id", "origin_id", "origin_code", "origin_data", "status"}:
            record[key] = value
        elif item_type == "line_item" and key in _PARENT_KEYS:
            record["parent_origin_id"] = value
        else:
            data[key] = value
    record["data"] = data
    return record


@procore_api("PATCH")
def legacy_staging_sync(request: HttpRequest, ctx: ApiContext, entity: str) -> dict:
    """``PATCH /rest/v1.0/erp_<entity>/sync`` ``{company_id, updates}``: stages the records as
    Staged Records would (the Ready to Import page is the same)."""
    body = ctx.json()
    _company_param(request, ctx, body)
    item_type = LEGACY_STAGING[entity]
    updates = _updates(body)
    if isinstance(updates, list):
        updates = [_legacy_item(item_type, item) for item in updates]
    return staged_records.staged_records_sync(company=ctx.company, updates=updates)
