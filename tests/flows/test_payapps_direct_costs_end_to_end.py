"""Payment applications and company-level direct costs, end to end over real HTTP: a person in
Procore (the local sandbox) creates the document with its lines and sends it to the ERP, the
approver accepts, Procore delivers the webhook, the worker enters the whole document in the demo
ERP (or refuses it whole, naming the line), writes the ERP ids back and closes the Request
Detail; unlink asks the ERP first; a Super-User reset leaves the portal's links clean."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoDirectCost,
    DemoJob,
    DemoPaymentApplication,
    DemoVendor,
)
from integrations.models import ERPRequest, NotificationEvent, ObjectLink
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ErpRequest, ProcoreObject
from tests.flows.conftest import detail_of, tenant_of
from tests.flows.payapps_direct_costs_effects import synced_project


@dataclass(frozen=True)
class Books:
    """A synced job with cost code 01-100, a synced vendor and cost type Other, in both."""

    project: ProcoreObject
    job: DemoJob
    code: ProcoreObject
    other: ProcoreObject
    vendor: ProcoreObject


@dataclass(frozen=True)
class _Given:
    company: object
    tenant: str


def books(provisioned, sandbox_company) -> Books:
    from procore_sandbox.services.objects import vendor_create

    tenant = tenant_of(provisioned)
    project, job = synced_project(_Given(sandbox_company, tenant), "Harbor Tower", "J-100")
    general = DemoCostCode.objects.create(tenant=tenant, code="01-100", name="General")
    code = ProcoreObject.objects.get(project=project, item_type="cost_code")
    ProcoreObject.objects.filter(pk=code.pk).update(origin_id=f"{job.guid}|{general.guid}")
    other = ProcoreObject.objects.get(
        company=sandbox_company, item_type="line_item_type", data__code="O"
    )
    erp_other = DemoCostType.objects.create(tenant=tenant, code="O", name="Other")
    ProcoreObject.objects.filter(pk=other.pk).update(origin_id=str(erp_other.guid))
    erp_vendor = DemoVendor.objects.create(tenant=tenant, code="V-7", name="Bay Electric")
    vendor = vendor_create(company=sandbox_company, name="Bay Electric")
    ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=str(erp_vendor.guid))
    for row in (code, other, vendor):
        row.refresh_from_db()
    return Books(project, job, code, other, vendor)


def export(obj: ProcoreObject) -> ErpRequest:
    """Send to ERP, the approver accepts, Procore delivers the webhook."""
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=obj))
    assert deliveries_run_due() >= 1
    return request


def deliver(request: ErpRequest) -> ErpRequest:
    from procore_sandbox.services.delivery import deliveries_run_due

    assert deliveries_run_due() >= 1
    process_pending()
    return request


def pay_app(made: Books, *lines):
    from procore_sandbox.services.payapps_direct_costs import (
        PayAppLine,
        payment_application_create,
    )

    return payment_application_create(
        project=made.project,
        invoice_number="7",
        period_start="2026-11-01",
        period_end="2026-11-30",
        lines=[
            PayAppLine(description, scheduled, this_period, retainage_percent="10")
            for description, scheduled, this_period in lines
        ],
    )


def direct_cost(made: Books, *amounts, cost_type=None, invoice_number="INV-88"):
    from procore_sandbox.services.payapps_direct_costs import DirectCostLine, direct_cost_create

    return direct_cost_create(
        company=made.project.company,
        vendor=made.vendor,
        invoice_number=invoice_number,
        description="Temporary power",
        direct_cost_date="2026-11-20",
        lines=[
            DirectCostLine(made.code, cost_type or made.other, amount, f"Part {n}")
            for n, amount in enumerate(amounts, start=1)
        ],
    )


def test_a_pay_application_with_its_lines_is_entered_and_each_line_written_back(
    provisioned, sandbox_company
):
    made = books(provisioned, sandbox_company)
    procore_pay_app = pay_app(
        made,
        ("Sitework", "10000.00", "2500.00"),
        ("Concrete", "25000.10", "5000.05"),
        ("Electrical", "8000.00", "0.00"),
    )
    request = export(procore_pay_app)
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Entered in the ERP as pay application 7 with 3 lines."]
    row = DemoPaymentApplication.objects.get(procore_id=procore_pay_app.id)
    assert (row.job, row.number, row.status) == (made.job, "7", "approved")
    assert row.scheduled_value == Decimal("43000.10")
    assert row.completed_this_period == Decimal("7500.05")
    assert row.retainage_this_period == Decimal("750.00")  # 250.00 + 500.00 (rounded once)
    assert row.amount_due == Decimal("6750.05")
    procore_pay_app.refresh_from_db()
    assert procore_pay_app.origin_id == str(row.guid)
    lines = ProcoreObject.objects.filter(parent=procore_pay_app).order_by("id")
    erp_lines = {line.procore_id: line for line in row.lines.all()}
    assert [line.origin_id for line in lines] == [str(erp_lines[line.id].guid) for line in lines]
    link = ObjectLink.objects.get(company=provisioned.company, item_type="payment_application")
    assert (link.state, link.procore_id) == ("synced", procore_pay_app.id)


def test_a_direct_cost_is_entered_with_its_lines_on_the_job(provisioned, sandbox_company):
    made = books(provisioned, sandbox_company)
    procore_cost = direct_cost(made, "400.10", "99.90")
    request = export(procore_cost)
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    row = DemoDirectCost.objects.get(procore_id=procore_cost.id)
    assert (row.vendor.code, row.invoice_number, row.total) == ("V-7", "INV-88", Decimal("500.00"))
    assert [(line.job.code, line.cost_code.code, line.amount) for line in row.lines.all()] == [
        ("J-100", "01-100", Decimal("400.10")),
        ("J-100", "01-100", Decimal("99.90")),
    ]
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id == str(row.guid)


def test_one_bad_line_leaves_nothing_in_the_erp_and_names_the_line(provisioned, sandbox_company):
    made = books(provisioned, sandbox_company)
    unknown_type = ProcoreObject.objects.get(
        company=sandbox_company, item_type="line_item_type", data__code="L"
    )
    from procore_sandbox.services.payapps_direct_costs import DirectCostLine, direct_cost_create

    procore_cost = direct_cost_create(
        company=sandbox_company,
        vendor=made.vendor,
        invoice_number="INV-9",
        lines=[
            DirectCostLine(made.code, made.other, "10.00"),
            DirectCostLine(made.code, unknown_type, "20.00"),
        ],
    )
    request = export(procore_cost)
    over_billed = pay_app(made, ("Sitework", "1000.00", "400.00"), ("Roofing", "500.00", "600.00"))
    second = export(over_billed)
    process_pending()

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == ["Line 2: its cost type (none) is not in the ERP."]
    assert not DemoDirectCost.objects.exists()
    detail = detail_of(second)
    assert detail.status == "failed"
    assert detail.messages == [
        "Line 2 'Roofing': billed to date 600.00 is more than its scheduled value 500.00; "
        "the ERP refuses over-billing."
    ]
    assert not DemoPaymentApplication.objects.exists()
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id is None


def test_delivered_twice_or_retried_after_a_crash_it_is_entered_once(provisioned, sandbox_company):
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.knobs import knob_set

    made = books(provisioned, sandbox_company)
    knob_set(name="webhook_duplicate_share", value=1.0)
    request = export(pay_app(made, ("Sitework", "100.00", "50.00")))
    deliveries_run_due()
    process_pending()
    process_pending()
    assert NotificationEvent.objects.filter(resource_id=request.id).count() == 1
    assert DemoPaymentApplication.objects.count() == 1
    assert detail_of(request).status == "success"

    # A worker entered the direct cost in the ERP, then died before telling Procore.
    procore_cost = direct_cost(made, "75.00")
    request = export(procore_cost)
    with ProcoreClient(provisioned) as client:
        fetched = client.get_erp_request(request.id)
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)
    adapter.direct_costs.create(fetched.request_data)
    process_pending()

    assert DemoDirectCost.objects.filter(procore_id=procore_cost.id).count() == 1
    detail = detail_of(request)
    assert detail.status == "success"
    assert detail.messages[0].startswith("Already in the ERP as direct cost INV-88")
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id == str(DemoDirectCost.objects.get().guid)


def test_unlink_is_refused_while_live_and_done_once_void(provisioned, sandbox_company):
    from procore_sandbox.services.payapps_direct_costs import document_unlink

    made = books(provisioned, sandbox_company)
    procore_pay_app = pay_app(made, ("Sitework", "100.00", "50.00"))
    export(procore_pay_app)
    process_pending()
    procore_pay_app.refresh_from_db()
    row = DemoPaymentApplication.objects.get()

    request = deliver(document_unlink(obj=procore_pay_app))
    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == [
        "The pay application 7 on job J-100 is still approved in the ERP, so it stays linked. "
        "Void or delete it in the ERP first, then unlink it again."
    ]
    procore_pay_app.refresh_from_db()
    assert procore_pay_app.origin_id == str(row.guid)

    DemoPaymentApplication.objects.filter(pk=row.pk).update(status="void")  # the accountant
    request = deliver(document_unlink(obj=procore_pay_app))
    assert detail_of(request).status == "success"
    procore_pay_app.refresh_from_db()
    assert procore_pay_app.origin_id is None
    lines = ProcoreObject.objects.filter(parent=procore_pay_app)
    assert set(lines.values_list("origin_id", flat=True)) == {None}
    link = ObjectLink.objects.get(company=provisioned.company, item_type="payment_application")
    assert (link.state, link.procore_id) == ("pending", None)

    # Exported again, it is a new pay application: the void one stays void, as history.
    request = export(procore_pay_app)
    process_pending()
    assert detail_of(request).status == "success"
    assert sorted(DemoPaymentApplication.objects.values_list("status", flat=True)) == [
        "approved",
        "void",
    ]


def test_unlink_of_a_direct_cost_deleted_in_the_erp(provisioned, sandbox_company):
    from procore_sandbox.services.payapps_direct_costs import document_unlink

    made = books(provisioned, sandbox_company)
    procore_cost = direct_cost(made, "12.00")
    export(procore_cost)
    process_pending()
    DemoDirectCost.objects.all().delete()  # the accountant deleted it
    procore_cost.refresh_from_db()

    request = deliver(document_unlink(obj=procore_cost))
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id is None


def test_super_user_reset_cleans_the_portal_links_and_a_re_export_finds_the_erp_copy(
    provisioned, sandbox_company
):
    from procore_sandbox.services.payapps_direct_costs import direct_cost_reset

    made = books(provisioned, sandbox_company)
    procore_cost = direct_cost(made, "12.00")
    export(procore_cost)
    process_pending()
    procore_cost.refresh_from_db()
    guid = procore_cost.origin_id

    reset = deliver(direct_cost_reset(direct_cost=procore_cost))
    ours = ERPRequest.objects.get(procore_request_id=reset.id)
    assert ours.state == "succeeded", ours.last_error
    link = ObjectLink.objects.get(
        company=provisioned.company, item_type="company_level_direct_cost"
    )
    assert (link.origin_id, link.state, link.procore_id) == (guid, "pending", None)
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id is None

    request = export(procore_cost)
    process_pending()
    assert detail_of(request).messages[0].startswith("Already in the ERP")
    procore_cost.refresh_from_db()
    assert procore_cost.origin_id == guid and DemoDirectCost.objects.count() == 1
