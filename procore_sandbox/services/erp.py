"""The ERP connection, ERP Requests and their Request Details, and External Data sync
(procore-erp-api.md §a.3, §b.1 and the paths fixed in §i)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction

from procore_sandbox.models import (
    App,
    Company,
    ErpConnection,
    ErpRequest,
    ErpRequestDetail,
    ProcoreObject,
)
from procore_sandbox.services.errors import ItemError, NotFound, SandboxError, field_error
from procore_sandbox.services.sync import as_int, clean_origin_id, sync_items
from procore_sandbox.services.webhooks import event_emit

ERP_RESOURCE = "ERP Requests"

# erp_external_data_details.md, plus the events dictionary's company_level_direct_cost.
EXTERNAL_DATA_ITEM_TYPES = frozenset(
    {
        "change_order",
        "company_level_direct_cost",
        "contract_payment",
        "cost_code",
        "department",
        "item",
        "budget",
        "insurance",
        "invoice_payment",
        "line_item",
        "line_item_type",
        "markup",
        "payment_application",
        "payment_application_line_item",
        "prime_contract",
        "project",
        "purchase_order_contract",
        "requisition",
        "requisition_change_order_item",
        "requisition_contract_detail_item",
        "requisition_contract_item",
        "standard_cost_code",
        "sub_job",
        "tax_code",
        "vendor",
        "work_order_contract",
    }
)
DETAIL_STATUSES = tuple(ErpRequestDetail.Status.values)
# External Data item types that name objects the sandbox keeps under another type: a prime
# contract change order is a ``change_order`` to External Data, like a commitment's.
EXTERNAL_DATA_ALIASES = {"prime_contract_change_order": "change_order"}


def _external_type(obj: ProcoreObject) -> str:
    return EXTERNAL_DATA_ALIASES.get(obj.item_type, obj.item_type)


# -- ERP connection ---------------------------------------------------------------------------
def erp_connection_create(
    *, company: Company, app: App, service_url: Any, metadata: Any
) -> ErpConnection:
    """Connect the ERP integration; this also creates the company's one ERP Standard Cost Code
    List, whose id later standard-cost-code syncs target."""
    if metadata is not None and not isinstance(metadata, dict):
        raise SandboxError("metadata must be an object", errors={"metadata": ["must be an object"]})
    with transaction.atomic():
        if ErpConnection.objects.select_for_update().filter(company=company).exists():
            raise SandboxError(
                "An ERP connection already exists for this company",
                errors={"connection": ["has already been established for this company"]},
            )
        code_list = ProcoreObject.objects.create(
            company=company,
            item_type="standard_cost_code_list",
            data={"name": "ERP Standard Cost Code List"},
        )
        return ErpConnection.objects.create(
            company=company,
            app=app,
            service_url=str(service_url or ""),
            metadata=metadata or {},
            standard_cost_code_list=code_list,
        )


def erp_connection_get(*, company: Company) -> ErpConnection:
    connection = ErpConnection.objects.select_related("app").filter(company=company).first()
    if connection is None:
        raise NotFound("No ERP connection for this company")
    return connection


def erp_connection_update(*, company: Company, attrs: Any) -> ErpConnection:
    """``PATCH …/erp_connections`` with ``{"connection": {"metadata": {...}}}`` (§i)."""
    if not isinstance(attrs, dict):
        raise SandboxError("connection is required", errors={"connection": ["is required"]})
    connection = erp_connection_get(company=company)
    if "metadata" in attrs:
        if not isinstance(attrs["metadata"], dict):
            raise SandboxError(
                "metadata must be an object", errors={"metadata": ["must be an object"]}
            )
        connection.metadata = attrs["metadata"]
    if "service_url" in attrs:
        connection.service_url = str(attrs["service_url"] or "")
    connection.save()
    return connection


def erp_connection_json(connection: ErpConnection) -> dict:
    return {
        "id": connection.company_id,
        "standard_cost_code_list_id": connection.standard_cost_code_list_id,
        "service_url": connection.service_url,
        "metadata": connection.metadata,
    }


def erp_entity_config(company: Company, entity: str) -> dict:
    """``settings.entities.<entity>`` of the stored metadata, or {} when absent."""
    connection = ErpConnection.objects.filter(company=company).first()
    if connection is None:
        return {}
    settings = (connection.metadata or {}).get("settings") or {}
    return ((settings.get("entities") or {}).get(entity)) or {}


def erp_labels(company: Company) -> dict:
    connection = ErpConnection.objects.filter(company=company).first()
    labels = (((connection.metadata if connection else {}) or {}).get("settings") or {}).get(
        "labels"
    ) or {}
    return {
        "name": labels.get("name") or "ERP",
        "id_name": labels.get("id_name") or "ERP ID",
        "short_name": labels.get("short_name") or labels.get("name") or "ERP",
    }


# -- ERP Requests -----------------------------------------------------------------------------
def erp_request_create(
    *,
    company: Company,
    request_name: str,
    request_data: dict,
    with_detail: bool = True,
    item: ProcoreObject | None = None,
    user_id: int | None = None,
    project_id: int | None = None,
) -> ErpRequest:
    """Record an ERP Request (with its Request Detail unless the event has none, e.g.
    ``sync_standard_categories``) and emit the ``ERP Requests``/``create`` webhook event."""
    with transaction.atomic():
        request = _request_row(company, request_name, request_data)
        if with_detail:
            detail = ErpRequestDetail.objects.create(
                company=company, erp_request=request, item=item
            )
            request.request_data = _with_detail_id(request_data, detail.id)
            request.save(update_fields=["request_data", "updated_at"])
        _emit(request, user_id=user_id, project_id=project_id)
    return request


def erp_request_create_itemized(
    *,
    company: Company,
    request_name: str,
    items: list[ProcoreObject],
    build: Callable[[dict[int, int]], Any],
    user_id: int | None = None,
    project_id: int | None = None,
) -> ErpRequest:
    """An ERP Request whose Request Details are one per item (``create_standard_cost_codes``,
    ``delete_cost_codes``, ``delete_cost_type_assignments``): the integrator closes each item's
    detail with its own outcome. ``build`` receives ``{item id: request_detail_id}`` and returns
    the ``request_data`` with each id in its item's slot, as the events dictionary shows."""
    if not items:
        raise SandboxError("Choose at least one item.")
    with transaction.atomic():
        request = _request_row(company, request_name, {})
        detail_ids = {
            item.id: ErpRequestDetail.objects.create(
                company=company, erp_request=request, item=item
            ).id
            for item in items
        }
        request.request_data = build(detail_ids)
        request.save(update_fields=["request_data", "updated_at"])
        _emit(request, user_id=user_id, project_id=project_id)
    return request


def _request_row(company: Company, request_name: str, request_data: Any) -> ErpRequest:
    connection = ErpConnection.objects.select_related("app").filter(company=company).first()
    return ErpRequest.objects.create(
        company=company,
        request_name=request_name,
        request_data=request_data,
        integration_app_name=connection.app.name if connection else "",
    )


def _emit(request: ErpRequest, *, user_id: int | None, project_id: int | None) -> None:
    company = request.company
    event_emit(
        company=company,
        resource_name=ERP_RESOURCE,
        resource_id=request.id,
        event_type="create",
        user_id=user_id or company.approver_user_id,
        project_id=project_id,
    )


def _with_detail_id(request_data: dict, detail_id: int) -> dict:
    """The events dictionary carries ``request_detail_id`` inside ``request_data``."""
    return {"request_detail_id": detail_id, **request_data}


def erp_request_get(*, company: Company, request_id: Any) -> ErpRequest:
    request = ErpRequest.objects.filter(company=company, id=as_int(request_id) or 0).first()
    if request is None:
        raise NotFound("ERP Request not found")
    return request


# -- Request Details --------------------------------------------------------------------------
def request_detail_get(*, company: Company, detail_id: Any) -> ErpRequestDetail:
    detail = (
        ErpRequestDetail.objects.select_related("erp_request", "item")
        .filter(company=company, id=as_int(detail_id) or 0)
        .first()
    )
    if detail is None:
        raise NotFound("ERP Request Detail not found")
    return detail


def _validated_close_out(status: Any, messages: Any) -> tuple[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if status not in DETAIL_STATUSES:
        errors["status"] = [f"is not included in the list ({', '.join(DETAIL_STATUSES)})"]
    if messages is None:
        messages = []
    if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
        errors["messages"] = ["must be an array of strings"]
    if errors:
        raise ItemError(errors)
    return status, messages


def request_detail_update(*, company: Company, detail_id: Any, attrs: Any) -> ErpRequestDetail:
    """Close out (or re-open) one Request Detail; messages are shown to the approver as is."""
    if not isinstance(attrs, dict):
        raise SandboxError("request_detail is required", errors={"request_detail": ["is required"]})
    detail = request_detail_get(company=company, detail_id=detail_id)
    try:
        status, messages = _validated_close_out(attrs.get("status"), attrs.get("messages"))
    except ItemError as exc:
        raise SandboxError("Request detail is invalid", errors=exc.errors) from None
    detail.status = status
    detail.messages = messages
    detail.save(update_fields=["status", "messages", "updated_at"])
    return detail


def request_details_sync(*, company: Company, items: Any) -> dict:
    """Bulk close-out: a JSON array of ``{id, status, messages}`` (§i); per-item errors."""
    from procore_sandbox.services.representations import request_detail_json

    entities, errors = [], []
    for item in sync_items(items):
        if not isinstance(item, dict):
            errors.append({"item": item, "errors": {"base": ["must be an object"]}})
            continue
        try:
            detail = (
                ErpRequestDetail.objects.select_related("erp_request", "item")
                .filter(company=company, id=as_int(item.get("id")) or 0)
                .first()
            )
            if detail is None:
                raise field_error("id", "Entity with this ID not found")
            detail.status, detail.messages = _validated_close_out(
                item.get("status"), item.get("messages")
            )
            detail.save(update_fields=["status", "messages", "updated_at"])
        except ItemError as exc:
            errors.append({**item, "errors": exc.errors})
            continue
        entities.append(request_detail_json(detail))
    return {"entities": entities, "errors": errors}


def request_details_list(*, company: Company, item_id: Any = None):
    details = ErpRequestDetail.objects.filter(company=company).select_related("erp_request", "item")
    if item_id not in (None, ""):
        details = details.filter(item_id=as_int(item_id) or 0)
    return details.order_by("id")


# -- External Data ----------------------------------------------------------------------------
def external_data_sync(*, company: Company, updates: Any) -> dict:
    """Set (or with ``origin_id: null`` clear) the origin_id of Procore objects: this is what
    marks an exported object synced, and locks it."""
    items = sync_items(updates)
    rows = [item for item in items if isinstance(item, dict)]
    ids = {as_int(item.get("item_id")) for item in rows} - {None}
    origins = {clean_origin_id(item.get("origin_id")) for item in rows} - {None}
    by_id = {
        (_external_type(obj), obj.id): obj
        for obj in ProcoreObject.objects.filter(company=company, id__in=ids)
    }
    holders = {
        (_external_type(obj), obj.origin_id): obj.id
        for obj in ProcoreObject.objects.filter(company=company, origin_id__in=origins)
    }
    entities, errors = [], []
    with transaction.atomic():
        for item in items:
            if not isinstance(item, dict):
                errors.append({"item": item, "errors": {"base": ["must be an object"]}})
                continue
            try:
                with transaction.atomic():
                    obj = _external_data_one(item, by_id, holders)
            except ItemError as exc:
                errors.append({**item, "errors": exc.errors})
                continue
            except IntegrityError:
                # Another call took the origin_id between our check and our write.
                errors.append({**item, "errors": {"origin_id": ["has already been taken"]}})
                continue
            entities.append(
                {
                    "id": obj.id,
                    "item_type": _external_type(obj),
                    "item_id": obj.id,
                    "origin_id": obj.origin_id,
                    "origin_data": obj.origin_data,
                }
            )
    return {"entities": entities, "errors": errors}


def _external_data_one(
    item: dict,
    by_id: dict[tuple[str, int], ProcoreObject],
    holders: dict[tuple[str, str], int],
) -> ProcoreObject:
    item_type = item.get("item_type")
    if item_type not in EXTERNAL_DATA_ITEM_TYPES:
        raise field_error("item_type", "is not included in the list")
    if "origin_id" not in item:
        raise field_error("origin_id", "must be given (null unsyncs)")
    obj = by_id.get((item_type, as_int(item.get("item_id")) or 0))
    if obj is None:
        raise field_error("item_id", f"No {item_type} with this id in the company")
    origin_id = clean_origin_id(item.get("origin_id"))
    holder = holders.get((item_type, origin_id)) if origin_id is not None else None
    if holder is not None and holder != obj.id:
        raise field_error("origin_id", "has already been taken")
    previous = obj.origin_id
    obj.origin_id = origin_id
    if "origin_data" in item:
        obj.origin_data = item["origin_data"]
    if "origin_code" in item:
        obj.origin_code = item["origin_code"] or ""
    obj.save(update_fields=["origin_id", "origin_data", "origin_code", "updated_at"])
    if previous is not None and holders.get((item_type, previous)) == obj.id:
        del holders[(item_type, previous)]
    if origin_id is not None:
        holders[(item_type, origin_id)] = obj.id
    return obj
