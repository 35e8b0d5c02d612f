"""Pages where a person plays Procore's users: the project user creates objects and presses
"Send to ERP"; the Accounting Approver works the ERP Integrations Tool. Every POST calls one
service and comes back with a message, so the command line and these pages do the same thing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from procore_sandbox import conf
from procore_sandbox.models import (
    Company,
    DeliveryAttempt,
    ErpConnection,
    ExportRequest,
    Hook,
    ProcoreObject,
    StagedRecord,
)
from procore_sandbox.services import selectors
from procore_sandbox.services.buttons import BUTTONS, button_press
from procore_sandbox.services.delivery import deliveries_pending_count, deliveries_run_due
from procore_sandbox.services.erp import erp_labels
from procore_sandbox.services.exports import export_accept, export_reject, export_send
from procore_sandbox.services.knobs import knob_reset, knob_set, knobs_overridden
from procore_sandbox.services.objects import (
    EDITABLE_FIELDS,
    TYPE_LABELS,
    ChangeOrderLine,
    commitment_change_order_create,
    commitment_create,
    object_edit,
    project_create,
    vendor_create,
)
from procore_sandbox.services.staged_records import import_blocker, staged_record_approve
from procore_sandbox.services.tenants import app_install, app_uninstall, company_create
from procore_sandbox.web import forms
from procore_sandbox.web.prime_contract_views import company_context
from procore_sandbox.web.requisition_views import page_context
from procore_sandbox.web.view_helpers import (
    company_or_404,
    cost_line,
    document_with_lines,
    form_errors,
    redirect_back,
    run_service,
)

TABS = (
    ("ready_to_import", "Ready to Import"),
    ("ready_to_export", "Ready to Export"),
    ("synced", "Synced"),
    ("failed", "Failed to Export"),
    ("requests", "Requests"),
    ("cost_codes", "Std. Cost Codes & Cost Types"),
    ("vendors", "Link & Merge Vendors"),
    ("super_user", "Super User"),
)


# -- companies --------------------------------------------------------------------------------
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    companies = Company.objects.prefetch_related("installations__app").order_by("id")
    return render(
        request,
        "procore_sandbox/home.html",
        {
            "companies": companies,
            "company_form": forms.CompanyForm(),
            "install_form": forms.InstallForm(),
        },
    )


@require_POST
def company_new(request: HttpRequest) -> HttpResponse:
    form = forms.CompanyForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return HttpResponseRedirect(reverse("procore_sandbox:home"))
    data = form.cleaned_data
    run_service(
        request,
        lambda: company_create(name=data["name"], company_id=data["company_id"]),
        lambda company: f"Company {company.name} created with id {company.id}.",
    )
    return HttpResponseRedirect(reverse("procore_sandbox:home"))


@require_POST
def app_new(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_or_404(company_id)
    form = forms.InstallForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        run_service(
            request,
            lambda: app_install(
                company=company,
                client_id=data["client_id"],
                client_secret=data["client_secret"],
                name=data["app_name"],
            ),
            lambda app: f"App {app.client_id} installed in {company.name}.",
        )
    return redirect_back(request, reverse("procore_sandbox:home"))


@require_POST
def app_remove(request: HttpRequest, company_id: int) -> HttpResponse:
    company = company_or_404(company_id)
    client_id = request.POST.get("client_id", "")
    run_service(
        request,
        lambda: app_uninstall(company=company, client_id=client_id),
        lambda _: f"App {client_id} disconnected from {company.name}.",
    )
    return redirect_back(request, reverse("procore_sandbox:home"))


# -- project user -----------------------------------------------------------------------------
@require_GET
def company(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    return render(
        request,
        "procore_sandbox/company.html",
        {
            "company": found,
            "section": "project",
            "labels": erp_labels(found),
            "connected": ErpConnection.objects.filter(company=found).exists(),
            "objects": selectors.company_objects(found),
            "vendor_form": forms.VendorForm(prefix="vendor"),
            "project_form": forms.ProjectForm(prefix="project"),
            "commitment_form": forms.CommitmentForm(prefix="commitment", company=found),
            "commitment_lines": forms.CommitmentLineFormSet(
                prefix="commitment_lines", form_kwargs={"company": found}
            ),
            "change_order_form": forms.ChangeOrderForm(prefix="cco", company=found),
            "change_order_lines": forms.ChangeOrderLineFormSet(
                prefix="cco_lines", form_kwargs={"company": found}
            ),
            # Prime contracts and their change orders
            **_prime_contract_context(found),
        },
    )


def _prime_contract_context(company: Company) -> dict[str, Any]:
    return company_context(company)


def _company_page(company: Company) -> str:
    return reverse("procore_sandbox:company", args=[company.id])


@require_POST
def vendor_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = forms.VendorForm(request.POST, prefix="vendor")
    if form.is_valid():
        run_service(
            request,
            lambda: vendor_create(company=found, **form.cleaned_data),
            lambda vendor: f"Vendor {vendor.label} created (id {vendor.id}).",
        )
    else:
        form_errors(request, form)
    return HttpResponseRedirect(_company_page(found) + "#vendors")


@require_POST
def project_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = forms.ProjectForm(request.POST, prefix="project")
    if form.is_valid():
        data = form.cleaned_data
        run_service(
            request,
            lambda: project_create(
                company=found,
                name=data["name"],
                project_number=data["project_number"],
                city=data["city"],
                cost_codes=data["cost_codes"],
            ),
            lambda project: f"Project {project.label} created (id {project.id}).",
        )
    else:
        form_errors(request, form)
    return HttpResponseRedirect(_company_page(found) + "#projects")


@require_POST
def commitment_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = forms.CommitmentForm(request.POST, prefix="commitment", company=found)
    lines = forms.CommitmentLineFormSet(
        request.POST, prefix="commitment_lines", form_kwargs={"company": found}
    )
    document_with_lines(
        request,
        form,
        lines,
        cost_line,
        lambda data, parsed: commitment_create(
            company=found,
            project=data["project"],
            vendor=data["vendor"],
            kind=data["kind"],
            title=data["title"],
            number=data["number"],
            lines=parsed,
        ),
        lambda c: f"{TYPE_LABELS[c.item_type]} {c.label} created (id {c.id}).",
    )
    return HttpResponseRedirect(_company_page(found) + "#commitments")


@require_POST
def change_order_new(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    form = forms.ChangeOrderForm(request.POST, prefix="cco", company=found)
    lines = forms.ChangeOrderLineFormSet(
        request.POST, prefix="cco_lines", form_kwargs={"company": found}
    )
    document_with_lines(
        request,
        form,
        lines,
        lambda row: ChangeOrderLine(
            commitment_line_item_id=row["commitment_line"].id,
            amount=row["amount"],
            description=row.get("description", ""),
        ),
        lambda data, parsed: commitment_change_order_create(
            company=found,
            commitment=data["commitment"],
            title=data["title"],
            number=data["number"],
            lines=parsed,
        ),
        lambda cco: f"Change order {cco.label} created (id {cco.id}).",
    )
    return HttpResponseRedirect(_company_page(found) + "#change-orders")


@require_http_methods(["GET", "POST"])
def object_detail(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    obj = get_object_or_404(ProcoreObject, company=found, id=object_id)
    fields = EDITABLE_FIELDS.get(obj.item_type, ())
    if request.method == "POST":
        form = forms.edit_form_for(obj, fields, data=request.POST)
        if obj.synced:
            messages.error(
                request,
                f"This {TYPE_LABELS.get(obj.item_type, obj.item_type).lower()} is synced with "
                f"the ERP and locked.",
            )
        elif form.is_valid():
            run_service(
                request,
                lambda: object_edit(obj=obj, changes=form.cleaned_data),
                lambda saved: f"Saved {saved.label}.",
            )
            return HttpResponseRedirect(request.path)
        else:
            form_errors(request, form)
    (state,) = [s for _, s in selectors.with_states([obj])]
    extra: dict[str, Any] = {}
    if obj.item_type == "project":
        extra["structure"] = selectors.cost_structure_of(obj)
    elif obj.item_type == "sub_job":
        extra["structure"] = selectors.cost_structure_of(obj.project, obj)
    elif obj.item_type == "budget":
        extra["budget"] = selectors.budget_view(obj)
    # Requisitions and payments (issue 11): a commitment's invoices, an invoice's payments.
    extra.update(page_context(obj))
    return render(
        request,
        "procore_sandbox/object.html",
        {
            **extra,
            "company": found,
            "section": "project",
            "labels": erp_labels(found),
            "obj": obj,
            "type_label": TYPE_LABELS.get(obj.item_type, obj.item_type),
            "state": state,
            "form": forms.edit_form_for(obj, fields) if fields else None,
            "children": ProcoreObject.objects.filter(parent=obj).order_by("id"),
            "details": obj.request_details.select_related("erp_request").order_by("-id"),
        },
    )


@require_POST
def object_send(request: HttpRequest, company_id: int, object_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    obj = get_object_or_404(ProcoreObject, company=found, id=object_id)
    origin_code = request.POST.get("origin_code")
    run_service(
        request,
        lambda: export_send(obj=obj, origin_code=origin_code or None),
        lambda export: f"{obj.label} sent to ERP: it waits on Ready to Export.",
    )
    return redirect_back(request, _company_page(found))


# -- approver ---------------------------------------------------------------------------------
@require_GET
def erp(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    tab = request.GET.get("tab", "ready_to_import")
    if tab not in dict(TABS):
        tab = "ready_to_import"
    connection = ErpConnection.objects.filter(company=found).select_related("app").first()
    context: dict[str, Any] = {
        "company": found,
        "section": "erp",
        "labels": erp_labels(found),
        "connection": connection,
        "tabs": TABS,
        "tab": tab,
        "buttons": BUTTONS,
        "reject_form": forms.RejectForm(),
        "counts": {
            "ready_to_import": len(selectors.import_queue(found)),
            "ready_to_export": len(selectors.ready_to_export(found)),
            "synced": len(selectors.synced_objects(found)),
            "failed": len(selectors.failed_exports(found)),
        },
    }
    if tab == "ready_to_import":
        context["queue"] = selectors.import_queue(found)
        context["hidden"] = [(r, import_blocker(r)) for r in selectors.staged_elsewhere(found)]
    elif tab == "ready_to_export":
        context["exports"] = selectors.ready_to_export(found)
    elif tab == "synced":
        context["synced"] = selectors.synced_objects(found)
    elif tab == "failed":
        context["failed"] = selectors.failed_exports(found)
    elif tab == "requests":
        context["requests"] = selectors.recent_requests(found)
    elif tab == "vendors":
        context.update(selectors.vendors_tab(found))
    elif tab == "super_user":
        context.update(selectors.super_user_tab(found))
        context.update(selectors.cost_code_lists(found))
    else:
        context.update(selectors.cost_code_lists(found))
    return render(request, "procore_sandbox/erp.html", context)


def _erp_page(company: Company, tab: str) -> str:
    return reverse("procore_sandbox:erp", args=[company.id]) + f"?tab={tab}"


@require_POST
def export_accept_view(request: HttpRequest, company_id: int, export_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    export = get_object_or_404(ExportRequest, company=found, id=export_id)
    run_service(
        request,
        lambda: export_accept(export=export),
        lambda erp_request: (
            f"Accepted: ERP Request {erp_request.id} ({erp_request.request_name}) sent to the "
            "integration."
        ),
    )
    return redirect_back(request, _erp_page(found, "ready_to_export"))


@require_POST
def export_reject_view(request: HttpRequest, company_id: int, export_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    export = get_object_or_404(ExportRequest, company=found, id=export_id)
    form = forms.RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request,
        lambda: export_reject(export=export, reason=reason),
        lambda _: f"Rejected: {export.item.label} went back to the project tool.",
    )
    return redirect_back(request, _erp_page(found, "ready_to_export"))


@require_POST
def staged_approve(request: HttpRequest, company_id: int, record_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    record = get_object_or_404(StagedRecord, company=found, id=record_id)
    run_service(
        request,
        lambda: staged_record_approve(record=record),
        lambda obj: f"Imported {obj.label} into Procore (id {obj.id}, origin_id {obj.origin_id}).",
    )
    return redirect_back(request, _erp_page(found, "ready_to_import"))


@require_POST
def button(request: HttpRequest, company_id: int, name: str) -> HttpResponse:
    found = company_or_404(company_id)
    run_service(
        request,
        lambda: button_press(company=found, button=name),
        lambda made: (
            "Asked the integration: "
            + ", ".join(f"{r.request_name} (ERP Request {r.id})" for r in made)
            + "."
        ),
    )
    return redirect_back(request, _erp_page(found, "requests"))


# -- webhooks and knobs -----------------------------------------------------------------------
@require_GET
def webhooks(request: HttpRequest, company_id: int) -> HttpResponse:
    found = company_or_404(company_id)
    hooks = Hook.objects.filter(company=found).prefetch_related("triggers").order_by("id")
    attempts = (
        DeliveryAttempt.objects.filter(hook__company=found)
        .select_related("delivery__event", "hook")
        .order_by("-id")[:50]
    )
    return render(
        request,
        "procore_sandbox/webhooks.html",
        {
            "company": found,
            "section": "webhooks",
            "labels": erp_labels(found),
            "hooks": hooks,
            "attempts": attempts,
            "pending": deliveries_pending_count(),
        },
    )


@require_POST
def deliver_now(request: HttpRequest) -> HttpResponse:
    run_service(
        request,
        deliveries_run_due,
        lambda count: f"Made {count} delivery attempt(s); {deliveries_pending_count()} pending.",
    )
    return redirect_back(request, reverse("procore_sandbox:home"))


@require_http_methods(["GET", "POST"])
def knobs(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = forms.SettingForm(request.POST)
        if form.is_valid():
            name, value = form.cleaned_data["name"], form.cleaned_data["value"].strip()
            if value:
                run_service(
                    request,
                    lambda: knob_set(name=name, value=value),
                    lambda clean: f"{name} = {clean}",
                )
            else:
                run_service(
                    request, lambda: knob_reset(name=name), lambda _: f"{name} is back to default."
                )
        return HttpResponseRedirect(request.path)
    values = conf.snapshot()
    overridden = knobs_overridden()
    rows = [
        {"name": name, "value": values[name], "default": default, "overridden": name in overridden}
        for name, default in conf.DEFAULTS.items()
    ]
    return render(request, "procore_sandbox/knobs.html", {"rows": rows, "section": "knobs"})
