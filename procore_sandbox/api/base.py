"""What every sandbox API call goes through, in Procore's order of concerns: the rate limits
(headers on every response, 429 past them), injected faults, the bearer token (401), the
``Procore-Company-Id`` header and the app's install in that company (400/403), then the view.

Views receive an :class:`ApiContext` and return a body (200) or an :class:`ApiResult`; services
raise ``SandboxError`` subclasses, answered as ``{"errors": ...}`` with their status.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from procore_sandbox.models import App, Company
from procore_sandbox.services.errors import BadRequest, Forbidden, NotFound, SandboxError
from procore_sandbox.services.faults import fault_roll
from procore_sandbox.services.ratelimit import rate_limit_hit
from procore_sandbox.services.tenants import TokenRejected, company_for_app, token_authenticate

logger = logging.getLogger(__name__)
COMPANY_HEADER = "Procore-Company-Id"
MISSING_COMPANY_HEADER = "Missing Procore-Company-Id header!"
INVALID_TOKEN = "The access token is invalid"  # noqa: S105 (a message, not a secret)


@dataclass
class ApiResult:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiContext:
    request: HttpRequest
    app: App | None
    company: Company | None

    def json(self) -> Any:
        return json_body(self.request)

    def require_company_id(self, value: Any) -> None:
        """A company id in the path, query or body must be the header's company."""
        try:
            same = int(value) == self.company.id
        except (TypeError, ValueError):
            same = False
        if not same:
            raise Forbidden("App is not connected to this company")


def json_body(request: HttpRequest) -> Any:
    if not request.body:
        return {}
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON") from None


def answer(body: Any, *, status: int, headers: dict[str, str] | None = None) -> HttpResponse:
    if status == 204 or body is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(body, status=status, safe=False, json_dumps_params={})
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def bearer_token(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def procore_api(
    *methods: str, authenticated: bool = True, company_scoped: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Wrap a view as a Procore REST endpoint answering ``methods``."""

    def decorator(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            headers = {"X-Request-Id": uuid.uuid4().hex}
            try:
                return _handle(request, view, args, kwargs, headers)
            except Exception:
                # Procore answers JSON even when it breaks; its JS SDK cannot read HTML.
                logger.exception(
                    "sandbox API error on %s %s (request %s)",
                    request.method,
                    request.path,
                    headers["X-Request-Id"],
                )
                return answer({"errors": "Internal Server Error"}, status=500, headers=headers)

        def _handle(
            request: HttpRequest,
            view: Callable[..., Any],
            args: tuple,
            kwargs: dict,
            headers: dict[str, str],
        ) -> HttpResponse:
            app: App | None = None
            token_error: str | None = None
            if authenticated:
                token = bearer_token(request)
                if token is None:
                    token_error = INVALID_TOKEN
                else:
                    try:
                        app = token_authenticate(token=token)
                    except TokenRejected as exc:
                        token_error = exc.reason
            company_header = request.headers.get(COMPANY_HEADER, "").strip()
            who = app.client_id if app else f"anonymous:{request.META.get('REMOTE_ADDR', '')}"
            decision = rate_limit_hit(key=f"{who}|{company_header or '-'}")
            headers.update(decision.headers())
            if not decision.allowed:
                headers["Retry-After"] = str(decision.retry_after)
                return answer({"errors": decision.message}, status=429, headers=headers)
            fault = fault_roll()
            if fault is not None:
                if fault.retry_after is not None:
                    headers["Retry-After"] = str(fault.retry_after)
                message = (
                    "Service Unavailable: please retry later"
                    if fault.status == 503
                    else "Internal Server Error"
                )
                return answer({"errors": message}, status=fault.status, headers=headers)
            if request.method not in methods:
                headers["Allow"] = ", ".join(methods)
                return answer({"errors": "Method Not Allowed"}, status=405, headers=headers)
            if token_error is not None:
                headers["WWW-Authenticate"] = (
                    f'Bearer realm="Procore Sandbox", error="invalid_token", '
                    f'error_description="{token_error}"'
                )
                return answer({"errors": token_error}, status=401, headers=headers)
            try:
                company = None
                if company_scoped:
                    company = _company(app, company_header)
                ctx = ApiContext(request=request, app=app, company=company)
                result = view(request, ctx, *args, **kwargs)
            except SandboxError as exc:
                return answer(exc.body(), status=exc.status, headers=headers)
            if not isinstance(result, ApiResult):
                result = ApiResult(result)
            headers.update(result.headers)
            return answer(result.body, status=result.status, headers=headers)

        return wrapper

    return decorator


def _company(app: App | None, header: str) -> Company:
    if not header:
        raise BadRequest(MISSING_COMPANY_HEADER)
    try:
        company_id = int(header)
    except ValueError:
        raise BadRequest(f"{COMPANY_HEADER} must be a company id") from None
    if app is None:
        raise Forbidden("App is not connected to this company")
    return company_for_app(app=app, company_id=company_id)


def paginate(request: HttpRequest, queryset: Any, serialize: Callable[[Any], dict]) -> ApiResult:
    """``page`` (1-based) and ``per_page`` with ``Total``, ``Per-Page`` and ``Link`` headers
    (``plan_your_app/pagination.md``)."""
    try:
        page = max(1, int(request.GET.get("page", 1)))
        per_page = max(1, min(int(request.GET.get("per_page", 100)), 10000))
    except ValueError:
        raise BadRequest("page and per_page must be integers") from None
    total = queryset.count()
    rows = queryset[(page - 1) * per_page : page * per_page]
    last = max(1, -(-total // per_page))
    links = []
    for rel, number in (("first", 1), ("prev", page - 1), ("next", page + 1), ("last", last)):
        if 1 <= number <= last and not (rel == "prev" and page == 1):
            if rel == "next" and page >= last:
                continue
            query = request.GET.copy()
            query["page"] = str(number)
            query["per_page"] = str(per_page)
            url = request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)
            links.append(f'<{url}>; rel="{rel}"')
    headers = {"Total": str(total), "Per-Page": str(per_page)}
    if links:
        headers["Link"] = ", ".join(links)
    return ApiResult([serialize(row) for row in rows], headers=headers)


ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@procore_api(*ALL_METHODS, authenticated=False, company_scoped=False)
def unknown_path(request: HttpRequest, ctx: ApiContext, rest: str = "") -> ApiResult:
    """Any path under ``/rest/`` or ``/oauth/`` that is not an endpoint: a JSON 404 with the
    usual headers, never Django's HTML page (Procore's JS SDK cannot parse HTML)."""
    raise NotFound(f"No route matches {request.method} {request.path}")
