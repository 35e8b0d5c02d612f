"""The demo adapter in the contract suite: the books go into the demo's tables, one tenant
per factory call."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from erp_adapters.base import Adapter, Entity
from erp_adapters.demo.models import (
    CommitmentStatus,
    DemoChangeOrder,
    DemoChangeOrderLine,
    DemoCommitment,
    DemoCommitmentLine,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoJobCostCode,
    DemoJobCostType,
    DemoVendor,
)
from erp_adapters.demo.models.payapps_direct_costs import (
    DemoDirectCost,
    DemoDirectCostLine,
    DemoPaymentApplication,
    DemoPaymentApplicationLine,
    DocumentStatus,
)
from erp_adapters.registry import get_adapter
from tests.erp_adapters.contract.books import Books, LineRow
from tests.erp_adapters.contract.erp import ContractERP

_tenants = itertools.count(1)


def _guid(origin_id: str) -> uuid.UUID:
    return uuid.UUID(origin_id)


def _line_fields(tenant: str, line: LineRow, codes: dict, types: dict) -> dict[str, Any]:
    """What every demo document line holds of a line of the books."""
    return {
        "tenant": tenant,
        "guid": _guid(line.origin_id),
        "position": line.position,
        "description": line.description,
        "cost_code": codes[line.cost_code_origin_id],
        "cost_type": types[line.cost_type_origin_id],
        "amount": line.amount,
    }


def seed_demo_tables(tenant: str, books: Books) -> None:
    DemoVendor.objects.bulk_create(
        DemoVendor(
            tenant=tenant,
            guid=_guid(v.origin_id),
            code=v.code,
            name=v.name,
            city=v.city,
            state_code=v.state_code,
            email_address=v.email_address,
        )
        for v in books.vendors
    )
    codes: dict[str, DemoCostCode] = {}
    pending = list(books.cost_codes)
    while pending:  # parents first, whatever the order of the books
        ready = [c for c in pending if not c.parent_origin_id or c.parent_origin_id in codes]
        for c in ready:
            codes[c.origin_id] = DemoCostCode.objects.create(
                tenant=tenant,
                guid=_guid(c.origin_id),
                code=c.code,
                name=c.name,
                parent=codes.get(c.parent_origin_id) if c.parent_origin_id else None,
            )
            pending.remove(c)
    types = {
        t.origin_id: DemoCostType.objects.create(
            tenant=tenant, guid=_guid(t.origin_id), code=t.code, name=t.name
        )
        for t in books.cost_types
    }
    jobs = {
        j.origin_id: DemoJob.objects.create(
            tenant=tenant,
            guid=_guid(j.origin_id),
            code=j.code,
            name=j.name,
            city=j.city,
            state_code=j.state_code,
        )
        for j in books.jobs
    }
    # The demo ERP posts a commitment line to a cost code open on its job, with a cost type
    # assigned there: the books' jobs have every cost code open, with every cost type.
    for job in jobs.values():
        for code in codes.values():
            opened = DemoJobCostCode.objects.create(tenant=tenant, job=job, cost_code=code)
            DemoJobCostType.objects.bulk_create(
                DemoJobCostType(tenant=tenant, job_cost_code=opened, cost_type=cost_type)
                for cost_type in types.values()
            )
    vendors = {str(v.guid): v for v in DemoVendor.objects.filter(tenant=tenant)}
    commitment_lines: dict[str, DemoCommitmentLine] = {}
    commitments: dict[str, DemoCommitment] = {}
    for c in books.commitments:
        header = commitments[c.origin_id] = DemoCommitment.objects.create(
            tenant=tenant,
            guid=_guid(c.origin_id),
            kind=c.kind,
            number=c.number,
            title=c.title,
            job=jobs[c.job_origin_id],
            vendor=vendors[c.vendor_origin_id],
            **({"status": CommitmentStatus.VOID} if c.void else {}),
        )
        for line in c.lines:
            commitment_lines[line.origin_id] = DemoCommitmentLine.objects.create(
                commitment=header,
                **_line_fields(tenant, line, codes, types),
            )
    for co in books.change_orders:
        header = DemoChangeOrder.objects.create(
            tenant=tenant,
            guid=_guid(co.origin_id),
            commitment=commitments[co.commitment_origin_id],
            number=co.number,
            title=co.title,
        )
        for line in co.lines:
            DemoChangeOrderLine.objects.create(
                change_order=header,
                **_line_fields(tenant, line, codes, types),
                commitment_line=commitment_lines.get(line.commitment_line_origin_id or ""),
            )


def open_job_cost_structure(tenant: str) -> None:
    """Every job has opened every cost code with every cost type, as exporting its project
    from Procore would: the demo ERP posts a change order line only to what its job has."""
    cost_types = list(DemoCostType.objects.filter(tenant=tenant))
    for job in DemoJob.objects.filter(tenant=tenant):
        for code in DemoCostCode.objects.filter(tenant=tenant):
            opened, _ = DemoJobCostCode.objects.get_or_create(
                tenant=tenant, job=job, cost_code=code, sub_job=None
            )
            for cost_type in cost_types:
                DemoJobCostType.objects.get_or_create(
                    tenant=tenant, job_cost_code=opened, cost_type=cost_type
                )


class DemoContractERP(ContractERP):
    def __init__(self, tenant: str) -> None:
        super().__init__(get_adapter("demo", {"tenant": tenant, "page_size": 2}))
        self.tenant = tenant

    def unavailable(self) -> Adapter:
        return get_adapter("demo", {"tenant": self.tenant, "offline": True})

    def void(self, entity: Entity, origin_id: str) -> None:
        if entity in (Entity.PAYMENT_APPLICATIONS, Entity.COMPANY_LEVEL_DIRECT_COSTS):
            self.void_billing(entity, origin_id)
            return
        from erp_adapters.demo.models.prime_contracts import DemoPrimeContractChangeOrder
        from erp_adapters.demo.models.prime_contracts import DocumentStatus as PrimeStatus

        assert entity is Entity.PRIME_CONTRACT_CHANGE_ORDERS, entity
        DemoPrimeContractChangeOrder.objects.filter(tenant=self.tenant, guid=origin_id).update(
            status=PrimeStatus.VOID
        )

    # -- Payment applications and company-level direct costs --------------------------------------

    def booked(self, entity: Entity, origin_id: str) -> tuple[Decimal, list[Decimal]]:
        if entity is Entity.PAYMENT_APPLICATIONS:
            pay_app = DemoPaymentApplication.objects.get(tenant=self.tenant, guid=origin_id)
            lines = pay_app.lines.order_by("position", "id")
            return pay_app.completed_this_period, [
                line.completed_this_period + line.materials_stored for line in lines
            ]
        direct_cost = DemoDirectCost.objects.get(tenant=self.tenant, guid=origin_id)
        lines = direct_cost.lines.order_by("position", "id")
        return direct_cost.total, [line.amount for line in lines]

    def void_billing(self, entity: Entity, origin_id: str) -> None:
        model = DemoPaymentApplication if entity is Entity.PAYMENT_APPLICATIONS else DemoDirectCost
        model.objects.filter(tenant=self.tenant, guid=origin_id).update(status=DocumentStatus.VOID)


@pytest.fixture
def demo_contract_factory(db) -> Callable[[Books], ContractERP]:
    def make(books: Books) -> ContractERP:
        tenant = f"contract-{next(_tenants)}"
        seed_demo_tables(tenant, books)
        seed_demo_job_structure(tenant, books)
        open_job_cost_structure(tenant)
        seed_demo_prime_contracts(tenant, books)
        seed_demo_requisitions(tenant, books)
        seed_demo_billing(tenant, books)
        return DemoContractERP(tenant)

    return make


def seed_demo_prime_contracts(tenant: str, books: Books) -> None:
    """The books' owner contracts and their lines in the demo's tables."""
    from erp_adapters.demo.models.prime_contracts import (
        DemoPrimeContract,
        DemoPrimeContractLine,
        DocumentStatus,
    )

    jobs = {str(j.guid): j for j in DemoJob.objects.filter(tenant=tenant)}
    codes = {str(c.guid): c for c in DemoCostCode.objects.filter(tenant=tenant)}
    types = {str(t.guid): t for t in DemoCostType.objects.filter(tenant=tenant)}
    for pc in books.prime_contracts:
        header = DemoPrimeContract.objects.create(
            tenant=tenant,
            guid=_guid(pc.origin_id),
            job=jobs[pc.job_origin_id],
            number=pc.number,
            title=pc.title,
            **({"status": DocumentStatus.VOID} if pc.void else {}),
        )
        DemoPrimeContractLine.objects.bulk_create(
            DemoPrimeContractLine(
                prime_contract=header,
                **_line_fields(tenant, line, codes, types),
            )
            for line in pc.lines
        )


# -- Requisitions and payments (issue 13) -------------------------------------------------------


def seed_demo_requisitions(tenant: str, books: Books) -> None:
    """The books' invoices (each line on its commitment or change order line) and payments."""
    import datetime

    from erp_adapters.demo.models import (
        DemoPayment,
        DemoRequisition,
        DemoRequisitionLine,
        RequisitionItemKind,
    )

    requisitions: dict[str, DemoRequisition] = {}
    for r in books.requisitions:
        header = requisitions[r.origin_id] = DemoRequisition.objects.create(
            tenant=tenant,
            guid=_guid(r.origin_id),
            procore_id=r.procore_id,
            commitment=DemoCommitment.objects.get(
                tenant=tenant, guid=_guid(r.commitment_origin_id)
            ),
            number=r.number,
            billing_date=datetime.date.fromisoformat(r.billing_date),
            status=r.status or "Approved",
        )
        for line in r.lines:
            change = line.change_order_line_origin_id
            DemoRequisitionLine.objects.create(
                tenant=tenant,
                guid=_guid(line.origin_id),
                requisition=header,
                procore_id=line.procore_id,
                kind=RequisitionItemKind.CHANGE_ORDER if change else RequisitionItemKind.CONTRACT,
                position=line.position,
                description=line.description,
                commitment_line=None
                if change
                else DemoCommitmentLine.objects.get(
                    tenant=tenant, guid=_guid(line.commitment_line_origin_id or "")
                ),
                change_order_line=DemoChangeOrderLine.objects.get(tenant=tenant, guid=_guid(change))
                if change
                else None,
                amount=line.amount,
            )
    for p in books.payments:
        DemoPayment.objects.create(
            tenant=tenant,
            guid=_guid(p.origin_id),
            requisition=requisitions[p.requisition_origin_id],
            procore_id=p.procore_id,
            number=p.number,
            amount=p.amount,
            paid_on=datetime.date.fromisoformat(p.paid_on),
            check_number=p.check_number,
            method=p.method,
            status=p.status or "Posted",
        )


def seed_demo_billing(tenant: str, books: Books) -> None:
    """The books' pay applications and direct costs, one line each."""
    statuses = {"approved": DocumentStatus.APPROVED, "void": DocumentStatus.VOID}
    jobs = {str(j.guid): j for j in DemoJob.objects.filter(tenant=tenant)}
    vendors = {str(v.guid): v for v in DemoVendor.objects.filter(tenant=tenant)}
    cost_code = DemoCostCode.objects.filter(tenant=tenant).order_by("code").first()
    cost_type = DemoCostType.objects.filter(tenant=tenant).order_by("code").first()
    for row in books.pay_apps:
        pay_app = DemoPaymentApplication.objects.create(
            tenant=tenant,
            guid=_guid(row.origin_id),
            job=jobs[row.job_origin_id],
            number=row.number,
            status=statuses.get(row.status.lower(), DocumentStatus.OPEN),
            completed_this_period=row.amount,
        )
        DemoPaymentApplicationLine.objects.create(
            tenant=tenant,
            guid=_guid(row.line_origin_id),
            payment_application=pay_app,
            completed_this_period=row.amount,
            scheduled_value=row.amount,
        )
    for row in books.direct_costs:
        direct_cost = DemoDirectCost.objects.create(
            tenant=tenant,
            guid=_guid(row.origin_id),
            vendor=vendors.get(row.vendor_origin_id or ""),
            kind=row.kind,
            invoice_number=row.number,
            status=statuses.get(row.status.lower(), DocumentStatus.OPEN),
            total=row.amount,
        )
        DemoDirectCostLine.objects.create(
            tenant=tenant,
            guid=_guid(row.line_origin_id),
            direct_cost=direct_cost,
            job=jobs[row.job_origin_id],
            cost_code=cost_code,
            cost_type=cost_type,
            amount=row.amount,
        )


# -- Sub jobs and job costs ------------------------------------------------------------------------


def seed_demo_job_structure(tenant: str, books: Books) -> None:
    """The books' sub jobs, their cost codes and cost types, and the job costs on every pair
    (the jobs' own cost codes are already open, every cost type assigned)."""
    from erp_adapters.demo.models import DemoJobCost, DemoSubJob

    jobs = {str(j.guid): j for j in DemoJob.objects.filter(tenant=tenant)}
    codes = {str(c.guid): c for c in DemoCostCode.objects.filter(tenant=tenant)}
    types = {str(t.guid): t for t in DemoCostType.objects.filter(tenant=tenant)}
    sub_jobs = {
        s.origin_id: DemoSubJob.objects.create(
            tenant=tenant,
            guid=_guid(s.origin_id),
            job=jobs[s.job_origin_id],
            code=s.code,
            name=s.name,
        )
        for s in books.sub_jobs
    }
    for entry in books.job_costs:
        sub_job = sub_jobs.get(entry.sub_job_origin_id or "")
        opened, _ = DemoJobCostCode.objects.get_or_create(
            tenant=tenant,
            job=jobs[entry.job_origin_id],
            sub_job=sub_job,
            cost_code=codes[entry.cost_code_origin_id],
        )
        assignment, _ = DemoJobCostType.objects.get_or_create(
            tenant=tenant, job_cost_code=opened, cost_type=types[entry.cost_type_origin_id]
        )
        if entry.amounts is not None:
            original, estimate, to_date = entry.amounts
            DemoJobCost.objects.create(
                tenant=tenant,
                assignment=assignment,
                original_estimate=original,
                estimate=estimate,
                job_to_date_cost=to_date,
            )
