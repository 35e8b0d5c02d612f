"""Pages' buttons for jobs and their cost structure, and the ERP Integrations Tool's buttons
beyond export and import: each POST calls one service (the same one ``manage.py sandbox``
calls) and comes back to the page with its message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_POST

from procore_sandbox.models import Company, ErpRequest, ProcoreObject, StagedRecord
from procore_sandbox.services import (
    change_order_unlink,
    commitment_actions,
    cost_structure,
    erp_actions,
    prime_contracts,
    requisitions,
    super_user,
)
from procore_sandbox.services.errors import SandboxError
from procore_sandbox.web.view_helpers import company_or_404, redirect_back, run_service


def _one(company: Company, value: Any, *types: str, label: str) -> ProcoreObject:
    """The object a select or hidden field names, of one of ``types``, in this company."""
    try:
        object_id = int(value)
    except (TypeError, ValueError):
        raise SandboxError(f"Choose a {label}.") from None
    found = ProcoreObject.objects.filter(company=company, id=object_id, item_type__in=types).first()
    if found is None:
        raise SandboxError(f"Choose a {label}.")
    return found


def _many(request: HttpRequest, name: str, company: Company, *types: str, label: str) -> list:
    return [_one(company, value, *types, label=label) for value in request.POST.getlist(name)]


def _requested(request: ErpRequest) -> str:
    details = request.details.count()
    suffix = f", {details} Request Detail(s)" if details else ", no Request Detail"
    return f"{request.request_name} (ERP Request {request.id}{suffix})"


def _deleted(result: tuple[int, ErpRequest | None], what: str) -> str:
    deleted, request = result
    parts = []
    if deleted:
        parts.append(f"{deleted} unsynced {what}(s) deleted")
    if request is not None:
        parts.append(f"the synced ones are up to the integration: {_requested(request)}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _object_page(company: Company, obj: ProcoreObject) -> str:
    return reverse("procore_sandbox:object", args=[company.id, obj.id])


def _post(
    request: HttpRequest,
    company_id: int,
    action: Callable[[Company], Any],
    success: Callable[[Any], str],
    fallback: Callable[[Company], str],
) -> HttpResponse:
    company = company_or_404(company_id)

    def run() -> Any:
        return action(company)

    run_service(request, run, success)
    return redirect_back(request, fallback(company))


# -- project user: sub jobs, cost codes, cost types, job costs, budgets -----------------------
@require_POST
def sub_job_new(request: HttpRequest, company_id: int) -> HttpResponse:
    """Project tools' New sub job form."""
    return _post(
        request,
        company_id,
        lambda c: cost_structure.sub_job_create(
            project=_one(c, request.POST.get("project"), "project", label="project"),
            name=request.POST.get("name", ""),
            code=request.POST.get("code", ""),
        ),
        lambda sub_job: f"Sub job {sub_job.label} created (id {sub_job.id}).",
        lambda c: reverse("procore_sandbox:company", args=[c.id]) + "#sub-jobs",
    )


def _biller(company: Company, object_id: int) -> tuple[ProcoreObject, ProcoreObject | None]:
    obj = get_object_or_404(
        ProcoreObject, company=company, id=object_id, item_type__in=("project", "sub_job")
    )
    if obj.item_type == "sub_job":
        return obj.project, obj
    return obj, None


@require_POST
def cost_code_new(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Add a cost code to the job or sub job whose page this is."""
    company = company_or_404(company_id)
    project, sub_job = _biller(company, object_id)
    run_service(
        request,
        lambda: cost_structure.cost_code_add(
            project=project,
            sub_job=sub_job,
            code=request.POST.get("code", ""),
            name=request.POST.get("name", ""),
        ),
        lambda code: f"Cost code {code.label} added.",
    )
    return redirect_back(request, _object_page(company, sub_job or project))


@require_POST
def cost_type_assign(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Assign a cost type to one of the page's cost codes."""
    company = company_or_404(company_id)
    project, sub_job = _biller(company, object_id)
    run_service(
        request,
        lambda: cost_structure.cost_type_assign(
            cost_code=_one(company, request.POST.get("cost_code"), "cost_code", label="cost code"),
            line_item_type=_one(
                company, request.POST.get("cost_type"), "line_item_type", label="cost type"
            ),
        ),
        lambda row: "Cost type assigned (unsynced until the integration marks it synced).",
    )
    return redirect_back(request, _object_page(company, sub_job or project))


@require_POST
def cost_codes_delete(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Delete the ticked cost codes (synced ones become a delete_cost_codes request)."""
    company = company_or_404(company_id)
    project, sub_job = _biller(company, object_id)
    run_service(
        request,
        lambda: erp_actions.cost_codes_delete(
            codes=_many(request, "cost_code", company, "cost_code", label="cost code")
        ),
        lambda result: _deleted(result, "cost code"),
    )
    return redirect_back(request, _object_page(company, sub_job or project))


@require_POST
def assignments_delete(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Delete the ticked assignments (synced ones: delete_cost_type_assignments)."""
    company = company_or_404(company_id)
    project, sub_job = _biller(company, object_id)
    run_service(
        request,
        lambda: erp_actions.cost_type_assignments_delete(
            assignments=_many(
                request,
                "assignment",
                company,
                "cost_code_line_item_type",
                label="cost type assignment",
            )
        ),
        lambda result: _deleted(result, "cost type assignment"),
    )
    return redirect_back(request, _object_page(company, sub_job or project))


@require_POST
def job_cost_set(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Set a job cost's amounts, as the ERP would sync them."""
    company = company_or_404(company_id)
    project, sub_job = _biller(company, object_id)
    run_service(
        request,
        lambda: cost_structure.job_cost_set(
            cost_code=_one(company, request.POST.get("cost_code"), "cost_code", label="cost code"),
            line_item_type=_one(
                company, request.POST.get("cost_type"), "line_item_type", label="cost type"
            ),
            original_estimate=request.POST.get("original_estimate"),
            estimate=request.POST.get("estimate"),
            job_to_date_cost=request.POST.get("job_to_date_cost"),
        ),
        lambda row: f"Job cost #{row.id} saved.",
    )
    return redirect_back(request, _object_page(company, sub_job or project))


@require_POST
def budget_new(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    """Create Budget on a job's page; then its page opens."""
    company = company_or_404(company_id)
    project = get_object_or_404(ProcoreObject, company=company, id=object_id, item_type="project")
    created: list[ProcoreObject] = []

    def make() -> ProcoreObject:
        created.append(cost_structure.budget_create(project=project))
        return created[0]

    run_service(request, make, lambda budget: f"Budget created (id {budget.id}): add its lines.")
    return redirect_back(request, _object_page(company, created[0] if created else project))


def _budget_line_action(
    service: Callable[..., ProcoreObject], verb: str
) -> Callable[..., HttpResponse]:
    """A POST view for one budget-line service (set an amount, record a change)."""

    @require_POST
    def view(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
        company = company_or_404(company_id)
        budget = get_object_or_404(ProcoreObject, company=company, id=object_id, item_type="budget")
        run_service(
            request,
            lambda: service(
                budget=budget,
                cost_code=_one(
                    company, request.POST.get("cost_code"), "cost_code", label="cost code"
                ),
                line_item_type=_one(
                    company, request.POST.get("cost_type"), "line_item_type", label="cost type"
                ),
                amount=request.POST.get("amount"),
            ),
            lambda line: f"Budget line #{line.id} {verb}.",
        )
        return redirect_back(request, _object_page(company, budget))

    return view


budget_line_set = _budget_line_action(cost_structure.budget_line_set, "saved")
budget_change = _budget_line_action(cost_structure.budget_change, "changed")


# -- approver: per-object buttons -------------------------------------------------------------
OBJECT_ACTIONS: dict[str, tuple[tuple[str, ...], Callable[[ProcoreObject], ErpRequest]]] = {
    "unlink": (("vendor", "project"), lambda obj: erp_actions.unlink(obj=obj)),
    "sync-job": (("project",), lambda obj: erp_actions.job_sync_single(project=obj)),
    "sync-sub-job": (("sub_job",), lambda obj: erp_actions.sub_job_sync(sub_job=obj)),
    "import-budget": (("project",), lambda obj: erp_actions.budget_import(project=obj)),
    "reset-job": (("project",), lambda obj: super_user.job_reset(project=obj)),
    "reset-sub-job": (("sub_job",), lambda obj: super_user.sub_job_reset(sub_job=obj)),
    # Prime contract change orders: the approver's Unlink and the Super User's reset
    "unlink-pcco": (
        ("prime_contract_change_order",),
        lambda obj: prime_contracts.change_order_unlink(change_order=obj),
    ),
    "reset-pcco": (
        ("prime_contract_change_order",),
        lambda obj: prime_contracts.change_order_reset(change_order=obj),
    ),
    # Requisitions and payments (issue 11)
    "reset-requisition": (
        ("requisition",),
        lambda obj: requisitions.requisition_reset(requisition=obj),
    ),
    "reset-payment": (
        ("invoice_payment", "contract_payment"),
        lambda obj: requisitions.payment_reset(payment=obj),
    ),
    # Commitments: the integrator decides (unlink_commitment), Procore clears nothing itself.
    "unlink-commitment": (
        ("work_order_contract", "purchase_order_contract"),
        lambda obj: commitment_actions.commitment_unlink(commitment=obj),
    ),
    # -- Commitment change orders
    "unlink-change-order": (
        ("change_order",),
        lambda obj: change_order_unlink.change_order_unlink(change_order=obj),
    ),
}


@require_POST
def object_action(
    request: HttpRequest, company_id: int, object_id: int, action: str
) -> HttpResponse:
    """The Synced and Super User tabs' per-object buttons (unlink, sync, reset, import)."""
    company = company_or_404(company_id)
    if action not in OBJECT_ACTIONS:
        return redirect_back(request, reverse("procore_sandbox:erp", args=[company.id]))
    types, service = OBJECT_ACTIONS[action]
    obj = get_object_or_404(ProcoreObject, company=company, id=object_id, item_type__in=types)
    run_service(request, lambda: service(obj), lambda made: f"Sent {_requested(made)}.")
    return redirect_back(request, reverse("procore_sandbox:erp", args=[company.id]) + "?tab=synced")


# -- approver: vendors ------------------------------------------------------------------------
def _erp_tab(tab: str) -> Callable[[Company], str]:
    return lambda c: reverse("procore_sandbox:erp", args=[c.id]) + f"?tab={tab}"


@require_POST
def vendor_link(request: HttpRequest, company_id: int) -> HttpResponse:
    """Link vendor: a staged ERP vendor onto an unsynced Procore vendor."""

    def action(company: Company) -> ErpRequest:
        record = StagedRecord.objects.filter(
            company=company, id=_int(request.POST.get("record"))
        ).first()
        if record is None:
            raise SandboxError("Choose a staged ERP vendor.")
        vendor = _one(company, request.POST.get("vendor"), "vendor", label="Procore vendor")
        return erp_actions.vendor_link(record=record, vendor=vendor)

    return _post(
        request, company_id, action, lambda r: f"Linked: {_requested(r)}.", _erp_tab("vendors")
    )


@require_POST
def vendors_link_all(request: HttpRequest, company_id: int) -> HttpResponse:
    """Link all vendors whose names match one to one."""
    return _post(
        request,
        company_id,
        lambda c: erp_actions.vendors_link_all(company=c),
        lambda r: f"Linked {len(r.request_data['vendors'])} vendor(s): {_requested(r)}.",
        _erp_tab("vendors"),
    )


@require_POST
def vendors_merge(request: HttpRequest, company_id: int) -> HttpResponse:
    """The Vendor Merge Tool's form."""

    def action(company: Company) -> ErpRequest:
        master = _one(company, request.POST.get("master"), "vendor", label="vendor to keep")
        sources = _many(request, "source", company, "vendor", label="vendor to merge")
        origin_from = request.POST.get("origin_from")
        return erp_actions.vendors_merge(
            master=master,
            sources=sources,
            origin_from=_one(company, origin_from, "vendor", label="ERP vendor")
            if origin_from
            else None,
        )

    return _post(
        request, company_id, action, lambda r: f"Merged: {_requested(r)}.", _erp_tab("vendors")
    )


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# -- approver: standard cost codes ------------------------------------------------------------
@require_POST
def standard_cost_code_new(request: HttpRequest, company_id: int) -> HttpResponse:
    """A standard cost code made in Procore, to export later."""

    def action(company: Company) -> ProcoreObject:
        parent = request.POST.get("parent")
        return erp_actions.standard_cost_code_create(
            company=company,
            code=request.POST.get("code", ""),
            name=request.POST.get("name", ""),
            parent=_one(company, parent, "standard_cost_code", label="parent code")
            if parent
            else None,
        )

    return _post(
        request,
        company_id,
        action,
        lambda row: f"Standard cost code {row.data['full_code']} created (unsynced).",
        _erp_tab("cost_codes"),
    )


@require_POST
def standard_cost_codes_export(request: HttpRequest, company_id: int) -> HttpResponse:
    """Export every unsynced standard cost code in one request."""
    return _post(
        request,
        company_id,
        lambda c: erp_actions.standard_cost_codes_export(company=c),
        lambda r: f"Exported: {_requested(r)}.",
        _erp_tab("cost_codes"),
    )


# -- Super User -------------------------------------------------------------------------------
SUPER_USER_ACTIONS: dict[str, tuple[tuple[str, ...], str, Callable[..., ErpRequest]]] = {
    "delete-standard-cost-codes": (
        ("standard_cost_code",),
        "standard cost code",
        lambda c, rows: super_user.standard_cost_codes_delete(company=c, codes=rows),
    ),
    "unlink-standard-cost-codes": (
        ("standard_cost_code",),
        "standard cost code",
        lambda c, rows: super_user.standard_cost_codes_unlink(company=c, codes=rows),
    ),
    "delete-standard-categories": (
        ("line_item_type",),
        "cost type",
        lambda c, rows: super_user.standard_categories_delete(company=c, cost_types=rows),
    ),
    "delete-cost-codes": (
        ("cost_code",),
        "cost code",
        lambda c, rows: super_user.cost_codes_delete(codes=rows),
    ),
}


@require_POST
def super_user_action(request: HttpRequest, company_id: int, action: str) -> HttpResponse:
    """The Super User tab's deletes and unlinks of ticked rows."""
    if action not in SUPER_USER_ACTIONS:
        return redirect_back(request, reverse("procore_sandbox:erp", args=[company_id]))
    types, label, service = SUPER_USER_ACTIONS[action]
    return _post(
        request,
        company_id,
        lambda c: service(c, _many(request, "item", c, *types, label=label)),
        lambda r: f"Super User: {_requested(r)}.",
        _erp_tab("super_user"),
    )
