"""Export (Procore to ERP): "Send to ERP", then the approver accepts or rejects
(``erp_technical_guide.md`` Export Workflow, procore-erp-api.md §a.5)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from procore_sandbox.models import ErpConnection, ErpRequest, ExportRequest, ProcoreObject
from procore_sandbox.services import payloads
from procore_sandbox.services.erp import erp_entity_config, erp_request_create
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import TYPE_LABELS


class ExportKind:
    def __init__(self, request_name: str, entity: str, build: Callable[[ProcoreObject], dict]):
        self.request_name = request_name
        self.entity = entity
        self.build = build


EXPORTS: dict[str, ExportKind] = {
    "vendor": ExportKind("create_vendor", "vendors", payloads.vendor_payload),
    "project": ExportKind("create_or_update_job", "jobs", payloads.job_payload),
    "sub_job": ExportKind("create_sub_job", "sub_jobs", payloads.sub_job_payload),
    "work_order_contract": ExportKind(
        "create_commitment", "commitments", payloads.commitment_payload
    ),
    "purchase_order_contract": ExportKind(
        "create_commitment", "commitments", payloads.commitment_payload
    ),
    "change_order": ExportKind(
        "create_commitment_change_order",
        "commitment_change_orders",
        payloads.change_order_payload,
    ),
}
# Re-export is an update only for jobs (create_or_update_job); other synced objects are locked.
REEXPORTABLE = frozenset({"project"})


def export_send(*, obj: ProcoreObject) -> ExportRequest:
    """The project user's "Send to ERP": stage the object on Ready to Export."""
    label = TYPE_LABELS.get(obj.item_type, obj.item_type)
    kind = EXPORTS.get(obj.item_type)
    if kind is None:
        raise SandboxError(f"{label}s cannot be sent to the ERP.")
    if not ErpConnection.objects.filter(company=obj.company_id).exists():
        raise SandboxError("ERP Integrations is not connected in this company yet.")
    config = erp_entity_config(obj.company, kind.entity)
    export_config = (config.get("configs") or {}).get("export") or {}
    if config.get("enabled") is False or export_config.get("enabled") is False:
        raise SandboxError(f"The ERP integration does not export {kind.entity.replace('_', ' ')}.")
    if obj.synced and obj.item_type not in REEXPORTABLE:
        raise SandboxError(f"This {label.lower()} is already synced with the ERP.")
    _check_prerequisites(obj, label)
    with transaction.atomic():
        busy = ExportRequest.objects.select_for_update().filter(item=obj)
        if busy.filter(status=ExportRequest.Status.READY).exists():
            raise SandboxError(f"This {label.lower()} is already waiting on Ready to Export.")
        if busy.filter(
            status=ExportRequest.Status.ACCEPTED, erp_request__details__status="in_progress"
        ).exists():
            raise SandboxError(f"The ERP is still working on this {label.lower()}'s export.")
        return ExportRequest.objects.create(
            company_id=obj.company_id, item=obj, request_name=kind.request_name
        )


def _check_prerequisites(obj: ProcoreObject, label: str) -> None:
    """An ERP cannot hold a commitment for an unknown job or vendor, nor a change order for an
    unknown commitment, so Procore asks for those to be synced first."""
    project_level = {"work_order_contract", "purchase_order_contract", "sub_job"}
    if obj.item_type in project_level and not obj.project.synced:
        raise SandboxError(f"Sync the project before sending this {label.lower()}.")
    if obj.item_type in {"work_order_contract", "purchase_order_contract"}:
        vendor = ProcoreObject.objects.filter(id=obj.data.get("vendor_id")).first()
        if vendor is None or not vendor.synced:
            raise SandboxError(f"Sync the vendor before sending this {label.lower()}.")
    if obj.item_type == "change_order" and not obj.parent.synced:
        raise SandboxError("Sync the commitment before sending its change order.")


def export_accept(*, export: ExportRequest) -> ErpRequest:
    """The approver accepts: Procore creates the ERP Request and its Request Detail and sends
    the webhook; the integrator does the rest."""
    with transaction.atomic():
        export = ExportRequest.objects.select_for_update().select_related("item").get(id=export.id)
        if export.status != ExportRequest.Status.READY:
            raise SandboxError(f"This export was already {export.get_status_display().lower()}.")
        item = export.item
        request = erp_request_create(
            company=item.company,
            request_name=export.request_name,
            request_data=EXPORTS[item.item_type].build(item),
            item=item,
        )
        export.status = ExportRequest.Status.ACCEPTED
        export.erp_request = request
        export.decided_at = timezone.now()
        export.save(update_fields=["status", "erp_request", "decided_at"])
    return request


def export_reject(*, export: ExportRequest, reason: str = "") -> ExportRequest:
    """The approver sends it back to the project tool; no event reaches the integrator."""
    with transaction.atomic():
        export = ExportRequest.objects.select_for_update().get(id=export.id)
        if export.status != ExportRequest.Status.READY:
            raise SandboxError(f"This export was already {export.get_status_display().lower()}.")
        export.status = ExportRequest.Status.REJECTED
        export.reject_reason = reason
        export.decided_at = timezone.now()
        export.save(update_fields=["status", "reject_reason", "decided_at"])
    return export
