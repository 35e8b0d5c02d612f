"""A payment application and a company-level direct cost exported through each real-ERP adapter,
end to end over real HTTP against the local Procore sandbox: the sample SQL ERP (SQLite, the
layout of docs/adapters.md) and the sample file-exchange ERP (the CSV files of
``erp_adapters/files/samples``, with the demo's stand-in for the ERP's importer answering).

The project is one of the ERP's jobs, linked as a job import leaves it; the vendor and the cost
types carry the ERP's ids; everything else goes through the buttons and webhooks people use.
Once the ERP voids the direct cost, Procore's unlink is allowed and unsyncs it.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import Entity, standard_part_of_cost_code_origin_id
from integrations.models import ObjectLink
from procore_sandbox.models import ProcoreObject
from tests.flows import test_adapters_end_to_end as end_to_end
from tests.flows.conftest import detail_of
from tests.flows.test_adapters_end_to_end import SampleERP, _deliver_and_work, _linked_job

pytestmark = pytest.mark.django_db(transaction=True)
erp = end_to_end.erp  # the fixture: each sample ERP behind the sandbox company's connection


def _erp_books_in_procore(sample: SampleERP, sandbox_company, portal_company):
    """The ERP's first job as a synced project with every cost code its commitments use, the
    company's cost types and one vendor carrying the ERP's ids."""
    from procore_sandbox.services.objects import vendor_create

    commitment = sample.listed(Entity.COMMITMENTS)[0]
    job = next(
        j for j in sample.listed(Entity.JOBS) if j.origin_id == commitment.data["project_origin_id"]
    )
    standard = {c.origin_id: c for c in sample.listed(Entity.STANDARD_COST_CODES)}
    used = {
        standard_part_of_cost_code_origin_id(line.data["cost_code_origin_id"])
        for line in commitment.children
    }
    project = _linked_job(sandbox_company, portal_company, job, {i: standard[i] for i in used})
    for cost_type in sample.listed(Entity.STANDARD_CATEGORIES):
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type", data__code=cost_type.origin_code
        ).update(origin_id=cost_type.origin_id)
    erp_vendor = sample.listed(Entity.VENDORS)[0]
    vendor = vendor_create(company=sandbox_company, name=str(erp_vendor.data["name"]))
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=erp_vendor.origin_id)
    vendor.refresh_from_db()
    return job, project, vendor


def _export(obj: ProcoreObject, sample: SampleERP):
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj))
    _deliver_and_work()
    sample.answer()
    return request


def test_a_pay_application_and_a_direct_cost_exported_through_the_adapter(
    erp, provisioned, sandbox_company
):
    from procore_sandbox.services.payapps_direct_costs import (
        DirectCostLine,
        PayAppLine,
        direct_cost_create,
        payment_application_create,
    )

    job, project, vendor = _erp_books_in_procore(erp, sandbox_company, provisioned.company)

    # -- a pay application billed on the ERP's job ----------------------------------------------
    procore_pay_app = payment_application_create(
        project=project,
        invoice_number="41",
        period_start="2026-11-01",
        period_end="2026-11-30",
        lines=[
            PayAppLine("Sitework", "10000.00", "2500.00", retainage_percent="10"),
            PayAppLine("Concrete", "25000.10", "5000.05", retainage_percent="10"),
        ],
    )
    request = _export(procore_pay_app, erp)
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    procore_pay_app.refresh_from_db()
    assert procore_pay_app.origin_id
    lines = ProcoreObject.objects.filter(parent=procore_pay_app).order_by("id")
    assert all(line.origin_id for line in lines) and lines.count() == 2
    assert len({line.origin_id for line in lines} | {procore_pay_app.origin_id}) == 3
    standing = erp.adapter.payment_applications.standing(
        {"procore_id": procore_pay_app.id, "origin_id": procore_pay_app.origin_id}
    )
    assert standing.live
    assert standing.label == f"pay application 41 on job {job.origin_code}"
    link = ObjectLink.objects.get(company=provisioned.company, item_type="payment_application")
    assert (link.state, link.origin_id) == ("synced", procore_pay_app.origin_id)

    # -- a direct cost from the ERP's vendor, on the job's cost code ----------------------------
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    material = ProcoreObject.objects.get(
        company=sandbox_company, item_type="line_item_type", data__code="M"
    )
    procore_cost = direct_cost_create(
        company=sandbox_company,
        vendor=vendor,
        invoice_number="INV-5501",
        description="Temporary power",
        direct_cost_date="2026-11-20",
        lines=[
            DirectCostLine(code, material, "400.10", "Cable"),
            DirectCostLine(code, material, "99.90", "Breakers"),
        ],
    )
    request = _export(procore_cost, erp)
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id
    standing = erp.adapter.direct_costs.standing(
        {"procore_id": procore_cost.id, "origin_id": procore_cost.origin_id}
    )
    assert standing.live
    assert standing.label == f"invoice INV-5501 of {vendor.data['name']}"
    assert Decimal(procore_cost.data["line_item_total"]) == Decimal("500.00")

    # -- the accountant voids it in the ERP: Procore's unlink goes through, and a new export
    # enters a new one beside the void one --------------------------------------------------------
    from procore_sandbox.services.payapps_direct_costs import document_unlink

    unlink = document_unlink(obj=procore_cost)
    _deliver_and_work()
    detail = detail_of(unlink)
    assert detail.status == "failed"
    assert detail.messages[0].startswith("The invoice INV-5501 of ")
    assert "is still approved in the ERP, so it stays linked." in detail.messages[0]
    first = procore_cost.origin_id
    _void_in_erp(erp, first)
    unlink = document_unlink(obj=procore_cost)
    _deliver_and_work()
    assert detail_of(unlink).status == "success", detail_of(unlink).messages
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id is None
    request = _export(procore_cost, erp)
    assert detail_of(request).status == "success", detail_of(request).messages
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id not in (None, first)


def _void_in_erp(sample: SampleERP, origin_id: str) -> None:
    """The accountant voids the direct cost: a status column in the database, the status of
    its rows in the ERP's export file."""
    if sample.key == "sql":
        engine = create_engine(sample.settings["url"])
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE direct_costs SET status = 'Void' WHERE direct_cost_id = :id"),
                {"id": origin_id},
            )
        engine.dispose()
        return
    path = Path(sample.settings["import_folder"]) / "company_level_direct_costs.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = reader.fieldnames, list(reader)
    for row in rows:
        if row["erp_id"] == origin_id:
            row["status"] = "Void"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
