"""The request-fixture walk's BEFORE and EFFECTS for payment applications and company-level direct
costs.

Each BEFORE builds what the fixture's data names, in Procore (the sandbox) and in the ERP (the demo
books), and points the data's ids at it, keeping the dictionary's shape; each EFFECT checks what
the events dictionary requires (the document and its lines in the ERP, its ERP ids in Procore,
unsynced once the ERP voided or deleted it) and what the portal's links say.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoDirectCost,
    DemoJob,
    DemoPaymentApplication,
    DemoVendor,
)
from integrations.models import ERPRequest, ObjectLink
from procore_sandbox.models import ProcoreObject


def synced_project(given: Any, name: str, code: str) -> tuple[ProcoreObject, DemoJob]:
    """A project in Procore synced with a job in the ERP (its ERP code is ``code``)."""
    from procore_sandbox.services.objects import project_create

    project = project_create(company=given.company, name=name, cost_codes=[("01-100", "General")])
    job = DemoJob.objects.create(tenant=given.tenant, code=code, name=name, procore_id=project.id)
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id=str(job.guid), origin_code=code)
    project.refresh_from_db()
    return project, job


def _link(given: Any, item_type: str, origin_id: str, procore_id: int) -> None:
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type=item_type,
        origin_id=origin_id,
        procore_id=procore_id,
        state="synced",
        content_hash="h",
    )


# -- Payment applications ----------------------------------------------------------------------


def _procore_pay_app(given: Any, data: dict, origin_id: str | None = None) -> ProcoreObject:
    """The pay application and its lines as Procore objects, the data pointed at them."""
    project, _job = synced_project(given, "Test Project", "01-001")
    pay_app = ProcoreObject.objects.create(
        company=given.company,
        item_type="payment_application",
        project=project,
        origin_id=origin_id,
        data={"invoice_number": "123"},
    )
    data["payment_application"]["id"] = pay_app.id
    for item in data["payment_application"]["items"]:
        line = ProcoreObject.objects.create(
            company=given.company,
            item_type="payment_application_line_item",
            project=project,
            parent=pay_app,
            data={},
        )
        item["id"] = line.id
    return pay_app


def before_create_payment_application(given: Any, data: dict) -> None:
    """Job 01-001 'Test Project' is in the ERP and synced; the pay application is not."""
    _procore_pay_app(given, data)


def created_payment_application(given: Any, ours: ERPRequest, data: dict) -> None:
    """Entered with its line; Procore holds the ERP ids of both; the portal links it."""
    pay_app = data["payment_application"]
    row = DemoPaymentApplication.objects.get(tenant=given.tenant, procore_id=pay_app["id"])
    assert (row.job.code, row.number, row.status) == ("01-001", "123", "approved")
    assert row.prime_contract_ref == "22"
    (line,) = row.lines.all()
    assert (line.description, line.scheduled_value) == ("General Conditions", Decimal("500.00"))
    assert line.contract_line_ref == "origin_id"
    assert ProcoreObject.objects.get(id=pay_app["id"]).origin_id == str(row.guid)
    item_id = pay_app["items"][0]["id"]
    assert ProcoreObject.objects.get(id=item_id).origin_id == str(line.guid)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="payment_application")
    assert (link.state, link.procore_id) == ("synced", pay_app["id"])


def before_unlink_payment_application(given: Any, data: dict) -> None:
    """The pay application was exported, then voided by the accountant in the ERP."""
    pay_app = _procore_pay_app(given, data)
    job = DemoJob.objects.get(tenant=given.tenant, code="01-001")
    row = DemoPaymentApplication.objects.create(
        tenant=given.tenant, job=job, number="123", procore_id=pay_app.id, status="void"
    )
    ProcoreObject.objects.filter(pk=pay_app.pk).update(origin_id=str(row.guid))
    data["payment_application"]["origin_id"] = str(row.guid)
    _link(given, "payment_application", str(row.guid), pay_app.id)


def unlinked_payment_application(given: Any, ours: ERPRequest, data: dict) -> None:
    """Unsynced in Procore; the void pay application stays in the ERP, without its Procore id."""
    pay_app = data["payment_application"]
    assert ProcoreObject.objects.get(id=pay_app["id"]).origin_id is None
    row = DemoPaymentApplication.objects.get(tenant=given.tenant)
    assert (row.status, row.procore_id) == ("void", None)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="payment_application")
    assert (link.state, link.procore_id) == ("pending", None)


# -- Company-level direct costs ----------------------------------------------------------------


def before_create_company_level_direct_cost(given: Any, data: dict) -> None:
    """The vendor, job, cost code 01-100 and a cost type are in the ERP and synced."""
    from procore_sandbox.services.objects import vendor_create

    direct_cost = data["direct_cost"]
    project, job = synced_project(given, "Test Project", "J-86")
    vendor = DemoVendor.objects.create(tenant=given.tenant, code="V-00001", name="Test Vendor")
    code = DemoCostCode.objects.create(tenant=given.tenant, code="01-100", name="General")
    cost_type = DemoCostType.objects.create(tenant=given.tenant, code="O", name="Other")
    procore_vendor = vendor_create(company=given.company, name="Test Vendor")
    ProcoreObject.objects.filter(pk=procore_vendor.pk).update(origin_id=str(vendor.guid))
    procore_cost = ProcoreObject.objects.create(
        company=given.company, item_type="company_level_direct_cost", data={}
    )
    direct_cost["id"] = str(procore_cost.id)
    direct_cost["vendor"].update(id=str(procore_vendor.id), origin_id=str(vendor.guid))
    direct_cost["projects"][0]["id"] = project.id
    for line in direct_cost["line_items"]:
        line["project"]["id"] = str(project.id)
        line.update(
            job_origin_id=str(job.guid),
            cost_code_origin_id=f"{job.guid}|{code.guid}",
            line_item_type_origin_id=str(cost_type.guid),
        )


def created_company_level_direct_cost(given: Any, ours: ERPRequest, data: dict) -> None:
    """Entered with its line on job J-86, 01-100, Other; Procore holds its ERP id."""
    direct_cost = data["direct_cost"]
    row = DemoDirectCost.objects.get(tenant=given.tenant, procore_id=int(direct_cost["id"]))
    assert (row.kind, row.invoice_number, row.vendor.code) == ("invoice", "INV-001", "V-00001")
    assert row.total == Decimal("1000.00")
    (line,) = row.lines.all()
    assert (line.job.code, line.cost_code.code, line.cost_type.code) == ("J-86", "01-100", "O")
    assert ProcoreObject.objects.get(id=int(direct_cost["id"])).origin_id == str(row.guid)
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="company_level_direct_cost"
    )
    assert (link.state, link.origin_id) == ("synced", str(row.guid))


def before_unlink_company_level_direct_cost(given: Any, data: dict) -> None:
    """The direct cost is synced in Procore, but the accountant deleted it in the ERP."""
    procore_cost = ProcoreObject.objects.create(
        company=given.company,
        item_type="company_level_direct_cost",
        origin_id=data["direct_cost"]["origin_id"],
        data={},
    )
    data["direct_cost"]["id"] = str(procore_cost.id)


def unlinked_company_level_direct_cost(given: Any, ours: ERPRequest, data: dict) -> None:
    assert ProcoreObject.objects.get(id=int(data["direct_cost"]["id"])).origin_id is None
    assert "no longer in the ERP" in ours.details.get().messages[0]


def before_reset_company_level_direct_cost(given: Any, data: dict) -> None:
    """The portal had linked the direct cost; Procore has just reset it."""
    _link(given, "company_level_direct_cost", data["origin_id"], int(data["direct_cost"]["id"]))


def reset_company_level_direct_cost(given: Any, ours: ERPRequest, data: dict) -> None:
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="company_level_direct_cost"
    )
    assert (link.origin_id, link.state, link.procore_id) == (data["origin_id"], "pending", None)


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "create_payment_application": before_create_payment_application,
    "unlink_payment_application": before_unlink_payment_application,
    "create_company_level_direct_cost": before_create_company_level_direct_cost,
    "unlink_company_level_direct_cost": before_unlink_company_level_direct_cost,
    "reset_company_level_direct_cost": before_reset_company_level_direct_cost,
}

EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "create_payment_application": created_payment_application,
    "unlink_payment_application": unlinked_payment_application,
    "create_company_level_direct_cost": created_company_level_direct_cost,
    "unlink_company_level_direct_cost": unlinked_company_level_direct_cost,
    "reset_company_level_direct_cost": reset_company_level_direct_cost,
}
