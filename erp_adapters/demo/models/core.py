"""The demo ERP's books: one set of tables shared by every tenant, each row scoped by ``tenant``.

Every row has a ``guid`` (the ERP's own id, sent to Procore as ``origin_id``) and a user-visible
``code`` or ``number`` (``origin_code``). Rows created from a Procore export keep the Procore id
in ``procore_id``, unique per tenant, which is what makes exports idempotent.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo import limits


class TenantRow(models.Model):
    tenant = models.CharField(max_length=64, help_text="The ERP's books this row belongs to.")
    guid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, verbose_name="ERP id (origin id)"
    )
    procore_id = models.BigIntegerField(
        null=True, blank=True, help_text="Set when the row was created by an export from Procore."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _check_same_tenant(self, **related: models.Model | None) -> None:
        wrong = {
            name: f"Belongs to the ERP books {obj.tenant!r}, not {self.tenant!r}."
            for name, obj in related.items()
            if obj is not None and obj.tenant != self.tenant
        }
        if wrong:
            raise ValidationError(wrong)


def _tenant_unique(model: str, *fields: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["tenant", *fields], name=f"demo_{model}_unique_{'_'.join(fields)}"
    )


def _tenant_pk_index(model: str) -> models.Index:
    """Keyset pagination walks ``(tenant, id)``."""
    return models.Index(fields=["tenant", "id"], name=f"demo_{model}_tenant_id_idx")


class DemoVendor(TenantRow):
    code = models.CharField(max_length=limits.VENDOR_CODE)
    name = models.CharField(max_length=limits.VENDOR_NAME)
    trade = models.CharField(max_length=limits.TRADE, blank=True)
    tax_id = models.CharField(max_length=limits.TAX_ID, blank=True, help_text="EIN, 12-3456789.")
    address = models.CharField(max_length=limits.ADDRESS, blank=True)
    city = models.CharField(max_length=limits.CITY, blank=True)
    state_code = models.CharField(max_length=limits.STATE_CODE, blank=True)
    zip = models.CharField(max_length=limits.ZIP, blank=True)
    country_code = models.CharField(max_length=limits.COUNTRY_CODE, default="US", blank=True)
    business_phone = models.CharField(max_length=limits.PHONE, blank=True)
    email_address = models.CharField(max_length=limits.EMAIL, blank=True)
    website = models.CharField(max_length=limits.WEBSITE, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "vendor"
        constraints = [
            _tenant_unique("vendor", "code"),
            _tenant_unique("vendor", "procore_id"),
        ]
        indexes = [
            _tenant_pk_index("vendor"),
            models.Index("tenant", Upper("name"), name="demo_vendor_tenant_name_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DemoJob(TenantRow):
    code = models.CharField(max_length=limits.JOB_CODE)
    name = models.CharField(max_length=limits.JOB_NAME)
    address = models.CharField(max_length=limits.ADDRESS, blank=True)
    city = models.CharField(max_length=limits.CITY, blank=True)
    state_code = models.CharField(max_length=limits.STATE_CODE, blank=True)
    zip = models.CharField(max_length=limits.ZIP, blank=True)
    country_code = models.CharField(max_length=limits.COUNTRY_CODE, default="US", blank=True)
    start_date = models.DateField(null=True, blank=True)
    completion_date = models.DateField(null=True, blank=True)
    estimated_value = models.DecimalField(
        max_digits=limits.MONEY_DIGITS, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "job"
        constraints = [_tenant_unique("job", "code"), _tenant_unique("job", "procore_id")]
        indexes = [_tenant_pk_index("job")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DemoCostCode(TenantRow):
    code = models.CharField(max_length=limits.COST_CODE, help_text="Full code, e.g. 03-300.")
    name = models.CharField(max_length=limits.COST_CODE_NAME)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "cost code"
        constraints = [
            _tenant_unique("costcode", "code"),
            _tenant_unique("costcode", "procore_id"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def segment(self) -> str:
        """The code's own segment (``300`` in ``03-300``), as Procore's ``code`` field wants."""
        if self.parent_id and self.parent and self.code.startswith(self.parent.code + "-"):
            return self.code[len(self.parent.code) + 1 :]
        return self.code

    def clean(self) -> None:
        self._check_same_tenant(parent=self.parent if self.parent_id else None)


class DemoCostType(TenantRow):
    code = models.CharField(max_length=limits.COST_TYPE_CODE)
    name = models.CharField(max_length=limits.COST_TYPE_NAME)

    class Meta:
        verbose_name = "cost type"
        constraints = [
            _tenant_unique("costtype", "code"),
            _tenant_unique("costtype", "procore_id"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CommitmentKind(models.TextChoices):
    SUBCONTRACT = "subcontract", "Subcontract"
    PURCHASE_ORDER = "purchase_order", "Purchase order"


# --- Commitments (subcontracts and purchase orders) -------------------------------------------
# A commitment is open while it is drafted and negotiated, approved once it binds (costs and
# invoices may be posted against it), and void when it is cancelled: a void document stays in
# the books as history and never comes back to life.


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    VOID = "void", "Void"


class DemoCommitment(TenantRow):
    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="commitments")
    vendor = models.ForeignKey(DemoVendor, on_delete=models.PROTECT, related_name="commitments")
    kind = models.CharField(max_length=16, choices=CommitmentKind.choices)
    number = models.CharField(max_length=limits.COMMITMENT_NUMBER)
    title = models.CharField(max_length=limits.COMMITMENT_TITLE, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    executed = models.BooleanField(default=False)
    retainage_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Withheld from each payment until completion (10.00 = 10%).",
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "commitment"
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="demo_commitment_unique_number"),
            _tenant_unique("commitment", "procore_id"),
        ]
        indexes = [_tenant_pk_index("commitment")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        self._check_same_tenant(
            job=self.job if self.job_id else None, vendor=self.vendor if self.vendor_id else None
        )


class LineFields(TenantRow):
    position = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=limits.LINE_DESCRIPTION, blank=True)
    cost_code = models.ForeignKey(DemoCostCode, on_delete=models.PROTECT, related_name="+")
    cost_type = models.ForeignKey(DemoCostType, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        max_digits=limits.QUANTITY_DIGITS, decimal_places=4, null=True, blank=True
    )
    unit_cost = models.DecimalField(
        max_digits=limits.QUANTITY_DIGITS, decimal_places=4, null=True, blank=True
    )
    uom = models.CharField(max_length=limits.UOM, blank=True)
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"

    def clean(self) -> None:
        self._check_same_tenant(
            cost_code=self.cost_code if self.cost_code_id else None,
            cost_type=self.cost_type if self.cost_type_id else None,
        )


class DemoCommitmentLine(LineFields):
    commitment = models.ForeignKey(DemoCommitment, on_delete=models.CASCADE, related_name="lines")
    job_cost_code = models.ForeignKey(
        "DemoJobCostCode",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commitment_lines",
        help_text="The job's (or sub job's) cost code this line posts to.",
    )

    class Meta:
        verbose_name = "commitment line"
        constraints = [_tenant_unique("commitmentline", "procore_id")]
        indexes = [
            models.Index(fields=["commitment", "position"], name="demo_commitmentline_pos_idx")
        ]


class ChangeOrderStatus(models.TextChoices):
    """Commitment change orders: open until decided, approved, or void (kept as history; Procore
    may unlink a void one, never a live one)."""

    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"
    VOID = "void", "Void"


class DemoChangeOrder(TenantRow):
    commitment = models.ForeignKey(
        DemoCommitment, on_delete=models.PROTECT, related_name="change_orders"
    )
    number = models.CharField(max_length=limits.CHANGE_ORDER_NUMBER)
    title = models.CharField(max_length=limits.CHANGE_ORDER_TITLE, blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=ChangeOrderStatus.choices, default=ChangeOrderStatus.APPROVED
    )

    class Meta:
        verbose_name = "commitment change order"
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "number"], name="demo_changeorder_unique_number"
            ),
            _tenant_unique("changeorder", "procore_id"),
        ]
        indexes = [_tenant_pk_index("changeorder")]

    def __str__(self) -> str:
        return f"CO {self.number} {self.title}"

    def clean(self) -> None:
        self._check_same_tenant(commitment=self.commitment if self.commitment_id else None)


class DemoChangeOrderLine(LineFields):
    change_order = models.ForeignKey(
        DemoChangeOrder, on_delete=models.CASCADE, related_name="lines"
    )
    commitment_line = models.ForeignKey(
        DemoCommitmentLine,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_order_lines",
        help_text="The commitment line this change adjusts, if any.",
    )

    class Meta:
        verbose_name = "change order line"
        constraints = [_tenant_unique("changeorderline", "procore_id")]
        indexes = [
            models.Index(fields=["change_order", "position"], name="demo_changeorderline_pos_idx")
        ]


# --- A job's cost structure -------------------------------------------------------------------
# A job is split into sub jobs (phases, floors); each job (or sub job) carries its own cost codes,
# taken from the standard list; each job cost code has the cost types it may be charged to; the
# budget sets an amount per job cost code and cost type; and accounting posts costs against the
# same pair. Posted costs are history: the pair they sit on cannot be deleted.


class DemoSubJob(TenantRow):
    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="sub_jobs")
    code = models.CharField(max_length=limits.SUB_JOB_CODE)
    name = models.CharField(max_length=limits.SUB_JOB_NAME)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "sub job"
        constraints = [
            models.UniqueConstraint(fields=["job", "code"], name="demo_subjob_unique_code"),
            _tenant_unique("subjob", "procore_id"),
        ]
        indexes = [_tenant_pk_index("subjob")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        self._check_same_tenant(job=self.job if self.job_id else None)


class DemoJobCostCode(TenantRow):
    """A standard cost code opened on a job, or on one of its sub jobs; ``procore_id`` is
    Procore's (project) cost code id. In Procore its ``origin_id`` is
    ``job_cost_code_origin_id(<job or sub job guid>, <standard cost code guid>)`` (base.py), as
    for every job cost code the adapter lists or links."""

    job = models.ForeignKey(DemoJob, on_delete=models.PROTECT, related_name="cost_codes")
    sub_job = models.ForeignKey(
        DemoSubJob, null=True, blank=True, on_delete=models.PROTECT, related_name="cost_codes"
    )
    cost_code = models.ForeignKey(DemoCostCode, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = "job cost code"
        constraints = [
            models.UniqueConstraint(
                fields=["job", "cost_code"],
                condition=models.Q(sub_job__isnull=True),
                name="demo_jobcostcode_unique_job_code",
            ),
            models.UniqueConstraint(
                fields=["sub_job", "cost_code"],
                condition=models.Q(sub_job__isnull=False),
                name="demo_jobcostcode_unique_sub_job_code",
            ),
            _tenant_unique("jobcostcode", "procore_id"),
        ]
        indexes = [_tenant_pk_index("jobcostcode")]

    def __str__(self) -> str:
        return f"{self.job.code} {self.cost_code.code}"

    @property
    def origin_id(self) -> str:
        """Procore's ``origin_id`` of this project cost code (loads the job or sub job and the
        standard cost code if they are not yet)."""
        holder = self.sub_job if self.sub_job_id else self.job
        return job_cost_code_origin_id(str(holder.guid), str(self.cost_code.guid))

    def clean(self) -> None:
        self._check_same_tenant(
            job=self.job if self.job_id else None,
            sub_job=self.sub_job if self.sub_job_id else None,
            cost_code=self.cost_code if self.cost_code_id else None,
        )
        if self.sub_job_id and self.job_id and self.sub_job.job_id != self.job_id:
            raise ValidationError({"sub_job": "This sub job belongs to another job."})


class DemoJobCostType(TenantRow):
    """A cost type assigned to a job cost code (Procore's line item type assignment, whose id is
    ``procore_id``). ``synced`` records that Procore was told the assignment is in the ERP."""

    job_cost_code = models.ForeignKey(
        DemoJobCostCode, on_delete=models.CASCADE, related_name="cost_types"
    )
    cost_type = models.ForeignKey(DemoCostType, on_delete=models.PROTECT, related_name="+")
    synced = models.BooleanField(default=False)

    class Meta:
        verbose_name = "job cost type"
        constraints = [
            models.UniqueConstraint(
                fields=["job_cost_code", "cost_type"], name="demo_jobcosttype_unique_pair"
            ),
            _tenant_unique("jobcosttype", "procore_id"),
        ]
        indexes = [_tenant_pk_index("jobcosttype")]

    def __str__(self) -> str:
        return f"{self.job_cost_code} {self.cost_type.code}"

    def clean(self) -> None:
        self._check_same_tenant(
            job_cost_code=self.job_cost_code if self.job_cost_code_id else None,
            cost_type=self.cost_type if self.cost_type_id else None,
        )


class DemoJobCost(TenantRow):
    """What accounting has posted on one job cost code and cost type. Protects its pair: a cost
    code or cost type assignment with costs on it cannot be deleted (the CASCADE from the job
    cost code stops here with a ProtectedError)."""

    assignment = models.OneToOneField(
        DemoJobCostType, on_delete=models.PROTECT, related_name="job_cost"
    )
    original_estimate = models.DecimalField(
        max_digits=limits.MONEY_DIGITS, decimal_places=2, default=0
    )
    estimate = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2, default=0)
    job_to_date_cost = models.DecimalField(
        max_digits=limits.MONEY_DIGITS, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = "posted job cost"
        constraints = [_tenant_unique("jobcost", "procore_id")]
        indexes = [
            _tenant_pk_index("jobcost"),
            models.Index(fields=["tenant", "updated_at"], name="demo_jobcost_tenant_upd_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.job_to_date_cost}"

    def clean(self) -> None:
        self._check_same_tenant(assignment=self.assignment if self.assignment_id else None)


class DemoBudget(TenantRow):
    """A job's budget: one per job. ``procore_id`` is Procore's budget id."""

    job = models.OneToOneField(DemoJob, on_delete=models.PROTECT, related_name="budget")

    class Meta:
        verbose_name = "budget"
        constraints = [_tenant_unique("budget", "procore_id")]
        indexes = [_tenant_pk_index("budget")]

    def __str__(self) -> str:
        return f"Budget {self.job.code}"

    def clean(self) -> None:
        self._check_same_tenant(job=self.job if self.job_id else None)


class DemoBudgetLine(TenantRow):
    """The amount budgeted on one job cost code and cost type; ``procore_id`` is Procore's ERP
    job cost id the budget's transactions point at."""

    budget = models.ForeignKey(DemoBudget, on_delete=models.CASCADE, related_name="lines")
    job_cost_code = models.ForeignKey(
        DemoJobCostCode, on_delete=models.PROTECT, related_name="budget_lines"
    )
    cost_type = models.ForeignKey(DemoCostType, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2, default=0)
    procore_budget_line_item_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "budget line"
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "job_cost_code", "cost_type"],
                name="demo_budgetline_unique_pair",
            ),
            _tenant_unique("budgetline", "procore_id"),
        ]
        indexes = [_tenant_pk_index("budgetline")]

    def __str__(self) -> str:
        return f"{self.job_cost_code} {self.cost_type.code}: {self.amount}"

    def clean(self) -> None:
        self._check_same_tenant(
            budget=self.budget if self.budget_id else None,
            job_cost_code=self.job_cost_code if self.job_cost_code_id else None,
            cost_type=self.cost_type if self.cost_type_id else None,
        )
        if (
            self.budget_id
            and self.job_cost_code_id
            and self.job_cost_code.job_id != self.budget.job_id
        ):
            raise ValidationError({"job_cost_code": "This cost code is on another job."})


class BudgetTransactionKind(models.TextChoices):
    ORIGINAL_ESTIMATE = "original_estimate", "Original estimate"
    MODIFICATION = "modification", "Budget modification"


class DemoBudgetTransaction(TenantRow):
    """One amount posted to a budget line; ``procore_id`` (Procore's transaction id) makes a
    re-export that resends a transaction post it once."""

    line = models.ForeignKey(DemoBudgetLine, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=20, choices=BudgetTransactionKind.choices)
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2)
    notes = models.CharField(max_length=limits.LINE_DESCRIPTION, blank=True)

    class Meta:
        verbose_name = "budget transaction"
        constraints = [_tenant_unique("budgettx", "procore_id")]
        indexes = [_tenant_pk_index("budgettx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


# --- Requisitions and payments (issue 11, "Requisitions" and "Payments") -----------------------
# A requisition is a subcontractor's invoice against a commitment: each line bills part of a
# commitment line (a contract item or one of its detail items) or of a change order line. The ERP
# never lets the lines billed on a commitment line, over every requisition that is not void, pass
# that line's amount. Payments are recorded against a requisition, by the ERP's accountant (and
# then synced to Procore) or exported from Procore.


class RequisitionItemKind(models.TextChoices):
    CONTRACT = "contract", "Contract item"
    CHANGE_ORDER = "change_order", "Change order item"
    DETAIL = "detail", "Contract detail item"


class DemoRequisition(TenantRow):
    commitment = models.ForeignKey(
        DemoCommitment, on_delete=models.PROTECT, related_name="requisitions"
    )
    number = models.CharField(max_length=limits.REQUISITION_NUMBER, help_text="Invoice number.")
    billing_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, default="Approved", help_text="Approved or Void.")

    class Meta:
        verbose_name = "requisition (subcontractor invoice)"
        constraints = [_tenant_unique("requisition", "procore_id")]
        indexes = [_tenant_pk_index("requisition")]

    def __str__(self) -> str:
        return f"Invoice {self.number}"

    @property
    def void(self) -> bool:
        return self.status.strip().lower() == "void"


class DemoRequisitionLine(TenantRow):
    requisition = models.ForeignKey(DemoRequisition, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=16, choices=RequisitionItemKind.choices)
    position = models.PositiveIntegerField(default=1)
    description = models.CharField(max_length=limits.LINE_DESCRIPTION, blank=True)
    commitment_line = models.ForeignKey(
        DemoCommitmentLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requisition_lines",
    )
    change_order_line = models.ForeignKey(
        DemoChangeOrderLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requisition_lines",
    )
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2)
    retainage = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2, default=0)

    class Meta:
        verbose_name = "requisition line"
        constraints = [_tenant_unique("requisitionline", "procore_id")]
        indexes = [
            models.Index(fields=["requisition", "position"], name="demo_requisitionline_pos_idx")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class DemoPayment(TenantRow):
    """A payment against a requisition. ``procore_id`` is the Procore contract payment it was
    exported from (none for a payment the accountant recorded in the ERP)."""

    requisition = models.ForeignKey(
        DemoRequisition, on_delete=models.PROTECT, related_name="payments"
    )
    number = models.CharField(
        max_length=limits.PAYMENT_NUMBER, blank=True, help_text="Payment number (given if blank)."
    )
    amount = models.DecimalField(max_digits=limits.MONEY_DIGITS, decimal_places=2)
    paid_on = models.DateField()
    check_number = models.CharField(max_length=limits.CHECK_NUMBER, blank=True)
    method = models.CharField(max_length=20, blank=True, help_text="check, ach, wire, card …")
    status = models.CharField(max_length=20, default="Posted", help_text="Posted or Void.")

    class Meta:
        verbose_name = "payment"
        constraints = [_tenant_unique("payment", "procore_id"), _tenant_unique("payment", "number")]
        indexes = [_tenant_pk_index("payment")]

    def __str__(self) -> str:
        return f"Payment {self.number}"

    @property
    def void(self) -> bool:
        return self.status.strip().lower() == "void"
