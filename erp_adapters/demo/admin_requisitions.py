"""The demo ERP's screens for subcontractor invoices (requisitions) and the payments against
them: what Procore exported, and where the accountant records a payment, which then reaches
Procore when the approver presses Refresh Payments (``sync_contract_payments``). A payment is
checked as the export's are (never more than the invoice's unpaid balance); deleting one, or
setting it Void, is what ``reset_payment`` then finds."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Sum

from erp_adapters import money
from erp_adapters.demo.admin_base import DemoAdminBase, FromProcoreFilter
from erp_adapters.demo.models import DemoPayment, DemoRequisition, DemoRequisitionLine
from erp_adapters.demo.requisitions import payment_problems


class DemoRequisitionLineInline(admin.TabularInline):
    model = DemoRequisitionLine
    extra = 0
    can_delete = False
    fields = ("position", "kind", "description", "commitment_line", "change_order_line")
    fields += ("amount", "retainage", "procore_id")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DemoPaymentInline(admin.TabularInline):
    model = DemoPayment
    extra = 0
    can_delete = False
    fields = ("number", "amount", "paid_on", "check_number", "method", "status", "procore_id")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DemoRequisition)
class DemoRequisitionAdmin(DemoAdminBase):
    list_display = ("number", "commitment", "billing_date", "status", "total", "procore_id")
    list_filter = ("tenant", "status", FromProcoreFilter)
    list_select_related = ("commitment",)
    search_fields = ("number", "commitment__number")
    autocomplete_fields = ("commitment",)
    inlines = (DemoRequisitionLineInline, DemoPaymentInline)
    ordering = ("-id",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Sum("lines__amount"))

    @admin.display(description="total", ordering="total")
    def total(self, obj) -> str:
        return "—" if obj.total is None else money.shown(obj.total)


class PaymentForm(forms.ModelForm):
    class Meta:
        model = DemoPayment
        fields = ("requisition", "number", "amount", "paid_on", "check_number", "method", "status")

    def clean(self):
        cleaned = super().clean()
        requisition, amount = cleaned.get("requisition"), cleaned.get("amount")
        if requisition is not None and amount is not None and cleaned.get("status") != "Void":
            exclude = self.instance if self.instance.pk else None
            problems = payment_problems(requisition, money.to_erp(amount), exclude=exclude)
            if problems:
                raise forms.ValidationError(problems)
        return cleaned


@admin.register(DemoPayment)
class DemoPaymentAdmin(DemoAdminBase):
    form = PaymentForm
    list_display = ("number", "requisition", "amount", "paid_on", "method", "status", "procore_id")
    list_filter = ("tenant", "status", "method", FromProcoreFilter)
    list_select_related = ("requisition",)
    search_fields = ("number", "check_number", "requisition__number")
    autocomplete_fields = ("requisition",)
    ordering = ("-id",)

    def get_fields(self, request, obj=None):
        return ("requisition", "number", "amount", "paid_on", "check_number", "method", "status")

    def save_model(self, request, obj, form, change) -> None:
        obj.tenant = obj.requisition.tenant
        if not obj.number:
            count = DemoPayment.objects.filter(tenant=obj.tenant).count()
            obj.number = f"PAY-{count + 1:05d}"
        super().save_model(request, obj, form, change)
