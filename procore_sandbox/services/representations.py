"""How the sandbox's rows look as JSON, in Procore's shapes (one function per object kind)."""

from __future__ import annotations

from datetime import datetime

from procore_sandbox.models import (
    DeliveryAttempt,
    ErpRequest,
    ErpRequestDetail,
    Hook,
    ProcoreObject,
    StagedRecord,
    Trigger,
    WebhookEvent,
)

HOLDER_TYPES = {
    "work_order_contract": "WorkOrderContract",
    "purchase_order_contract": "PurchaseOrderContract",
    "change_order": "CommitmentChangeOrder",
    "prime_contract": "PrimeContract",
    "prime_contract_change_order": "PotentialChangeOrder",
}


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat().replace("+00:00", "Z")


def object_json(obj: ProcoreObject) -> dict:
    body: dict = {"id": obj.id}
    body.update(obj.data or {})
    if obj.project_id is not None:
        body["project_id"] = obj.project_id
    if obj.item_type == "standard_cost_code":
        body["standard_cost_code_list_id"] = obj.parent_id
    if obj.item_type in {"line_item", "cost_code_line_item_type"} and obj.parent_id:
        parent_type = obj.parent.item_type if obj.parent else ""
        body["holder"] = {"id": obj.parent_id, "holder_type": HOLDER_TYPES.get(parent_type)}
    body.update(
        {
            "origin_id": obj.origin_id,
            "origin_code": obj.origin_code or None,
            "origin_data": obj.origin_data,
            "created_at": iso(obj.created_at),
            "updated_at": iso(obj.updated_at),
        }
    )
    return body


def erp_request_json(request: ErpRequest) -> dict:
    return {
        "id": request.id,
        "company_id": request.company_id,
        "request_name": request.request_name,
        "request_data": request.request_data,
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "integration_app_name": request.integration_app_name,
    }


def request_detail_json(detail: ErpRequestDetail) -> dict:
    return {
        "id": detail.id,
        "erp_request_id": detail.erp_request_id,
        "request_name": detail.erp_request.request_name,
        "item_type": detail.item.item_type if detail.item else None,
        "item_id": detail.item_id,
        "status": detail.status,
        "messages": detail.messages,
        "created_at": iso(detail.created_at),
        "updated_at": iso(detail.updated_at),
    }


def staged_record_json(record: StagedRecord) -> dict:
    return {
        "id": record.id,
        "company_id": record.company_id,
        "item_type": record.item_type,
        "origin_id": record.origin_id,
        "origin_code": record.origin_code or None,
        "origin_data": record.origin_data,
        "parent_id": record.parent_id,
        "status": record.status,
        "data": record.data,
        "item_id": record.imported_object_id,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
    }


def hook_json(hook: Hook) -> dict:
    return {
        "id": hook.id,
        "api_version": hook.api_version,
        "namespace": hook.namespace,
        "destination_url": hook.destination_url,
        "destination_headers": hook.destination_headers,
        "owned_by_company_id": hook.company_id if hook.project_id is None else None,
        "owned_by_project_id": hook.project_id,
        "owned_by_user_id": hook.owned_by_user_id,
    }


def trigger_json(trigger: Trigger) -> dict:
    hook = trigger.hook
    return {
        "id": trigger.id,
        "webhook_hook_id": trigger.hook_id,
        "resource_name": trigger.resource_name,
        "resource_id": None,
        "event_type": trigger.event_type,
        "company_id": hook.company_id if hook.project_id is None else None,
        "project_id": hook.project_id,
        "user_id": trigger.user_id,
    }


def event_payload(event: WebhookEvent, *, api_version: str) -> dict:
    """The body POSTed to the hook: v2.0 by default, v3.0 and v4.0 as Procore documents them."""
    major = (api_version or "v2").lstrip("v").split(".")[0]
    if major == "4":
        return {
            "id": event.ulid,
            "timestamp": iso_micro(event.timestamp),
            "reason": event.event_type,
            "company_id": str(event.company_id),
            "project_id": None if event.project_id is None else str(event.project_id),
            "user_id": None if event.user_id is None else str(event.user_id),
            "resource_type": event.resource_name,
            "resource_id": str(event.resource_id),
        }
    body = {
        "id": event.id,
        "ulid": event.ulid,
        "timestamp": iso_micro(event.timestamp),
        "metadata": {
            "source_user_id": event.user_id,
            "source_project_id": event.project_id,
            "source_operation_id": None,
            "source_company_id": event.company_id,
            "source_application_id": event.application_id,
        },
        "user_id": event.user_id,
        "company_id": event.company_id,
        "project_id": event.project_id,
        "api_version": "v3.0" if major == "3" else "v2.0",
        "event_type": event.event_type,
        "resource_name": event.resource_name,
        "resource_id": event.resource_id,
    }
    if major == "3":
        body["related_resources"] = []
    return body


def iso_micro(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def delivery_attempt_json(attempt: DeliveryAttempt) -> dict:
    delivery = attempt.delivery
    return {
        "id": attempt.id,
        "event_id": delivery.event_id,
        "event": event_payload(delivery.event, api_version=attempt.hook.api_version),
        "outcome": attempt.outcome,
        "response_status": attempt.response_status,
        "response_headers": attempt.response_headers,
        "response_body": attempt.response_body,
        "response_error": attempt.response_error,
        "started_at": iso(attempt.started_at),
        "completed_at": iso(attempt.completed_at),
    }
