"""The demo ERP's screens for owner billing and direct costs: payment applications and
company-level direct costs with their lines, and the accountant's action that voids them.

Voiding here, then unlinking in Procore, shows the unlink go through; unlinking a document that
is still open or approved shows the ERP refuse it.
"""

from __future__ import annotations

from django.contrib import admin, messages

from erp_adapters.demo.admin_base import DemoAdminBase, FromProcoreFilter
from erp_adapters.demo.models import (
    DemoDirectCost,
    DemoDirectCostLine,
    DemoPaymentApplication,
    DemoPaymentApplicationLine,
)
from erp_adapters.demo.payapps_direct_costs import voided


@admin.action(description="Void the selected documents (kept as history)")
def void_documents(modeladmin, request, queryset) -> None:
    count = voided(queryset)
    modeladmin.message_user(request, f"{count} document(s) voided.", messages.SUCCESS)


class DemoPaymentApplicationLineInline(admin.TabularInline):
    model = DemoPaymentApplicationLine
    extra = 0
    readonly_fields = ("procore_id",)
    fields = (
        "position",
        "description",
        "scheduled_value",
        "completed_this_period",
        "materials_stored",
        "completed_to_date",
        "retainage_this_period",
        "contract_line_ref",
        "procore_id",
    )


@admin.register(DemoPaymentApplication)
class DemoPaymentApplicationAdmin(DemoAdminBase):
    list_display = ("number", "job", "status", "period_end", "amount_due", "procore_id")
    list_filter = ("tenant", "status", FromProcoreFilter)
    list_select_related = ("job",)
    search_fields = ("number", "job__code", "contract_name")
    autocomplete_fields = ("job",)
    ordering = ("tenant", "job__code", "number")
    inlines = (DemoPaymentApplicationLineInline,)
    actions = (void_documents,)


class DemoDirectCostLineInline(admin.TabularInline):
    model = DemoDirectCostLine
    extra = 0
    autocomplete_fields = ("job", "cost_code", "cost_type")
    readonly_fields = ("procore_id",)
    fields = ("position", "description", "job", "cost_code", "cost_type", "amount", "procore_id")


@admin.register(DemoDirectCost)
class DemoDirectCostAdmin(DemoAdminBase):
    list_display = ("invoice_number", "kind", "vendor", "status", "total", "procore_id")
    list_filter = ("tenant", "status", "kind", FromProcoreFilter)
    list_select_related = ("vendor",)
    search_fields = ("invoice_number", "vendor__code", "vendor__name", "description")
    autocomplete_fields = ("vendor",)
    ordering = ("tenant", "-id")
    inlines = (DemoDirectCostLineInline,)
    actions = (void_documents,)
