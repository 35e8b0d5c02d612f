"""Seeding the demo books' owner side: one prime contract per demo job, its lines on cost codes
and cost types the job holds (so Procore can import it as is), and nothing twice."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db import transaction

from erp_adapters.demo.models import DemoJob, DemoJobCostType
from erp_adapters.demo.models.prime_contracts import DemoPrimeContract, DemoPrimeContractLine
from erp_adapters.demo.seeded_ids import seeded_guid

LINES_PER_CONTRACT = 4


def seed_prime_contracts(tenant: str, jobs: list[DemoJob], seed: int) -> None:
    """``PC-001`` on each job (its owner contract), with a line for each of a few of the job's
    own cost codes, on a cost type assigned to it; guids derive from the tenant and job, so a
    re-seed finds what it made."""

    rng = random.Random(f"{seed}/prime_contracts")
    for job in jobs:
        assignments = list(
            DemoJobCostType.objects.filter(
                tenant=tenant, job_cost_code__job=job, job_cost_code__sub_job__isnull=True
            )
            .select_related("job_cost_code__cost_code", "cost_type")
            .order_by("job_cost_code__cost_code__code", "cost_type__code")
        )
        by_code = {}
        for assignment in assignments:
            by_code.setdefault(assignment.job_cost_code.cost_code_id, assignment)
        chosen = list(by_code.values())[:LINES_PER_CONTRACT]
        if not chosen:
            continue
        with transaction.atomic():
            contract, created = DemoPrimeContract.objects.get_or_create(
                tenant=tenant,
                job=job,
                number="PC-001",
                defaults={
                    "guid": seeded_guid(tenant, "prime_contract", job.code),
                    "title": f"Owner contract - {job.name}"[:60],
                    "description": f"Prime contract with the owner of {job.name}.",
                    "executed": True,
                    "retainage_percent": Decimal("5.00"),
                    "contract_start_date": job.start_date,
                    "estimated_completion_date": job.completion_date,
                },
            )
            if not created:
                continue
            DemoPrimeContractLine.objects.bulk_create(
                DemoPrimeContractLine(
                    tenant=tenant,
                    guid=seeded_guid(tenant, "prime_contract_line", f"{contract.guid}/{pos}"),
                    prime_contract=contract,
                    position=pos,
                    description=assignment.job_cost_code.cost_code.name[:60],
                    cost_code=assignment.job_cost_code.cost_code,
                    cost_type=assignment.cost_type,
                    amount=Decimal(rng.randint(250, 5000) * 1000),
                )
                for pos, assignment in enumerate(chosen, start=1)
            )
