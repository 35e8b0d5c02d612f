"""The Webhooks API: hooks, triggers, deliveries, resources (procore-erp-api.md §c.1).
Every call names its scope with ``company_id`` or ``project_id``, never both."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from procore_sandbox.api.base import ApiContext, ApiResult, procore_api
from procore_sandbox.models import Hook
from procore_sandbox.services import webhooks
from procore_sandbox.services.core_sync import project_get
from procore_sandbox.services.errors import BadRequest, NotFound
from procore_sandbox.services.representations import (
    delivery_attempt_json,
    hook_json,
    trigger_json,
)


def _scope(request: HttpRequest, ctx: ApiContext, body: Any) -> int | None:
    """Check ``company_id`` xor ``project_id``; returns the project id for project scope."""

    def value(name: str) -> Any:
        if isinstance(body, dict) and body.get(name) not in (None, ""):
            return body[name]
        return request.GET.get(name) or None

    company_id, project_id = value("company_id"), value("project_id")
    if company_id and project_id:
        raise BadRequest("Provide company_id or project_id, not both")
    if not company_id and not project_id:
        raise BadRequest("company_id or project_id is required")
    if company_id:
        ctx.require_company_id(company_id)
        return None
    return project_get(company=ctx.company, project_id=project_id).id


def _hook(request: HttpRequest, ctx: ApiContext, hook_id: int, body: Any = None) -> Hook:
    project_id = _scope(request, ctx, body)
    hook = webhooks.hook_get(company=ctx.company, hook_id=hook_id)
    if hook.project_id != project_id:
        raise NotFound("Hook not found")
    return hook


@procore_api("GET", "POST")
def hooks(request: HttpRequest, ctx: ApiContext) -> ApiResult:
    if request.method == "POST":
        body = ctx.json()
        project_id = _scope(request, ctx, body)
        hook = webhooks.hook_create(
            company=ctx.company,
            attrs=body.get("hook") if isinstance(body, dict) else None,
            project_id=project_id,
            user_id=ctx.app.user_id,
        )
        return ApiResult(hook_json(hook), status=201)
    project_id = _scope(request, ctx, None)
    rows = webhooks.hooks_list(
        company=ctx.company,
        namespace=request.GET.get("namespace"),
        api_version=request.GET.get("api_version"),
    )
    rows = rows.filter(project_id=project_id) if project_id else rows
    return ApiResult([hook_json(hook) for hook in rows])


@procore_api("GET", "PATCH", "DELETE")
def hook(request: HttpRequest, ctx: ApiContext, hook_id: int) -> ApiResult:
    body = ctx.json() if request.method == "PATCH" else None
    found = _hook(request, ctx, hook_id, body)
    if request.method == "DELETE":
        webhooks.hook_delete(hook=found)
        return ApiResult(None, status=204)
    if request.method == "PATCH":
        found = webhooks.hook_update(hook=found, attrs=body.get("hook"))
    return ApiResult(hook_json(found))


@procore_api("GET", "POST")
def triggers(request: HttpRequest, ctx: ApiContext, hook_id: int) -> ApiResult:
    body = ctx.json() if request.method == "POST" else None
    found = _hook(request, ctx, hook_id, body)
    if request.method == "POST":
        if isinstance(body, dict) and body.get("api_version") not in (None, ""):
            webhooks.api_version_normalise(body["api_version"])
        trigger = webhooks.trigger_create(
            hook=found, attrs=body.get("trigger"), user_id=ctx.app.user_id
        )
        return ApiResult(trigger_json(trigger), status=201)
    return ApiResult([trigger_json(t) for t in found.triggers.select_related("hook")])


@procore_api("POST", "DELETE")
def triggers_bulk(request: HttpRequest, ctx: ApiContext, hook_id: int) -> ApiResult:
    body = ctx.json()
    found = _hook(request, ctx, hook_id, body)
    given = body.get("triggers") if isinstance(body, dict) else None
    if request.method == "POST":
        status, result = webhooks.triggers_bulk_create(
            hook=found, triggers=given, user_id=ctx.app.user_id
        )
    else:
        status, result = webhooks.triggers_bulk_delete(hook=found, trigger_ids=given)
    return ApiResult(result, status=status)


@procore_api("GET", "DELETE")
def trigger(request: HttpRequest, ctx: ApiContext, hook_id: int, trigger_id: int) -> ApiResult:
    found = _hook(request, ctx, hook_id)
    if request.method == "DELETE":
        webhooks.trigger_delete(hook=found, trigger_id=trigger_id)
        return ApiResult(None, status=204)
    row = found.triggers.filter(id=trigger_id).first()
    if row is None:
        raise NotFound("Trigger not found")
    return ApiResult(trigger_json(row))


@procore_api("GET")
def deliveries(request: HttpRequest, ctx: ApiContext, hook_id: int) -> ApiResult:
    """``filter[status]`` (the docs) or ``filters[status]`` (the SDK); cursor paging."""
    found = _hook(request, ctx, hook_id)
    status = request.GET.get("filter[status]") or request.GET.get("filters[status]")
    rows = webhooks.deliveries_list(
        hook=found,
        status=status,
        page_size=request.GET.get("page_size"),
        page_start=request.GET.get("page_start"),
    )
    return ApiResult([delivery_attempt_json(row) for row in rows])


@procore_api("GET")
def resources(request: HttpRequest, ctx: ApiContext) -> list[dict]:
    return [{"name": name, "except": [], "level": "company"} for name in webhooks.COMPANY_RESOURCES]


@procore_api("GET")
def api_versions(request: HttpRequest, ctx: ApiContext) -> list[dict]:
    return [{"api_version": version} for version in webhooks.API_VERSIONS]
