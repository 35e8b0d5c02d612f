"""Export (Procore to ERP): "Send to ERP", then the approver accepts or rejects
(``erp_technical_guide.md`` Export Workflow, procore-erp-api.md §a.5)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from procore_sandbox.models import ErpConnection, ErpRequest, ExportRequest, ProcoreObject
from procore_sandbox.services import (
    cost_structure,
    payapps_direct_costs,
    payloads,
    prime_contracts,
    requisitions,
)
from procore_sandbox.services.erp import erp_entity_config, erp_request_create
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.services.objects import TYPE_LABELS


class ExportKind:
    """How one kind of object is exported: its event's name (fixed, or chosen per object: a
    budget's first export is ``create_budget``, later ones ``update_budget``), the metadata
    entity that switches it on, what Procore makes just before (a budget's transactions), and
    the ``request_data`` builder."""

    def __init__(
        self,
        request_name: str | Callable[[ProcoreObject], str],
        entity: str,
        build: Callable[[ProcoreObject], dict],
        prepare: Callable[[ProcoreObject], object] | None = None,
    ):
        self.request_name = request_name
        self.entity = entity
        self.build = build
        self.prepare = prepare

    def name_for(self, obj: ProcoreObject) -> str:
        if callable(self.request_name):
            return self.request_name(obj)
        return self.request_name


def _budget_request_name(budget: ProcoreObject) -> str:
    return "update_budget" if budget.synced else "create_budget"


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
    "budget": ExportKind(
        _budget_request_name,
        "budgets",
        payloads.budget_payload,
        prepare=cost_structure.budget_transactions_prepare,
    ),
    # -- Requisitions and payments (issue 11) --
    "requisition": ExportKind(
        "create_requisitions", "requisitions", requisitions.requisitions_payload
    ),
    "contract_payment": ExportKind(
        "create_contract_payment", "contract_payments", requisitions.contract_payment_payload
    ),
}
# -- Payment applications and company-level direct costs
EXPORTS[payapps_direct_costs.PAYMENT_APPLICATION] = ExportKind(
    "create_payment_application",
    "payment_applications",
    payapps_direct_costs.payment_application_payload,
)
EXPORTS[payapps_direct_costs.DIRECT_COST] = ExportKind(
    "create_company_level_direct_cost",
    "company_level_direct_costs",
    payapps_direct_costs.direct_cost_payload,
)
# -- Prime contract change orders (services/prime_contracts.py) --
EXPORTS["prime_contract_change_order"] = ExportKind(
    "create_prime_contract_change_order",
    "prime_contract_change_orders",
    lambda change_order: prime_contracts.change_order_payload(change_order),
)
# Re-export is an update for jobs (create_or_update_job) and budgets (update_budget, with the
# new transactions only); other synced objects are locked.
REEXPORTABLE = frozenset({"project", "budget"})


def export_send(*, obj: ProcoreObject, origin_code: str | None = None) -> ExportRequest:
    """The project user's "Send to ERP": stage the object on Ready to Export.

    A job (or sub job) may be given the ERP code (``origin_code``) it should get: on its first
    export, or again only when the last export failed with a message that mentions "code"
    (the re-export rule of procore-erp-api.md §a.5)."""
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
    if obj.item_type == "budget":
        _check_budget(obj)
    with transaction.atomic():
        busy = ExportRequest.objects.select_for_update().filter(item=obj)
        if busy.filter(status=ExportRequest.Status.READY).exists():
            raise SandboxError(f"This {label.lower()} is already waiting on Ready to Export.")
        if busy.filter(
            status=ExportRequest.Status.ACCEPTED, erp_request__details__status="in_progress"
        ).exists():
            raise SandboxError(f"The ERP is still working on this {label.lower()}'s export.")
        if origin_code is not None and origin_code.strip() != (obj.origin_code or ""):
            _origin_code_change(obj, origin_code.strip(), label)
        return ExportRequest.objects.create(
            company_id=obj.company_id, item=obj, request_name=kind.name_for(obj)
        )


def _origin_code_change(obj: ProcoreObject, origin_code: str, label: str) -> None:
    if obj.item_type not in {"project", "sub_job"}:
        raise SandboxError(f"The ERP code of a {label.lower()} is not set on export.")
    if obj.synced:
        raise SandboxError(f"This {label.lower()} is synced: its ERP code is the ERP's.")
    last = (
        ExportRequest.objects.filter(item=obj, status=ExportRequest.Status.ACCEPTED)
        .select_related("erp_request")
        .order_by("-id")
        .first()
    )
    if last is not None:
        detail = last.erp_request.details.order_by("-id").first() if last.erp_request else None
        messages = " ".join(detail.messages) if detail is not None else ""
        if detail is None or detail.status != "failed" or "code" not in messages.lower():
            raise SandboxError(
                "A new ERP code can be given on re-export only when the last export failed "
                "with a message about the code."
            )
    obj.origin_code = origin_code
    obj.save(update_fields=["origin_code", "updated_at"])


def _check_budget(budget: ProcoreObject) -> None:
    """The budget rules of the metadata page (budgets.configs): lines of sub jobs need
    ``sub_job_export``; revised estimates need ``revised_estimates_export``; an exported budget
    goes again only with something new to send."""
    configs = erp_entity_config(budget.company, "budgets").get("configs") or {}
    lines = cost_structure.budget_lines(budget)
    if not lines:
        raise SandboxError("This budget has no line items yet.")
    sub_job_export = (configs.get("sub_job_export") or {}).get("enabled")
    if sub_job_export is False and any(line.data.get("sub_job_id") for line in lines):
        raise SandboxError(
            "The ERP integration does not export budgets with sub job lines (sub_job_export)."
        )
    pending = cost_structure.budget_pending(budget)
    revised = (configs.get("revised_estimates_export") or {}).get("enabled")
    if revised is False and any(p.kind == cost_structure.REVISED_ESTIMATE for p in pending):
        raise SandboxError(
            "The ERP integration does not export revised estimates (revised_estimates_export)."
        )
    unsynced = cost_structure.budget_transactions(budget, unsynced_only=True)
    if budget.synced and not pending and not unsynced:
        raise SandboxError("Nothing changed in this budget since its last export.")


def _check_prerequisites(obj: ProcoreObject, label: str) -> None:
    """An ERP cannot hold a commitment for an unknown job or vendor, nor a change order for an
    unknown commitment, so Procore asks for those to be synced first."""
    project_level = {"work_order_contract", "purchase_order_contract", "sub_job", "budget"}
    if obj.item_type in project_level and not obj.project.synced:
        raise SandboxError(f"Sync the project before sending this {label.lower()}.")
    if obj.item_type in {"work_order_contract", "purchase_order_contract"}:
        vendor = ProcoreObject.objects.filter(id=obj.data.get("vendor_id")).first()
        if vendor is None or not vendor.synced:
            raise SandboxError(f"Sync the vendor before sending this {label.lower()}.")
    if obj.item_type == "change_order" and not obj.parent.synced:
        raise SandboxError("Sync the commitment before sending its change order.")
    # Payment applications and company-level direct costs
    payapps_direct_costs.export_prerequisites_check(obj)
    # Prime contract change orders: Procore asks for the project only; whether the ERP holds
    # the prime contract is the ERP's to say.
    if obj.item_type == "prime_contract_change_order" and not obj.project.synced:
        raise SandboxError(f"Sync the project before sending this {label.lower()}.")
    # -- Requisitions and payments (issue 11) --
    if obj.item_type == "requisition" and not obj.parent.synced:
        raise SandboxError("Sync the commitment before sending its invoices.")


def export_accept(*, export: ExportRequest) -> ErpRequest:
    """The approver accepts: Procore creates the ERP Request and its Request Detail and sends
    the webhook; the integrator does the rest."""
    with transaction.atomic():
        export = ExportRequest.objects.select_for_update().select_related("item").get(id=export.id)
        if export.status != ExportRequest.Status.READY:
            raise SandboxError(f"This export was already {export.get_status_display().lower()}.")
        item = export.item
        kind = EXPORTS[item.item_type]
        if kind.prepare is not None:
            kind.prepare(item)
        export.request_name = kind.name_for(item)
        request = erp_request_create(
            company=item.company,
            request_name=export.request_name,
            request_data=kind.build(item),
            item=item,
        )
        export.status = ExportRequest.Status.ACCEPTED
        export.erp_request = request
        export.decided_at = timezone.now()
        export.save(update_fields=["status", "erp_request", "decided_at", "request_name"])
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
