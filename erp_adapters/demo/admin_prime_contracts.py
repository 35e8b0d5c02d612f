"""The demo ERP's screens for the owner side of a job: prime contracts with their lines, and the
prime contract change orders Procore exported, with their lines and markups.

Editable on purpose: void a change order here, then unlink it in Procore and watch the ERP let
it go; try the same on an approved one and watch it refuse. A void change order cannot be set
back to approved (the model's rule), only replaced by a new export.
"""

from __future__ import annotations

from django.contrib import admin

from erp_adapters.demo.admin_base import DemoAdminBase, FromProcoreFilter
from erp_adapters.demo.models.prime_contracts import (
    DemoPrimeContract,
    DemoPrimeContractChangeOrder,
    DemoPrimeContractChangeOrderLine,
    DemoPrimeContractLine,
    DemoPrimeContractMarkup,
)
from erp_adapters.demo.prime_contracts import change_order_total


class DemoPrimeContractLineInline(admin.TabularInline):
    model = DemoPrimeContractLine
    extra = 0
    autocomplete_fields = ("cost_code", "cost_type")
    fields = ("position", "description", "cost_code", "cost_type", "amount", "procore_id")
    readonly_fields = ("procore_id",)


@admin.register(DemoPrimeContract)
class DemoPrimeContractAdmin(DemoAdminBase):
    list_display = ("number", "title", "job", "status", "executed", "procore_id")
    list_filter = ("tenant", "status", FromProcoreFilter)
    list_select_related = ("job",)
    search_fields = ("number", "title", "job__code")
    autocomplete_fields = ("job",)
    inlines = (DemoPrimeContractLineInline,)
    ordering = ("tenant", "job__code", "number")


class DemoPrimeContractChangeOrderLineInline(admin.TabularInline):
    model = DemoPrimeContractChangeOrderLine
    extra = 0
    autocomplete_fields = ("cost_code", "cost_type")
    fields = ("position", "description", "cost_code", "cost_type", "amount", "procore_id")
    readonly_fields = ("procore_id",)
    show_change_link = True


@admin.register(DemoPrimeContractChangeOrder)
class DemoPrimeContractChangeOrderAdmin(DemoAdminBase):
    list_display = ("number", "title", "prime_contract", "status", "total", "procore_id")
    list_filter = ("tenant", "status", FromProcoreFilter)
    list_select_related = ("prime_contract",)
    search_fields = ("number", "title", "prime_contract__number")
    autocomplete_fields = ("prime_contract",)
    inlines = (DemoPrimeContractChangeOrderLineInline,)
    ordering = ("-id",)

    @admin.display(description="total (with markups)")
    def total(self, row: DemoPrimeContractChangeOrder) -> str:
        return change_order_total(row)


@admin.register(DemoPrimeContractMarkup)
class DemoPrimeContractMarkupAdmin(DemoAdminBase):
    list_display = ("name", "percentage", "amount", "line", "procore_id")
    list_filter = ("tenant", FromProcoreFilter)
    search_fields = ("name",)
    raw_id_fields = ("line",)
    autocomplete_fields = ("cost_code", "cost_type")
    ordering = ("-id",)
