"""What the prime contract flows start from: a job in the demo ERP's books with its cost codes and
cost types, and the same job synced in Procore (the sandbox) with its project cost codes and
cost types carrying the ERP's ids, as a job import leaves them; a prime contract in the ERP, and
the same contract as Procore imported it. Shared by the end-to-end tests and the fixture walk."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from erp_adapters.base import job_cost_code_origin_id
from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoJob
from erp_adapters.demo.models.prime_contracts import DemoPrimeContract, DemoPrimeContractLine
from integrations.models import Connection, ItemType
from integrations.services.object_links import object_link_mark_synced
from procore_sandbox.models import Company, ProcoreObject

CODES = (("01-100", "General Conditions"), ("03-300", "Cast-in-Place Concrete"))


@dataclass
class Books:
    tenant: str
    job: DemoJob
    codes: dict[str, DemoCostCode]
    cost_types: dict[str, DemoCostType]
    project: ProcoreObject
    project_codes: dict[str, ProcoreObject]
    procore_types: dict[str, ProcoreObject]


def books_with_synced_job(
    connection: Connection,
    company: Company,
    *,
    job_code: str = "J-100",
    name: str = "Community Center",
    synced: bool = True,
) -> Books:
    """The ERP's job and lists; in Procore the project (synced unless told) with the ERP's cost
    codes, and Procore's own cost types O and L tied to the ERP's."""
    from procore_sandbox.services.objects import project_create

    tenant = connection.adapter_settings["tenant"]
    job = DemoJob.objects.create(tenant=tenant, code=job_code, name=name)
    codes = {
        code: DemoCostCode.objects.get_or_create(
            tenant=tenant, code=code, defaults={"name": label}
        )[0]
        for code, label in CODES
    }
    cost_types = {
        code: DemoCostType.objects.get_or_create(
            tenant=tenant, code=code, defaults={"name": label}
        )[0]
        for code, label in (("O", "Other"), ("L", "Labor"))
    }
    project = project_create(company=company, name=name, cost_codes=list(CODES))
    project_codes = {
        row.data["code"]: row
        for row in ProcoreObject.objects.filter(project=project, item_type="cost_code")
    }
    procore_types = {
        row.data["code"]: row
        for row in ProcoreObject.objects.filter(
            company=company, item_type="line_item_type", data__code__in=list(cost_types)
        )
    }
    for code, row in procore_types.items():
        ProcoreObject.objects.filter(pk=row.pk).update(origin_id=str(cost_types[code].guid))
    if synced:
        sync_project(connection, project, job, codes)
    for rows in (project_codes, procore_types):
        for row in rows.values():
            row.refresh_from_db()
    project.refresh_from_db()
    return Books(tenant, job, codes, cost_types, project, project_codes, procore_types)


def sync_project(
    connection: Connection, project: ProcoreObject, job: DemoJob, codes: dict[str, DemoCostCode]
) -> None:
    """The job as a job import leaves it: synced in Procore, its cost codes with ERP ids, and
    the portal's link saying so."""
    ProcoreObject.objects.filter(pk=project.pk).update(
        origin_id=str(job.guid), origin_code=job.code
    )
    for row in ProcoreObject.objects.filter(project=project, item_type="cost_code"):
        code = codes[row.data["code"]]
        ProcoreObject.objects.filter(pk=row.pk).update(
            origin_id=job_cost_code_origin_id(str(job.guid), str(code.guid))
        )
    object_link_mark_synced(
        company_pk=connection.company_id,
        item_type=ItemType.PROJECT,
        origin_id=str(job.guid),
        procore_id=project.id,
        origin_code=job.code,
    )


def erp_prime_contract(books: Books, *, number: str = "PC-1", amounts=("1000.00", "2500.50")):
    """The owner contract in the ERP, one line per cost code (cost type O)."""
    contract = DemoPrimeContract.objects.create(
        tenant=books.tenant, job=books.job, number=number, title="Owner contract"
    )
    for position, ((code, _), value) in enumerate(zip(CODES, amounts, strict=False), start=1):
        DemoPrimeContractLine.objects.create(
            tenant=books.tenant,
            prime_contract=contract,
            position=position,
            description=f"Owner line {position}",
            cost_code=books.codes[code],
            cost_type=books.cost_types["O"],
            amount=Decimal(value),
        )
    return contract


def imported_prime_contract(books: Books, contract: DemoPrimeContract) -> ProcoreObject:
    """The ERP's contract as Procore holds it after the approver imported it (with ERP ids)."""
    from procore_sandbox.services.prime_contracts import PrimeContractLine, prime_contract_create

    lines = list(contract.lines.order_by("position"))
    procore = prime_contract_create(
        company=books.project.company,
        project=books.project,
        title=contract.title,
        number=contract.number,
        lines=[
            PrimeContractLine(
                cost_code_id=books.project_codes[line.cost_code.code].id,
                line_item_type_id=books.procore_types[line.cost_type.code].id,
                amount=line.amount,
                description=line.description,
            )
            for line in lines
        ],
    )
    ProcoreObject.objects.filter(pk=procore.pk).update(
        origin_id=str(contract.guid), origin_code=contract.number
    )
    rows = ProcoreObject.objects.filter(parent=procore, item_type="line_item").order_by("id")
    for row, line in zip(rows, lines, strict=True):
        ProcoreObject.objects.filter(pk=row.pk).update(origin_id=str(line.guid))
    procore.refresh_from_db()
    return procore
