"""Companies and the ERP endpoints (procore-erp-api.md §b.1, paths of §i)."""

from __future__ import annotations

from django.http import HttpRequest

from procore_sandbox.api.base import ApiContext, ApiResult, paginate, procore_api
from procore_sandbox.models import Company
from procore_sandbox.services import erp, staged_records
from procore_sandbox.services.errors import BadRequest, SandboxError
from procore_sandbox.services.representations import (
    erp_request_json,
    request_detail_json,
    staged_record_json,
)


@procore_api("GET")
def me(request: HttpRequest, ctx: ApiContext) -> dict:
    return {"id": ctx.app.user_id, "login": f"{ctx.app.client_id}@dmsa", "name": ctx.app.name}


@procore_api("GET")
def companies(request: HttpRequest, ctx: ApiContext) -> list[dict]:
    """Companies where the app is installed (the DMSA page)."""
    rows = Company.objects.filter(installations__app=ctx.app).order_by("id")
    return [{"id": c.id, "name": c.name, "is_active": True} for c in rows]


@procore_api("GET", "POST", "PATCH")
def erp_connections(request: HttpRequest, ctx: ApiContext, company_id: int) -> ApiResult:
    ctx.require_company_id(company_id)
    if request.method == "GET":
        return ApiResult(erp.erp_connection_json(erp.erp_connection_get(company=ctx.company)))
    body = ctx.json()
    attrs = body.get("connection") if isinstance(body, dict) else None
    if not isinstance(attrs, dict):
        raise SandboxError("connection is required", errors={"connection": ["is required"]})
    if request.method == "POST":
        connection = erp.erp_connection_create(
            company=ctx.company,
            app=ctx.app,
            service_url=attrs.get("service_url"),
            metadata=attrs.get("metadata"),
        )
        return ApiResult(
            {
                "id": connection.company_id,
                "standard_cost_code_list_id": connection.standard_cost_code_list_id,
            },
            status=201,
        )
    connection = erp.erp_connection_update(company=ctx.company, attrs=attrs)
    return ApiResult(erp.erp_connection_json(connection))


@procore_api("GET")
def erp_request_show(
    request: HttpRequest, ctx: ApiContext, company_id: int, request_id: int
) -> dict:
    ctx.require_company_id(company_id)
    return erp_request_json(erp.erp_request_get(company=ctx.company, request_id=request_id))


@procore_api("GET")
def request_details(request: HttpRequest, ctx: ApiContext, company_id: int) -> list[dict]:
    """[3p] ``filters[item_id]``; answers an array."""
    ctx.require_company_id(company_id)
    item_id = request.GET.get("filters[item_id]", request.GET.get("filter[item_id]"))
    rows = erp.request_details_list(company=ctx.company, item_id=item_id)
    return [request_detail_json(detail) for detail in rows]


@procore_api("GET", "PATCH", "PUT")
def request_detail(request: HttpRequest, ctx: ApiContext, company_id: int, detail_id: int) -> dict:
    ctx.require_company_id(company_id)
    if request.method == "GET":
        return request_detail_json(erp.request_detail_get(company=ctx.company, detail_id=detail_id))
    body = ctx.json()
    attrs = body.get("request_detail") if isinstance(body, dict) else None
    detail = erp.request_detail_update(company=ctx.company, detail_id=detail_id, attrs=attrs)
    return request_detail_json(detail)


@procore_api("PATCH")
def request_details_sync(request: HttpRequest, ctx: ApiContext, company_id: int) -> dict:
    ctx.require_company_id(company_id)
    body = ctx.json()
    if isinstance(body, dict) and "updates" in body:
        body = body["updates"]
    return erp.request_details_sync(company=ctx.company, items=body)


@procore_api("PATCH")
def external_data_sync(request: HttpRequest, ctx: ApiContext, company_id: int) -> dict:
    """``{"updates": [...]}`` (§i); the legacy no-``/sync`` path also takes a bare array."""
    ctx.require_company_id(company_id)
    body = ctx.json()
    updates = body.get("updates") if isinstance(body, dict) else body
    if updates is None:
        raise BadRequest("updates is required", errors={"updates": ["is required"]})
    return erp.external_data_sync(company=ctx.company, updates=updates)


@procore_api("GET", "POST")
def staged_records_collection(request: HttpRequest, ctx: ApiContext, company_id: int) -> ApiResult:
    ctx.require_company_id(company_id)
    if request.method == "POST":
        body = ctx.json()
        attrs = body.get("staged_record", body) if isinstance(body, dict) else body
        record = staged_records.staged_record_create(company=ctx.company, attrs=attrs)
        return ApiResult(staged_record_json(record), status=201)
    rows = staged_records.staged_records_list(
        company=ctx.company,
        item_type=request.GET.get("item_type"),
        status=request.GET.get("status") or request.GET.get("filters[status]"),
    )
    return paginate(request, rows, staged_record_json)


@procore_api("GET", "PUT", "PATCH")
def staged_record(request: HttpRequest, ctx: ApiContext, company_id: int, record_id: int) -> dict:
    ctx.require_company_id(company_id)
    if request.method == "GET":
        return staged_record_json(
            staged_records.staged_record_get(company=ctx.company, record_id=record_id)
        )
    body = ctx.json()
    attrs = body.get("staged_record", body) if isinstance(body, dict) else body
    record = staged_records.staged_record_update(
        company=ctx.company, record_id=record_id, attrs=attrs
    )
    return staged_record_json(record)


@procore_api("PATCH")
def staged_records_sync(request: HttpRequest, ctx: ApiContext, company_id: int) -> dict:
    ctx.require_company_id(company_id)
    body = ctx.json()
    if not isinstance(body, dict) or "updates" not in body:
        raise BadRequest("updates is required", errors={"updates": ["is required"]})
    return staged_records.staged_records_sync(company=ctx.company, updates=body["updates"])
