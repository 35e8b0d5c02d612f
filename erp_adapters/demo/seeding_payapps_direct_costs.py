"""Seeding the demo books with owner billing and direct costs: on each job, the pay application
the accountant already billed to the owner (approved), and on the first job one vendor invoice
entered directly in the ERP, its lines on the job's cost codes. Entered in the ERP (no Procore
id), so the admin shows what the books hold beside what Procore exports; seeded ids are stable,
so seeding again adds nothing."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from erp_adapters.demo import limits
from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoDirectCost,
    DemoDirectCostLine,
    DemoJob,
    DemoPaymentApplication,
    DemoPaymentApplicationLine,
    DemoVendor,
    DocumentStatus,
)
from erp_adapters.demo.seeded_ids import seeded_guid
from erp_adapters.money import to_erp, total

PAY_APP_LINES = ("General Conditions", "Sitework", "Concrete")


def seed_payapps_direct_costs(tenant: str, jobs: list[DemoJob], seed: int) -> None:

    rng = random.Random(f"{seed}/owner-billing")
    for job in jobs:
        if DemoPaymentApplication.objects.filter(job=job, number="1").exists():
            continue
        scheduled = [Decimal(rng.randint(200, 2000) * 100) for _ in PAY_APP_LINES]
        billed = [to_erp(value * Decimal(rng.randint(5, 30)) / 100) for value in scheduled]
        retained = [to_erp(value / 10) for value in billed]
        with transaction.atomic():
            pay_app = DemoPaymentApplication.objects.create(
                tenant=tenant,
                guid=seeded_guid(tenant, "payment_application", f"{job.code}/1"),
                job=job,
                contract_name=f"Prime contract - {job.name}"[: limits.CONTRACT_NAME],
                number="1",
                status=DocumentStatus.APPROVED,
                scheduled_value=total(scheduled),
                completed_this_period=total(billed),
                retainage_this_period=total(retained),
                amount_due=total(billed) - total(retained),
            )
            DemoPaymentApplicationLine.objects.bulk_create(
                DemoPaymentApplicationLine(
                    tenant=tenant,
                    guid=seeded_guid(tenant, "payment_application_line", f"{pay_app.guid}/{n}"),
                    payment_application=pay_app,
                    position=n,
                    description=description,
                    scheduled_value=scheduled[n - 1],
                    completed_this_period=billed[n - 1],
                    completed_to_date=billed[n - 1],
                    retainage_this_period=retained[n - 1],
                )
                for n, description in enumerate(PAY_APP_LINES, start=1)
            )
    _seed_direct_cost(tenant, jobs[:1], rng)


def _seed_direct_cost(tenant: str, jobs: list[DemoJob], rng: random.Random) -> None:

    vendor = DemoVendor.objects.filter(tenant=tenant, is_active=True).order_by("code").first()
    codes = list(
        DemoCostCode.objects.filter(tenant=tenant, children__isnull=True)
        .exclude(parent=None)
        .order_by("code")[:2]
    )
    cost_type = DemoCostType.objects.filter(tenant=tenant, code="M").first()
    if not (jobs and vendor and codes and cost_type):
        return
    job = jobs[0]
    guid = seeded_guid(tenant, "direct_cost", f"{job.code}/DC-1")
    if DemoDirectCost.objects.filter(guid=guid).exists():
        return
    amounts = [Decimal(rng.randint(5_000, 90_000)) / 100 for _ in codes]
    with transaction.atomic():
        direct_cost = DemoDirectCost.objects.create(
            tenant=tenant,
            guid=guid,
            vendor=vendor,
            invoice_number=f"{job.code}-DC-1",
            description=f"Materials delivered to {job.name}",
            status=DocumentStatus.APPROVED,
            total=total(amounts),
        )
        DemoDirectCostLine.objects.bulk_create(
            DemoDirectCostLine(
                tenant=tenant,
                guid=seeded_guid(tenant, "direct_cost_line", f"{guid}/{n}"),
                direct_cost=direct_cost,
                position=n,
                description=code.name[: limits.LINE_DESCRIPTION],
                job=job,
                cost_code=code,
                cost_type=cost_type,
                quantity=Decimal(1),
                unit_cost=amount,
                uom="LS",
                amount=amount,
            )
            for n, (code, amount) in enumerate(zip(codes, amounts, strict=True), start=1)
        )
