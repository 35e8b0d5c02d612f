"""Seeding the demo ERP's invoice history: on each seeded subcontract, an invoice (requisition)
billing part of every line, with retainage, and a payment against it, so the books look used
and the invoice and payment screens have something to show. Idempotent (an invoice is seeded
once per subcontract, keyed by its seeded ERP id) and deterministic per seed."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction

from erp_adapters import money
from erp_adapters.demo.models import (
    CommitmentKind,
    DemoCommitment,
    DemoPayment,
    DemoRequisition,
    DemoRequisitionLine,
    RequisitionItemKind,
)

# The seeded invoices' billing date; payments follow a few weeks later.
BILLED_ON = datetime.date(2026, 10, 31)


def seed_requisitions(tenant: str, seed: int, *, guid) -> int:
    """One invoice with a payment per seeded subcontract that has none yet; returns how many
    invoices were added. ``guid`` is the seeding module's ``seeded_guid``."""
    rng = random.Random(f"{seed}/requisitions")
    added = 0
    subcontracts = DemoCommitment.objects.filter(
        tenant=tenant, kind=CommitmentKind.SUBCONTRACT, procore_id__isnull=True
    ).order_by("id")
    for commitment in subcontracts:
        invoice_guid = guid(tenant, "requisition", f"{commitment.guid}/1")
        if DemoRequisition.objects.filter(guid=invoice_guid).exists():
            continue
        share = Decimal(rng.randint(20, 60)) / 100
        retainage_rate = (commitment.retainage_percent or Decimal(0)) / 100
        with transaction.atomic():
            invoice = DemoRequisition.objects.create(
                tenant=tenant,
                guid=invoice_guid,
                commitment=commitment,
                number=f"{commitment.number}-01",
                billing_date=BILLED_ON,
            )
            lines = [
                DemoRequisitionLine(
                    tenant=tenant,
                    guid=guid(tenant, "requisition_line", f"{invoice_guid}/{line.position}"),
                    requisition=invoice,
                    kind=RequisitionItemKind.CONTRACT,
                    position=line.position,
                    description=line.description,
                    commitment_line=line,
                    amount=money.to_erp(line.amount * share),
                    retainage=money.to_erp(line.amount * share * retainage_rate),
                )
                for line in commitment.lines.order_by("position")
            ]
            DemoRequisitionLine.objects.bulk_create(lines)
            billed = money.total(line.amount - line.retainage for line in lines)
            DemoPayment.objects.create(
                tenant=tenant,
                guid=guid(tenant, "payment", f"{invoice_guid}/1"),
                requisition=invoice,
                number=f"CHK-{commitment.job.code}-{commitment.number}"[:20],
                amount=billed,
                paid_on=BILLED_ON + datetime.timedelta(days=rng.randint(14, 30)),
                check_number=str(rng.randint(10000, 99999)),
                method="check",
            )
        added += 1
    return added
