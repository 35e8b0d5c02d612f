"""The demo ERP's screens for a job's cost structure: sub jobs, the cost codes open on each job
with their cost types and posted costs, and budgets with their lines and transactions.

Editable on purpose, like the rest of the demo's admin: post a job-to-date cost on a cost code
here, ask Procore to delete that cost code, and watch the ERP refuse it.
"""

from __future__ import annotations

from django.contrib import admin

from erp_adapters.demo.admin_base import DemoAdminBase, FromProcoreFilter
from erp_adapters.demo.models import (
    DemoBudget,
    DemoBudgetLine,
    DemoBudgetTransaction,
    DemoJobCost,
    DemoJobCostCode,
    DemoJobCostType,
    DemoSubJob,
)


@admin.register(DemoSubJob)
class DemoSubJobAdmin(DemoAdminBase):
    list_display = ("code", "name", "job", "is_active", "procore_id")
    list_filter = ("tenant", "is_active", FromProcoreFilter)
    list_select_related = ("job",)
    search_fields = ("code", "name", "job__code")
    autocomplete_fields = ("job",)
    ordering = ("tenant", "job__code", "code")


class DemoJobCostTypeInline(admin.TabularInline):
    model = DemoJobCostType
    extra = 0
    autocomplete_fields = ("cost_type",)
    readonly_fields = ("procore_id", "synced")
    fields = ("cost_type", "synced", "procore_id")


@admin.register(DemoJobCostCode)
class DemoJobCostCodeAdmin(DemoAdminBase):
    list_display = ("__str__", "job", "sub_job", "cost_code", "is_active", "procore_id")
    list_filter = ("tenant", "is_active", FromProcoreFilter)
    list_select_related = ("job", "sub_job", "cost_code")
    search_fields = ("job__code", "sub_job__code", "cost_code__code", "cost_code__name")
    autocomplete_fields = ("job", "sub_job", "cost_code")
    inlines = (DemoJobCostTypeInline,)
    ordering = ("-id",)


@admin.register(DemoJobCostType)
class DemoJobCostTypeAdmin(DemoAdminBase):
    list_display = ("__str__", "synced", "procore_id")
    list_filter = ("tenant", "synced")
    list_select_related = ("job_cost_code__job", "job_cost_code__cost_code", "cost_type")
    search_fields = (
        "job_cost_code__job__code",
        "job_cost_code__cost_code__code",
        "cost_type__code",
    )
    autocomplete_fields = ("job_cost_code", "cost_type")
    ordering = ("-id",)


@admin.register(DemoJobCost)
class DemoJobCostAdmin(DemoAdminBase):
    list_display = ("assignment", "original_estimate", "estimate", "job_to_date_cost")
    list_filter = ("tenant",)
    list_select_related = (
        "assignment__job_cost_code__job",
        "assignment__job_cost_code__cost_code",
        "assignment__cost_type",
    )
    search_fields = (
        "assignment__job_cost_code__job__code",
        "assignment__job_cost_code__cost_code__code",
    )
    autocomplete_fields = ("assignment",)
    ordering = ("-id",)


class DemoBudgetLineInline(admin.TabularInline):
    model = DemoBudgetLine
    extra = 0
    autocomplete_fields = ("job_cost_code", "cost_type")
    readonly_fields = ("procore_id", "procore_budget_line_item_id")
    fields = ("job_cost_code", "cost_type", "amount", "procore_id", "procore_budget_line_item_id")


@admin.register(DemoBudget)
class DemoBudgetAdmin(DemoAdminBase):
    list_display = ("__str__", "job", "procore_id")
    list_filter = ("tenant", FromProcoreFilter)
    list_select_related = ("job",)
    search_fields = ("job__code", "job__name")
    autocomplete_fields = ("job",)
    inlines = (DemoBudgetLineInline,)
    ordering = ("-id",)


@admin.register(DemoBudgetTransaction)
class DemoBudgetTransactionAdmin(DemoAdminBase):
    list_display = ("__str__", "line", "kind", "amount", "procore_id")
    list_filter = ("tenant", "kind")
    list_select_related = (
        "line__job_cost_code__job",
        "line__job_cost_code__cost_code",
        "line__cost_type",
    )
    search_fields = ("line__job_cost_code__job__code",)
    raw_id_fields = ("line",)
    ordering = ("-id",)
