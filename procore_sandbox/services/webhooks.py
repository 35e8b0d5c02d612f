"""Hooks, triggers and events (procore-erp-api.md §c.1, §c.3). Delivering them is
``services/delivery.py``."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import urlparse

from django.db import IntegrityError, transaction
from django.utils import timezone

from procore_sandbox import conf
from procore_sandbox.models import Company, Delivery, DeliveryAttempt, Hook, Trigger, WebhookEvent
from procore_sandbox.services.errors import NotFound, PayloadTooLarge, SandboxError
from procore_sandbox.services.ids import new_event_id, new_ulid
from procore_sandbox.services.representations import trigger_json

# Company-level webhook resources as a Procore sandbox lists them, ERP Requests among them.
COMPANY_RESOURCES = (
    "Bids",
    "Change Order Change Reasons",
    "Change Types",
    "Company File Versions",
    "Company Files",
    "Company Folders",
    "Company Insurances",
    "Company Users",
    "Company Vendors",
    "Departments",
    "ERP Requests",
    "Form Templates",
    "Line Item Types",
    "Offices",
    "Programs",
    "Project Bid Types",
    "Project Owner Types",
    "Project Regions",
    "Project Stages",
    "Project Types",
    "Projects",
    "Standard Cost Code Lists",
    "Standard Cost Codes",
    "Timecard Time Types",
    "Trades",
)
EVENT_TYPES = ("create", "update", "delete")
API_VERSIONS = ("v2", "v3", "v4")
NAMESPACE = re.compile(r"^[a-z0-9-]+$")
TRIGGERS_BULK_LIMIT = 500


def api_version_normalise(value: Any) -> str:
    text = str(value or "").strip().lower()
    major = text.lstrip("v").split(".")[0]
    version = f"v{major}"
    if version not in API_VERSIONS:
        raise SandboxError(
            "api_version is not supported",
            errors={"api_version": [f"must be one of {', '.join(API_VERSIONS)}"]},
        )
    return version


def _validate_hook(attrs: dict, *, creating: bool) -> dict:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if creating or "namespace" in attrs:
        namespace = attrs.get("namespace")
        if not namespace or not isinstance(namespace, str) or not NAMESPACE.match(namespace):
            errors["namespace"] = ["may contain only lowercase letters, digits and dashes"]
        else:
            clean["namespace"] = namespace
    if creating or "destination_url" in attrs:
        url = attrs.get("destination_url")
        parsed = urlparse(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in {"http", "https"} or not parsed.netloc:
            errors["destination_url"] = ["must be an http(s) URL"]
        else:
            clean["destination_url"] = url
    if "destination_headers" in attrs:
        headers = attrs.get("destination_headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            errors["destination_headers"] = ["must be an object of header names to strings"]
        else:
            clean["destination_headers"] = headers
    if creating or "api_version" in attrs:
        try:
            clean["api_version"] = api_version_normalise(attrs.get("api_version", "v2"))
        except SandboxError as exc:
            errors.update(exc.errors or {})
    if errors:
        raise SandboxError("Hook is invalid", errors=errors)
    return clean


def hook_create(
    *, company: Company, attrs: Any, project_id: int | None = None, user_id: int | None = None
) -> Hook:
    if not isinstance(attrs, dict):
        raise SandboxError("hook is required", errors={"hook": ["is required"]})
    clean = _validate_hook(attrs, creating=True)
    return Hook.objects.create(
        company=company, project_id=project_id, owned_by_user_id=user_id, **clean
    )


def hook_update(*, hook: Hook, attrs: Any) -> Hook:
    if not isinstance(attrs, dict):
        raise SandboxError("hook is required", errors={"hook": ["is required"]})
    for name, value in _validate_hook(attrs, creating=False).items():
        setattr(hook, name, value)
    hook.save()
    return hook


def hook_get(*, company: Company, hook_id: Any) -> Hook:
    try:
        hook = Hook.objects.filter(company=company, id=int(hook_id)).first()
    except (TypeError, ValueError):
        hook = None
    if hook is None:
        raise NotFound("Hook not found")
    return hook


def hooks_list(*, company: Company, namespace: str | None, api_version: str | None):
    hooks = Hook.objects.filter(company=company, project_id__isnull=True)
    if namespace and namespace != "*":
        hooks = hooks.filter(namespace=namespace)
    if api_version:
        hooks = hooks.filter(api_version=api_version_normalise(api_version))
    return hooks.order_by("id")


def hook_delete(*, hook: Hook) -> None:
    hook.delete()


def trigger_create(*, hook: Hook, attrs: Any, user_id: int | None = None) -> Trigger:
    if not isinstance(attrs, dict):
        raise SandboxError("trigger is required", errors={"trigger": ["is required"]})
    errors: dict[str, list[str]] = {}
    resource_name = attrs.get("resource_name")
    event_type = attrs.get("event_type")
    if resource_name not in COMPANY_RESOURCES:
        errors["resource_name"] = ["is not a webhook resource"]
    if event_type not in EVENT_TYPES:
        errors["event_type"] = ["must be create, update or delete"]
    if errors:
        raise SandboxError("Trigger is invalid", errors=errors)
    try:
        with transaction.atomic():
            return Trigger.objects.create(
                hook=hook, resource_name=resource_name, event_type=event_type, user_id=user_id
            )
    except IntegrityError:
        raise SandboxError(
            "Trigger already exists",
            errors={"resource_name": ["has already been taken for this event type"]},
        ) from None


def triggers_bulk_create(
    *, hook: Hook, triggers: Any, user_id: int | None = None
) -> tuple[int, dict]:
    """Create up to 500 triggers: 200 when all succeed, 207 with the failures otherwise."""
    if not isinstance(triggers, list):
        raise SandboxError("triggers must be an array", errors={"triggers": ["must be an array"]})
    if len(triggers) > TRIGGERS_BULK_LIMIT:
        raise PayloadTooLarge(f"At most {TRIGGERS_BULK_LIMIT} triggers per call")
    success, failed = [], []
    for attrs in triggers:
        try:
            success.append(trigger_json(trigger_create(hook=hook, attrs=attrs, user_id=user_id)))
        except SandboxError as exc:
            failed.append(
                {"code": 422, "message": exc.message, "trigger": attrs, "errors": exc.errors}
            )
    return (207 if failed else 200), {"success": success, "failed": failed}


def triggers_bulk_delete(*, hook: Hook, trigger_ids: Any) -> tuple[int, dict]:
    if not isinstance(trigger_ids, list):
        raise SandboxError("triggers must be an array", errors={"triggers": ["must be an array"]})
    if len(trigger_ids) > TRIGGERS_BULK_LIMIT:
        raise PayloadTooLarge(f"At most {TRIGGERS_BULK_LIMIT} triggers per call")
    success, failed = [], []
    for trigger_id in trigger_ids:
        deleted, _ = Trigger.objects.filter(hook=hook, id=_int(trigger_id)).delete()
        if deleted:
            success.append(trigger_id)
        else:
            failed.append({"code": 404, "message": "Trigger not found", "trigger": trigger_id})
    return (207 if failed else 200), {"success": success, "failed": failed}


def trigger_delete(*, hook: Hook, trigger_id: Any) -> None:
    deleted, _ = Trigger.objects.filter(hook=hook, id=_int(trigger_id)).delete()
    if not deleted:
        raise NotFound("Trigger not found")


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def event_emit(
    *,
    company: Company,
    resource_name: str,
    resource_id: int,
    event_type: str = "create",
    user_id: int | None = None,
    application_id: str | None = None,
    project_id: int | None = None,
) -> WebhookEvent:
    """Record an event and queue one delivery per hook whose triggers want it (two for a
    ``webhook_duplicate_share`` of them: Procore delivers at least once, not exactly once)."""
    event = WebhookEvent.objects.create(
        id=new_event_id(),
        ulid=new_ulid(),
        company=company,
        project_id=project_id,
        user_id=user_id,
        application_id=application_id,
        resource_name=resource_name,
        resource_id=resource_id,
        event_type=event_type,
        timestamp=timezone.now(),
    )
    hooks = Hook.objects.filter(
        company=company,
        triggers__resource_name=resource_name,
        triggers__event_type=event_type,
    ).distinct()
    duplicate_share = float(conf.get("webhook_duplicate_share"))
    rows = []
    for hook in hooks:
        rows.append(Delivery(hook=hook, event=event))
        if duplicate_share > 0 and random.random() < duplicate_share:
            rows.append(Delivery(hook=hook, event=event, duplicate=True))
    Delivery.objects.bulk_create(rows)
    if rows:
        from procore_sandbox.services.delivery import runner_wake

        transaction.on_commit(runner_wake)
    return event


def deliveries_list(
    *, hook: Hook, status: str | None, page_size: Any = None, page_start: Any = None
) -> list[DeliveryAttempt]:
    """Every attempt, newest first; cursor paging with ``page_size`` and ``page_start`` (the
    last id of the previous page)."""
    attempts = DeliveryAttempt.objects.filter(hook=hook).select_related("delivery__event", "hook")
    status = (status or "any").lower()
    if status == "successful":
        attempts = attempts.filter(outcome=DeliveryAttempt.Outcome.OK)
    elif status == "failing":
        attempts = attempts.filter(
            outcome__in=[DeliveryAttempt.Outcome.RETRIED, DeliveryAttempt.Outcome.FAILED]
        )
    elif status == "discarded":
        attempts = attempts.filter(outcome=DeliveryAttempt.Outcome.DISCARDED)
    elif status != "any":
        raise SandboxError(
            "Unknown status filter",
            errors={"filter[status]": ["must be any, successful, discarded or failing"]},
        )
    size = max(1, min(_int(page_size) or 100, 1000))
    if page_start not in (None, ""):
        attempts = attempts.filter(id__lt=_int(page_start))
    return list(attempts.order_by("-id")[:size])
