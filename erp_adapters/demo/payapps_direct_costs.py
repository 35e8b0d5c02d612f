"""The demo ERP's doors for payment applications and company-level direct costs: the rules an
accountant would apply before entering one (in their words), the idempotent create of a whole
document, and the unlink check.

Whole or nothing: the header and every line are written in one savepoint after every line was
checked, so a refused line leaves nothing behind. Once per Procore id: ``DemoEntity.create``
finds the document already created for a re-delivered export. A void document stays void: an
export of a Procore document whose ERP copy is void is refused until Procore unlinks it, and an
unlink of a void document lets go of the Procore id, so the next export creates a new document
beside the void one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction

from erp_adapters.base import (
    ConstraintViolation,
    CreateResult,
    DirectCostExport,
    DocumentRef,
    DocumentStanding,
    DocumentState,
    Entity,
    ExternalLink,
    PaymentApplicationExport,
)
from erp_adapters.billing_documents import PAY_APP_AMOUNTS
from erp_adapters.demo import limits
from erp_adapters.demo.checks import Lookup, Problems, as_dict, as_int, parse_guid, text
from erp_adapters.demo.entity import DemoEntity
from erp_adapters.demo.models import DemoJob
from erp_adapters.demo.models.payapps_direct_costs import (
    DemoDirectCost,
    DemoDirectCostLine,
    DemoPaymentApplication,
    DemoPaymentApplicationLine,
    DirectCostKind,
    DocumentStatus,
)
from erp_adapters.money import NotAnAmount, amount, shown, to_erp, total

PAYMENT_APPLICATION = "payment_application"
PAYMENT_APPLICATION_LINE_ITEM = "payment_application_line_item"
COMPANY_LEVEL_DIRECT_COST = "company_level_direct_cost"
_LARGEST = Decimal(10) ** 12
# Vendor invoices need the vendor they pay; an expense or payroll cost may have none.
_NEEDS_VENDOR = {DirectCostKind.INVOICE, DirectCostKind.SUBCONTRACTOR_INVOICE}


def _amount(problems: Problems, value: Any, label: str) -> Decimal:
    """The amount, or zero after saying why it is not one."""
    try:
        number = amount(value, field=label)
    except NotAnAmount as exc:
        problems.append(str(exc))
        return Decimal(0)
    if abs(number) >= _LARGEST:
        problems.append(f"{label} is larger than the ERP allows.")
        return Decimal(0)
    return number


def _date(value: Any) -> str | None:
    """``YYYY-MM-DD`` from a date or timestamp, or None."""
    value = text(value)[:10]
    return value or None


def _procore_status(value: Any) -> str:
    """A document approved in Procore is posted approved; anything else is entered open."""
    return DocumentStatus.APPROVED if text(value).lower() == "approved" else DocumentStatus.OPEN


class _Documents(DemoEntity):
    """What payment applications and direct costs share: refuse a void copy, unlink."""

    noun = "document"

    def label(self, row: Any) -> str:
        raise NotImplementedError

    def check_create(self, payload: Any) -> list[str]:
        with self.reachable():
            existing = self.existing(as_int(self.header(payload).get("id")))
            if existing is not None:
                return self.void_refusal(existing)
            return list(self.rules(payload))

    def void_refusal(self, row: Any) -> list[str]:
        if row.status != DocumentStatus.VOID:
            return []
        return [
            f"{self.label(row).capitalize()} is void in the ERP, and a void {self.noun} cannot "
            "be brought back. Unlink it in Procore, then export it again to enter a new one."
        ]

    def create(self, payload: Any) -> CreateResult:
        with self.reachable():
            existing = self.existing(as_int(self.header(payload).get("id")))
            if existing is not None and self.void_refusal(existing):
                raise ConstraintViolation(self.void_refusal(existing))
        return super().create(payload)

    def standing(self, ref: DocumentRef) -> DocumentStanding:
        with self.reachable():
            document = as_dict(ref)
            rows = self.model.objects.filter(tenant=self.tenant)
            guid = parse_guid(document.get("origin_id"))
            procore_id = as_int(document.get("procore_id"))
            row = rows.filter(guid=guid).first() if guid is not None else None
            if row is None and procore_id is not None:
                row = rows.filter(procore_id=procore_id).first()
            if row is None:
                code = text(document.get("origin_code")) or text(document.get("origin_id"))
                return DocumentStanding(DocumentState.GONE, f"{self.noun} {code}".strip())
            if row.status == DocumentStatus.VOID and row.procore_id is not None:
                with transaction.atomic():
                    row.lines.update(procore_id=None)
                    row.procore_id = None
                    row.save(update_fields=["procore_id", "updated_at"])
            return DocumentStanding(DocumentState(row.status), self.label(row))


# -- Payment applications ------------------------------------------------------------------------


def _job_of_pay_app(tenant: str, pay_app: dict[str, Any]) -> DemoJob | None:
    """The payload names the job only by Procore's project number and name: the job whose ERP
    code is the project number (a synced project shows its ERP job code), else the one job of
    that name."""
    summary = as_dict(pay_app.get("summary"))
    jobs = DemoJob.objects.filter(tenant=tenant)
    number = text(summary.get("project_number"))
    if number:
        found = jobs.filter(code=number).first()
        if found is not None:
            return found
    name = text(summary.get("project_name")) or text(summary.get("contract_for"))
    if name:
        named = list(jobs.filter(name__iexact=name)[:2])
        if len(named) == 1:
            return named[0]
    return None


def _pay_app_number(pay_app: dict[str, Any]) -> str:
    summary = as_dict(pay_app.get("summary"))
    return text(pay_app.get("invoice_number")) or text(summary.get("application_number"))


def _pay_app_line_label(item: dict[str, Any], index: int) -> str:
    number = as_int(item.get("item_number")) or index
    description = text(item.get("description_override")) or text(item.get("description_of_work"))
    return f"Line {number} '{description}'" if description else f"Line {number}"


def _pay_app_line_amounts(problems: Problems, item: dict[str, Any], label: str) -> dict:
    return {
        key: _amount(problems, item.get(key), f"{label} {words}")
        for key, words in PAY_APP_AMOUNTS.items()
    }


def check_payment_application(tenant: str, payload: PaymentApplicationExport) -> Problems:
    problems = Problems()
    pay_app = as_dict(as_dict(payload).get("payment_application"))
    if not pay_app:
        problems.append("The export carries no payment application.")
        return problems
    summary = as_dict(pay_app.get("summary"))
    job = _job_of_pay_app(tenant, pay_app)
    if job is None:
        project = " ".join(
            filter(None, (text(summary.get("project_number")), text(summary.get("project_name"))))
        )
        problems.append(
            f"Job '{project or '(none)'}' is not in the ERP; export the project first (its "
            "project number must be the ERP job code)."
        )
    elif not job.is_active:
        problems.append(f"Job {job.code} is closed in the ERP; it takes no more billing.")
    number = _pay_app_number(pay_app)
    problems.missing("Pay application number", number)
    problems.too_long(f"Pay application number '{number}'", number, limits.PAY_APP_NUMBER)
    if job is not None and number:
        taken = (
            DemoPaymentApplication.objects.filter(job=job, number=number)
            .exclude(status=DocumentStatus.VOID)
            .exclude(procore_id=as_int(pay_app.get("id")))
        )
        if taken.exists():
            problems.append(
                f"Pay application {number} already exists on job {job.code} in the ERP."
            )
    items = [as_dict(item) for item in pay_app.get("items") or []]
    if not items:
        problems.append("The payment application has no line items; the ERP needs at least one.")
    for index, item in enumerate(items, start=1):
        label = _pay_app_line_label(item, index)
        problems.too_long(
            f"{label} description", text(item.get("description_of_work")), limits.LINE_DESCRIPTION
        )
        values = _pay_app_line_amounts(problems, item, label)
        scheduled = values["scheduled_value"]
        to_date = values["total_completed_and_stored_to_date"] or (
            values["work_completed_from_previous_application"]
            + values["work_completed_this_period"]
            + values["materials_presently_stored"]
        )
        if scheduled >= 0 and to_date > scheduled:
            problems.append(
                f"{label}: billed to date {shown(to_date)} is more than its scheduled value "
                f"{shown(scheduled)}; the ERP refuses over-billing."
            )
    return problems


class PaymentApplications(_Documents):
    """Pay applications to the owner (``create_payment_application``)."""

    entity = Entity.PAYMENT_APPLICATIONS
    model = DemoPaymentApplication
    payload_key = "payment_application"
    what = "payment application"
    noun = "pay application"

    def label(self, row: DemoPaymentApplication) -> str:
        return f"pay application {row.number} on job {row.job.code}"

    def list(self):
        return iter(())  # exported from Procore only; nothing to import

    def rules(self, payload: PaymentApplicationExport) -> Problems:
        return check_payment_application(self.tenant, payload)

    def build(self, payload: PaymentApplicationExport, procore_id: int) -> DemoPaymentApplication:
        pay_app = self.header(payload)
        items = [as_dict(item) for item in pay_app.get("items") or []]
        ignored = Problems()  # checked already: these amounts read
        lines = []
        for index, item in enumerate(items, start=1):
            values = _pay_app_line_amounts(ignored, item, "")
            this_period = (
                values["work_completed_this_period"] + values["materials_presently_stored"]
            )
            to_date = values["total_completed_and_stored_to_date"] or (
                values["work_completed_from_previous_application"] + this_period
            )
            retainage = (
                values["work_completed_retainage_retained_this_period"]
                + values["materials_stored_retainage_retained_this_period"]
            )
            lines.append(
                DemoPaymentApplicationLine(
                    tenant=self.tenant,
                    procore_id=as_int(item.get("id")),
                    position=as_int(item.get("item_number")) or index,
                    description=text(item.get("description_override"))
                    or text(item.get("description_of_work")),
                    contract_line_ref=text(item.get("origin_id")),
                    scheduled_value=to_erp(values["scheduled_value"]),
                    previously_completed=to_erp(values["work_completed_from_previous_application"]),
                    completed_this_period=to_erp(values["work_completed_this_period"]),
                    materials_stored=to_erp(values["materials_presently_stored"]),
                    completed_to_date=to_erp(to_date),
                    retainage_this_period=to_erp(retainage),
                )
            )
        holders = {text(item.get("holder_id")) for item in items} - {""}
        billed = total(line.completed_this_period + line.materials_stored for line in lines)
        retained = total(line.retainage_this_period for line in lines)
        header = DemoPaymentApplication.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            job=_job_of_pay_app(self.tenant, pay_app),
            prime_contract_ref=", ".join(sorted(holders)),
            contract_name=text(pay_app.get("contract_name"))[: limits.CONTRACT_NAME],
            number=_pay_app_number(pay_app),
            billing_date=_date(pay_app.get("billing_date")),
            period_start=_date(pay_app.get("period_start")),
            period_end=_date(pay_app.get("period_end")),
            status=_procore_status(pay_app.get("status")),
            scheduled_value=total(line.scheduled_value for line in lines),
            completed_this_period=billed,
            retainage_this_period=retained,
            amount_due=billed - retained,
        )
        for line in lines:
            line.payment_application = header
        DemoPaymentApplicationLine.objects.bulk_create(lines)
        return header

    def result(self, row: DemoPaymentApplication, *, created: bool) -> CreateResult:
        header = ExternalLink(PAYMENT_APPLICATION, row.procore_id, str(row.guid))
        lines = tuple(
            ExternalLink(PAYMENT_APPLICATION_LINE_ITEM, line.procore_id, str(line.guid))
            for line in row.lines.order_by("position", "id")
            if line.procore_id is not None
        )
        return CreateResult(str(row.guid), row.number, created, (header, *lines))


# -- Company-level direct costs ------------------------------------------------------------------


def _kind(value: Any) -> str | None:
    kind = text(value).lower() or DirectCostKind.INVOICE
    return kind if kind in DirectCostKind.values else None


def _direct_cost_line_refs(lookup: Lookup, line: dict[str, Any]) -> tuple[Any, Any, Any]:
    project = as_dict(line.get("project"))
    job = lookup.job(line.get("job_origin_id"), {"id": project.get("id")})
    wbs = as_dict(line.get("wbs_code"))
    cost_code = lookup.cost_code(
        {"origin_id": line.get("cost_code_origin_id"), "full_code": wbs.get("flat_code")}
    )
    cost_type = lookup.cost_type(
        {"origin_id": line.get("line_item_type_origin_id"), "id": line.get("line_item_type_id")}
    )
    return job, cost_code, cost_type


def _vendor_name(vendor: dict[str, Any]) -> str:
    return text(vendor.get("name")) or text(vendor.get("company")) or "(unnamed)"


def check_direct_cost(tenant: str, payload: DirectCostExport) -> Problems:
    problems = Problems()
    direct_cost = as_dict(as_dict(payload).get("direct_cost"))
    if not direct_cost:
        problems.append("The export carries no direct cost.")
        return problems
    lookup = Lookup(tenant)
    kind = _kind(direct_cost.get("direct_cost_type"))
    if kind is None:
        problems.append(
            f"Direct cost type '{text(direct_cost.get('direct_cost_type'))}' is not one the ERP "
            "knows (invoice, expense, payroll, subcontractor invoice)."
        )
    vendor_ref = as_dict(direct_cost.get("vendor"))
    vendor = lookup.vendor(vendor_ref) if vendor_ref else None
    if vendor_ref and vendor is None:
        problems.append(
            f"Vendor '{_vendor_name(vendor_ref)}' is not in the ERP; export the vendor first."
        )
    elif vendor is not None and not vendor.is_active:
        problems.append(f"Vendor {vendor.code} '{vendor.name}' is inactive in the ERP.")
    elif not vendor_ref and kind in _NEEDS_VENDOR:
        problems.append("The invoice has no vendor; the ERP requires one.")
    invoice_number = text(direct_cost.get("invoice_number"))
    problems.too_long(f"Invoice number '{invoice_number}'", invoice_number, limits.INVOICE_NUMBER)
    if vendor is not None and invoice_number:
        taken = (
            DemoDirectCost.objects.filter(vendor=vendor, invoice_number=invoice_number)
            .exclude(status=DocumentStatus.VOID)
            .exclude(procore_id=as_int(direct_cost.get("id")))
        )
        if taken.exists():
            problems.append(
                f"Invoice {invoice_number} of vendor '{vendor.name}' is already in the ERP."
            )
    lines = [as_dict(line) for line in direct_cost.get("line_items") or []]
    if not lines:
        problems.append("The direct cost has no line items; the ERP needs at least one.")
    amounts = []
    for index, line in enumerate(lines, start=1):
        label = f"Line {as_int(line.get('position')) or index}"
        problems.too_long(
            f"{label} description", text(line.get("description")), limits.LINE_DESCRIPTION
        )
        amounts.append(to_erp(_amount(problems, line.get("total_amount"), f"{label} amount")))
        _amount(problems, line.get("quantity"), f"{label} quantity")
        _amount(problems, line.get("unit_cost"), f"{label} unit cost")
        job, cost_code, cost_type = _direct_cost_line_refs(lookup, line)
        project = as_dict(line.get("project"))
        if job is None:
            name = text(project.get("name")) or text(line.get("job_origin_id")) or "(none)"
            problems.append(f"{label}: job '{name}' is not in the ERP; export the project first.")
        elif not job.is_active:
            problems.append(
                f"{label}: job {job.code} is closed in the ERP; it takes no more costs."
            )
        if cost_code is None:
            wbs = as_dict(line.get("wbs_code"))
            code = text(wbs.get("flat_code")) or text(line.get("cost_code_origin_id")) or "(none)"
            problems.append(f"{label}: cost code {code} is not in the ERP's cost code list.")
        if cost_type is None:
            problems.append(
                f"{label}: its cost type ({text(line.get('line_item_type_origin_id')) or 'none'})"
                " is not in the ERP."
            )
    stated = direct_cost.get("line_item_total")
    if lines and stated not in (None, "") and len(problems) == 0:
        expected = to_erp(_amount(problems, stated, "The direct cost's total"))
        if total(amounts) != expected:
            problems.append(
                f"The lines add up to {shown(total(amounts))} but the direct cost's total is "
                f"{shown(expected)}; the ERP needs them to agree."
            )
    return problems


class DirectCosts(_Documents):
    """Company-level direct costs (``create_company_level_direct_cost``)."""

    entity = Entity.COMPANY_LEVEL_DIRECT_COSTS
    model = DemoDirectCost
    payload_key = "direct_cost"
    what = "direct cost"
    noun = "direct cost"

    def label(self, row: DemoDirectCost) -> str:
        kind = row.get_kind_display().lower()
        if row.invoice_number and row.vendor_id:
            return f"{kind} {row.invoice_number} of {row.vendor.name}"
        return f"{kind} {row.invoice_number or row.guid}"

    def list(self):
        return iter(())  # exported from Procore only; nothing to import

    def rules(self, payload: DirectCostExport) -> Problems:
        return check_direct_cost(self.tenant, payload)

    def build(self, payload: DirectCostExport, procore_id: int) -> DemoDirectCost:
        direct_cost = self.header(payload)
        lookup = Lookup(self.tenant)
        ignored = Problems()  # checked already: these amounts read
        vendor_ref = as_dict(direct_cost.get("vendor"))
        lines = []
        for index, line in enumerate(map(as_dict, direct_cost.get("line_items") or []), start=1):
            job, cost_code, cost_type = _direct_cost_line_refs(lookup, line)
            quantity = _amount(ignored, line.get("quantity"), "")
            unit_cost = _amount(ignored, line.get("unit_cost"), "")
            lines.append(
                DemoDirectCostLine(
                    tenant=self.tenant,
                    procore_id=as_int(line.get("id")),
                    position=as_int(line.get("position")) or index,
                    description=text(line.get("description")),
                    job=job,
                    cost_code=cost_code,
                    cost_type=cost_type,
                    quantity=quantity.quantize(Decimal("0.0001")),
                    unit_cost=unit_cost.quantize(Decimal("0.0001")),
                    uom=text(as_dict(line.get("uom")).get("name"))[: limits.UOM],
                    amount=to_erp(_amount(ignored, line.get("total_amount"), "")),
                )
            )
        header = DemoDirectCost.objects.create(
            tenant=self.tenant,
            procore_id=procore_id,
            vendor=lookup.vendor(vendor_ref) if vendor_ref else None,
            kind=_kind(direct_cost.get("direct_cost_type")),
            invoice_number=text(direct_cost.get("invoice_number")),
            description=text(direct_cost.get("description")),
            direct_cost_date=_date(direct_cost.get("direct_cost_date")),
            accounting_date=_date(direct_cost.get("accounting_date")),
            status=_procore_status(direct_cost.get("status")),
            total=total(line.amount for line in lines),
        )
        for line in lines:
            line.direct_cost = header
        DemoDirectCostLine.objects.bulk_create(lines)
        return header

    def result(self, row: DemoDirectCost, *, created: bool) -> CreateResult:
        header = ExternalLink(COMPANY_LEVEL_DIRECT_COST, row.procore_id, str(row.guid))
        code = row.invoice_number or str(row.guid)
        return CreateResult(str(row.guid), code, created, (header,))


def voided(rows: Any) -> int:
    """Void documents in the ERP (the accountant's action; used by the admin and tests)."""
    return rows.exclude(status=DocumentStatus.VOID).update(status=DocumentStatus.VOID)
