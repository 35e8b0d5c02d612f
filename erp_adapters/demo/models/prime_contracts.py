"""The demo ERP's owner side of a job: the prime contract (what the owner pays the contractor),
its lines, and the prime contract change orders that change it, with their lines and markups.

A prime contract is entered in the ERP and imported into Procore (``sync_prime_contracts``);
its change orders are approved in Procore and exported here
(``create_prime_contract_change_order``). The rules an accountant meets: a change order needs
its prime contract in the ERP; each line posts to a cost code and cost type the ERP knows; a
closed job takes no new change order; and a void change order stays void (it cannot be revived,
only replaced by a new one). Models are declared here and re-exported by the ``models`` package so
the app finds them; amounts go through ``erp_adapters.money``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from erp_adapters.demo import limits
from erp_adapters.demo.models.core import (
    DemoCostCode,
    DemoCostType,
    DemoJob,
    LineFields,
    TenantRow,
    _tenant_pk_index,
    _tenant_unique,
)

PRIME_CONTRACT_NUMBER = 20
PRIME_CONTRACT_TITLE = 60
MARKUP_NAME = 60


class DocumentStatus(models.TextChoices):
    """Where a document stands in the ERP's books: an open one may still change, an approved
    one posts its amounts, a void one is kept for history and posts nothing."""

    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    VOID = "void", "Void"


class DemoPrimeContract(TenantRow):
    """The owner contract of a job; ``procore_id`` is set once Procore reports it imported."""

    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="prime_contracts")
    number = models.CharField(max_length=PRIME_CONTRACT_NUMBER)
    title = models.CharField(max_length=PRIME_CONTRACT_TITLE)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.APPROVED
    )
    executed = models.BooleanField(default=False)
    retainage_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    contract_start_date = models.DateField(null=True, blank=True)
    estimated_completion_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "prime contract"
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="demo_primecontract_unique_no"),
            _tenant_unique("primecontract", "procore_id"),
        ]
        indexes = [_tenant_pk_index("pcontract")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        self._check_same_tenant(job=self.job if self.job_id else None)


class DemoPrimeContractLine(LineFields):
    """One line of the owner contract: what the owner pays for one cost code and cost type."""

    prime_contract = models.ForeignKey(
        DemoPrimeContract, on_delete=models.CASCADE, related_name="lines"
    )

    class Meta:
        verbose_name = "prime contract line"
        constraints = [_tenant_unique("primecontractline", "procore_id")]
        indexes = [
            models.Index(fields=["prime_contract", "position"], name="demo_pcline_pos_idx"),
        ]


class DemoPrimeContractChangeOrder(TenantRow):
    """A change to the owner contract, exported from Procore; ``procore_id`` is Procore's id of
    the change order (what makes an export idempotent)."""

    prime_contract = models.ForeignKey(
        DemoPrimeContract, on_delete=models.PROTECT, related_name="change_orders"
    )
    number = models.CharField(max_length=limits.CHANGE_ORDER_NUMBER)
    title = models.CharField(max_length=limits.CHANGE_ORDER_TITLE, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.APPROVED
    )
    transaction_date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = "prime contract change order"
        constraints = [
            # A void change order keeps its number for history; a new one may take it.
            models.UniqueConstraint(
                fields=["prime_contract", "number"],
                condition=~models.Q(status="void"),
                name="demo_pcco_unique_number",
            ),
            _tenant_unique("pcco", "procore_id"),
        ]
        indexes = [_tenant_pk_index("pcco")]

    def __str__(self) -> str:
        return f"PCCO {self.number} {self.title}".strip()

    def clean(self) -> None:
        self._check_same_tenant(
            prime_contract=self.prime_contract if self.prime_contract_id else None
        )
        if self.pk and self.status != DocumentStatus.VOID:
            before = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            if before.first() == DocumentStatus.VOID:
                raise ValidationError(
                    {"status": "A void change order stays void; enter a new change order instead."}
                )


class DemoPrimeContractChangeOrderLine(LineFields):
    """A line of a prime contract change order. ``amount`` is the line's own amount, before
    its markups (Procore's ``extended_amount``); the markups are rows of their own."""

    change_order = models.ForeignKey(
        DemoPrimeContractChangeOrder, on_delete=models.CASCADE, related_name="lines"
    )
    prime_contract_line = models.ForeignKey(
        DemoPrimeContractLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_order_lines",
        help_text="The prime contract line this change adjusts, if any.",
    )

    class Meta:
        verbose_name = "prime contract change order line"
        constraints = [_tenant_unique("pccoline", "procore_id")]
        indexes = [models.Index(fields=["change_order", "position"], name="demo_pccoline_pos_idx")]


class DemoPrimeContractMarkup(TenantRow):
    """A markup on a change order line (overhead, fee, insurance): a percentage of the line or a
    fixed amount, posted to its own cost code and cost type when Procore names them.
    ``procore_id`` is Procore's markup line item id."""

    line = models.ForeignKey(
        DemoPrimeContractChangeOrderLine, on_delete=models.CASCADE, related_name="markups"
    )
    name = models.CharField(max_length=MARKUP_NAME, blank=True)
    percentage = models.DecimalField(max_digits=7, decimal_places=4, null=True, blank=True)
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2)
    cost_code = models.ForeignKey(
        DemoCostCode, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cost_type = models.ForeignKey(
        DemoCostType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "prime contract change order markup"
        constraints = [_tenant_unique("pccomarkup", "procore_id")]

    def __str__(self) -> str:
        what = f"{self.percentage}%" if self.percentage is not None else "fixed"
        return f"{self.name or 'Markup'} ({what}): {self.amount}"
