"""The demo ERP's own screens: what arrived from Procore, and the books an import reads.

Editable on purpose: changing a vendor here and pressing Refresh Vendors in Procore shows an
update travelling through the import. Changelists never count 100,000 rows twice, foreign keys
use autocomplete instead of rendering every vendor in a select, and searching by an ERP id
(a UUID) or a Procore id is an exact, indexed lookup.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Sum

from erp_adapters.demo.admin_base import DemoAdminBase, FromProcoreFilter
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)


@admin.register(DemoVendor)
class DemoVendorAdmin(DemoAdminBase):
    list_display = ("code", "name", "trade", "city", "state_code", "is_active", "procore_id")
    list_filter = ("tenant", "is_active", FromProcoreFilter, "state_code")
    search_fields = ("code", "name", "tax_id")
    ordering = ("tenant", "code")
    fieldsets = (
        (None, {"fields": ("tenant", "code", "name", "trade", "tax_id", "is_active")}),
        (
            "Address and contact",
            {
                "fields": (
                    "address",
                    ("city", "state_code", "zip", "country_code"),
                    "business_phone",
                    "email_address",
                    "website",
                )
            },
        ),
        ("Identity", {"fields": ("guid", "procore_id", "created_at", "updated_at")}),
    )


@admin.register(DemoJob)
class DemoJobAdmin(DemoAdminBase):
    list_display = ("code", "name", "city", "state_code", "start_date", "is_active", "procore_id")
    list_filter = ("tenant", "is_active", FromProcoreFilter)
    search_fields = ("code", "name")
    ordering = ("tenant", "code")


@admin.register(DemoCostCode)
class DemoCostCodeAdmin(DemoAdminBase):
    list_display = ("code", "name", "parent", "is_active", "procore_id")
    list_filter = ("tenant", "is_active", ("parent", admin.EmptyFieldListFilter), FromProcoreFilter)
    list_select_related = ("parent",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)
    ordering = ("tenant", "code")


@admin.register(DemoCostType)
class DemoCostTypeAdmin(DemoAdminBase):
    list_display = ("code", "name", "procore_id")
    list_filter = ("tenant", FromProcoreFilter)
    search_fields = ("code", "name")
    ordering = ("tenant", "code")


class LineInline(admin.TabularInline):
    extra = 0
    autocomplete_fields = ("cost_code", "cost_type")
    readonly_fields = ("procore_id",)
    fields = (
        "position",
        "description",
        "cost_code",
        "cost_type",
        "quantity",
        "unit_cost",
        "uom",
        "amount",
        "procore_id",
    )


class DemoCommitmentLineInline(LineInline):
    model = DemoCommitmentLine


class DemoChangeOrderLineInline(LineInline):
    model = DemoChangeOrderLine
    autocomplete_fields = ("cost_code", "cost_type")
    raw_id_fields = ("commitment_line",)
    fields = (*LineInline.fields[:-1], "commitment_line", "procore_id")


class WithTotal:
    """The sum of the lines, computed in the changelist query rather than once per row."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Sum("lines__amount"))

    @admin.display(description="total", ordering="total")
    def total(self, obj) -> str:
        return "—" if obj.total is None else f"{obj.total:,.2f}"


@admin.register(DemoCommitment)
class DemoCommitmentAdmin(WithTotal, DemoAdminBase):
    list_display = ("number", "title", "kind", "job", "vendor", "status", "total", "procore_id")
    list_filter = ("tenant", "kind", "status", "executed", FromProcoreFilter)
    list_select_related = ("job", "vendor")
    search_fields = ("number", "title", "job__code", "vendor__code", "vendor__name")
    autocomplete_fields = ("job", "vendor")
    inlines = (DemoCommitmentLineInline,)
    ordering = ("-id",)
    readonly_fields = ("voided_at",)
    actions = ("void_commitments",)

    @admin.action(description="Void the selected commitments (they stay, as history)")
    def void_commitments(self, request, queryset) -> None:
        """What the accountant does to cancel a commitment: Procore may then unlink it."""
        from erp_adapters.demo.commitments import commitment_void

        live = queryset.exclude(status="void")
        count = 0
        for row in live:
            commitment_void(row)
            count += 1
        self.message_user(request, f"Voided {count} commitment(s).")


@admin.register(DemoChangeOrder)
class DemoChangeOrderAdmin(WithTotal, DemoAdminBase):
    list_display = ("number", "title", "commitment", "status", "total", "procore_id")
    list_filter = ("tenant", "status", FromProcoreFilter)
    list_select_related = ("commitment",)
    search_fields = ("number", "title", "commitment__number")
    autocomplete_fields = ("commitment",)
    inlines = (DemoChangeOrderLineInline,)
    ordering = ("-id",)


# A job's cost structure has its own module; importing it registers its pages.
from erp_adapters.demo import admin_cost_structure  # noqa: E402, F401
