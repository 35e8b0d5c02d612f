"""The demo ERP's owner billing and direct costs: payment applications (the general
contractor's pay applications to the owner against the prime contract, with their lines) and
company-level direct costs (invoices and expenses not tied to a commitment, whose lines post to
a job, cost code and cost type).

Each document has a status an accountant sets in the ERP: ``open`` (entered), ``approved``
(posted) or ``void`` (cancelled, kept as history). Lines are written with their header in one
transaction, so the books never hold half a document.
"""

from __future__ import annotations

from django.db import models

from erp_adapters.demo import limits
from erp_adapters.demo.models.core import (
    DemoJob,
    DemoVendor,
    LineFields,
    TenantRow,
    _tenant_pk_index,
    _tenant_unique,
)


class DocumentStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    VOID = "void", "Void"


def _money(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2, **kwargs)


class DemoPaymentApplication(TenantRow):
    """A pay application billed to the owner on a job. The prime contract is kept as Procore's
    export names it (``prime_contract_ref``: the Procore id of the contract the lines belong
    to), as text: the demo books do not model the owner's contract itself."""

    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="payment_applications")
    prime_contract_ref = models.CharField(
        max_length=255,
        blank=True,
        help_text="The prime contract as Procore's export names it (its Procore id).",
    )
    contract_name = models.CharField(max_length=limits.CONTRACT_NAME, blank=True)
    number = models.CharField(max_length=limits.PAY_APP_NUMBER)
    billing_date = models.DateField(null=True, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.OPEN
    )
    scheduled_value = _money(default=0)
    completed_this_period = _money(default=0)
    retainage_this_period = _money(default=0)
    amount_due = _money(default=0, help_text="Billed this period less retainage.")

    class Meta:
        verbose_name = "payment application"
        constraints = [
            # A void pay application stays as history; its number may be billed again.
            models.UniqueConstraint(
                fields=["job", "number"],
                condition=~models.Q(status="void"),
                name="demo_payapp_unique_number",
            ),
            _tenant_unique("payapp", "procore_id"),
        ]
        indexes = [_tenant_pk_index("payapp")]

    def __str__(self) -> str:
        return f"Pay application {self.number}"

    def clean(self) -> None:
        self._check_same_tenant(job=self.job if self.job_id else None)


class DemoPaymentApplicationLine(TenantRow):
    """One schedule-of-values line billed; ``contract_line_ref`` is the ERP id of the prime
    contract line it bills, as the export gives it."""

    payment_application = models.ForeignKey(
        DemoPaymentApplication, on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=limits.LINE_DESCRIPTION, blank=True)
    contract_line_ref = models.CharField(max_length=255, blank=True)
    scheduled_value = _money(default=0)
    previously_completed = _money(default=0)
    completed_this_period = _money(default=0)
    materials_stored = _money(default=0)
    completed_to_date = _money(default=0)
    retainage_this_period = _money(default=0)

    class Meta:
        verbose_name = "payment application line"
        constraints = [_tenant_unique("payappline", "procore_id")]
        indexes = [
            models.Index(fields=["payment_application", "position"], name="demo_payappline_pos_idx")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class DirectCostKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    EXPENSE = "expense", "Expense"
    PAYROLL = "payroll", "Payroll"
    SUBCONTRACTOR_INVOICE = "subcontractor_invoice", "Subcontractor invoice"


class DemoDirectCost(TenantRow):
    """An invoice or expense entered at company level; its lines carry the jobs it costs."""

    vendor = models.ForeignKey(
        DemoVendor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="direct_costs",
    )
    kind = models.CharField(
        max_length=24, choices=DirectCostKind.choices, default=DirectCostKind.INVOICE
    )
    invoice_number = models.CharField(max_length=limits.INVOICE_NUMBER, blank=True)
    description = models.TextField(blank=True)
    direct_cost_date = models.DateField(null=True, blank=True)
    accounting_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.OPEN
    )
    total = _money(default=0)

    class Meta:
        verbose_name = "direct cost"
        constraints = [
            _tenant_unique("directcost", "procore_id"),
            models.UniqueConstraint(
                fields=["vendor", "invoice_number"],
                condition=~models.Q(invoice_number="") & ~models.Q(status="void"),
                name="demo_directcost_unique_vendor_invoice",
            ),
        ]
        indexes = [_tenant_pk_index("directcost")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.invoice_number or self.pk}"

    def clean(self) -> None:
        self._check_same_tenant(vendor=self.vendor if self.vendor_id else None)


class DemoDirectCostLine(LineFields):
    """One line of a direct cost, posted to a job, cost code and cost type."""

    direct_cost = models.ForeignKey(DemoDirectCost, on_delete=models.CASCADE, related_name="lines")
    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "direct cost line"
        constraints = [_tenant_unique("directcostline", "procore_id")]
        indexes = [
            models.Index(fields=["direct_cost", "position"], name="demo_directcostline_pos_idx")
        ]
