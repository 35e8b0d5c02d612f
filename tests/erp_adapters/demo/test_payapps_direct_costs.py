"""The demo ERP's payment applications and company-level direct costs: the rules an accountant
would apply (each refusal names the line and says why), a whole document or nothing, once per
Procore id, and what an unlink may do to a live, a void or a deleted document."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from erp_adapters.base import ConstraintViolation, DocumentState
from erp_adapters.demo.models import (
    DemoCostCode,
    DemoCostType,
    DemoDirectCost,
    DemoDirectCostLine,
    DemoJob,
    DemoPaymentApplication,
    DemoVendor,
)
from erp_adapters.registry import get_adapter

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "flows" / "fixtures" / "erp_requests"
TENANT = "billing"


def fixture(name: str) -> dict:
    return copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text())["request_data"])


@pytest.fixture
def adapter():
    return get_adapter("demo", {"tenant": TENANT})


@pytest.fixture
def books():
    job = DemoJob.objects.create(tenant=TENANT, code="01-001", name="Test Project")
    return {
        "job": job,
        "vendor": DemoVendor.objects.create(tenant=TENANT, code="V-1", name="Test Vendor"),
        "code": DemoCostCode.objects.create(tenant=TENANT, code="01-100", name="General"),
        "type": DemoCostType.objects.create(tenant=TENANT, code="O", name="Other"),
    }


def pay_app_export(*lines: tuple[str, object, object]) -> dict:
    """The dictionary's pay application with ``lines`` of (description, scheduled, to date)."""
    data = fixture("create_payment_application")
    template = data["payment_application"]["items"][0]
    items = []
    for n, (description, scheduled, to_date) in enumerate(lines, start=1):
        item = copy.deepcopy(template)
        item.update(
            id=100 + n,
            item_number=n,
            description_of_work=description,
            scheduled_value=scheduled,
            work_completed_this_period=to_date,
            total_completed_and_stored_to_date=to_date,
        )
        items.append(item)
    data["payment_application"]["items"] = items
    return data


def direct_cost_export(books: dict, *amounts: str, total: str | None = None) -> dict:
    data = fixture("create_company_level_direct_cost")
    direct_cost = data["direct_cost"]
    direct_cost["vendor"]["origin_id"] = str(books["vendor"].guid)
    template = direct_cost["line_items"][0]
    lines = []
    for n, amount in enumerate(amounts, start=1):
        line = copy.deepcopy(template)
        line.update(
            id=str(400 + n),
            position=n,
            total_amount=amount,
            job_origin_id=str(books["job"].guid),
            cost_code_origin_id=f"{books['job'].guid}|{books['code'].guid}",
            line_item_type_origin_id=str(books["type"].guid),
        )
        lines.append(line)
    direct_cost["line_items"] = lines
    direct_cost["line_item_total"] = total or str(sum(Decimal(a) for a in amounts))
    return data


# -- payment applications ----------------------------------------------------------------------


def test_a_pay_application_is_entered_on_the_job_its_project_number_names(adapter, books):
    data = pay_app_export(("Sitework", 1000, 250.1), ("Concrete", "2000.00", "0.10"))
    result = adapter.payment_applications.create(data)
    row = DemoPaymentApplication.objects.get()
    assert (row.job, row.number, row.status) == (books["job"], "123", "approved")
    assert row.completed_this_period == Decimal("250.20")  # 250.1 read exactly, never a float
    assert [link.item_type for link in result.links] == [
        "payment_application",
        "payment_application_line_item",
        "payment_application_line_item",
    ]
    again = adapter.payment_applications.create(data)
    assert (again.created, again.origin_id) == (False, result.origin_id)
    assert DemoPaymentApplication.objects.count() == 1


def test_pay_application_refusals_name_the_job_and_the_line(adapter, books):
    data = pay_app_export(("Sitework", 1000, 250), ("Roofing", 500, 600))
    data["payment_application"]["summary"].update(project_number="99-999", project_name="Other")
    problems = adapter.payment_applications.check_create(data)
    assert problems == [
        "Job '99-999 Other' is not in the ERP; export the project first (its project number "
        "must be the ERP job code).",
        "Line 2 'Roofing': billed to date 600.00 is more than its scheduled value 500.00; "
        "the ERP refuses over-billing.",
    ]
    with pytest.raises(ConstraintViolation):
        adapter.payment_applications.create(data)
    assert not DemoPaymentApplication.objects.exists()


def test_a_closed_job_takes_no_more_billing(adapter, books):
    DemoJob.objects.filter(pk=books["job"].pk).update(is_active=False)
    problems = adapter.payment_applications.check_create(pay_app_export(("Sitework", 10, 1)))
    assert problems == ["Job 01-001 is closed in the ERP; it takes no more billing."]


def test_unlink_of_a_live_void_or_deleted_pay_application(adapter, books):
    data = pay_app_export(("Sitework", 10, 1))
    result = adapter.payment_applications.create(data)
    ref = {"procore_id": data["payment_application"]["id"], "origin_id": result.origin_id}
    state = adapter.payment_applications.standing(ref)
    assert (state.state, state.unlinkable) == (DocumentState.APPROVED, False)
    assert state.label == "pay application 123 on job 01-001"

    DemoPaymentApplication.objects.update(status="void")
    with pytest.raises(ConstraintViolation, match="a void pay application cannot be brought"):
        adapter.payment_applications.create(data)
    assert adapter.payment_applications.standing(ref).state is DocumentState.VOID
    assert DemoPaymentApplication.objects.get().procore_id is None  # history, untied
    assert adapter.payment_applications.create(data).created  # a new one; the void one stays

    DemoPaymentApplication.objects.all().delete()
    state = adapter.payment_applications.standing(ref)
    assert (state.state, state.unlinkable) == (DocumentState.GONE, True)


# -- company-level direct costs ----------------------------------------------------------------


def test_a_direct_cost_is_entered_whole_with_each_line_on_its_job(adapter, books):
    data = direct_cost_export(books, "1000.00", "0.30")
    result = adapter.direct_costs.create(data)
    row = DemoDirectCost.objects.get()
    assert (row.vendor, row.invoice_number, row.total) == (
        books["vendor"],
        "INV-001",
        Decimal("1000.30"),
    )
    assert [link.item_type for link in result.links] == ["company_level_direct_cost"]
    assert DemoDirectCostLine.objects.filter(job=books["job"]).count() == 2
    assert not adapter.direct_costs.create(data).created


def test_direct_cost_refusals_an_accountant_understands(adapter, books):
    data = direct_cost_export(books, "10.00", "20.00")
    data["direct_cost"]["vendor"] = {"id": "9", "name": "Stranger Supply", "origin_id": None}
    second = data["direct_cost"]["line_items"][1]
    second.update(job_origin_id="nope", cost_code_origin_id="x", line_item_type_origin_id="y")
    second["project"] = {"id": "77", "name": "Unknown Project"}
    second["wbs_code"]["flat_code"] = "99-999"
    problems = adapter.direct_costs.check_create(data)
    assert problems == [
        "Vendor 'Stranger Supply' is not in the ERP; export the vendor first.",
        "Line 2: job 'Unknown Project' is not in the ERP; export the project first.",
        "Line 2: cost code 99-999 is not in the ERP's cost code list.",
        "Line 2: its cost type (y) is not in the ERP.",
    ]
    with pytest.raises(ConstraintViolation):
        adapter.direct_costs.create(data)
    assert not DemoDirectCost.objects.exists() and not DemoDirectCostLine.objects.exists()


def test_lines_that_do_not_add_up_to_the_total_are_refused(adapter, books):
    data = direct_cost_export(books, "10.00", "20.00", total="31.00")
    assert adapter.direct_costs.check_create(data) == [
        "The lines add up to 30.00 but the direct cost's total is 31.00; the ERP needs them "
        "to agree."
    ]


def test_the_same_invoice_of_a_vendor_is_not_entered_twice(adapter, books):
    adapter.direct_costs.create(direct_cost_export(books, "10.00"))
    other = direct_cost_export(books, "10.00")
    other["direct_cost"]["id"] = "10000002"
    assert adapter.direct_costs.check_create(other) == [
        "Invoice INV-001 of vendor 'Test Vendor' is already in the ERP."
    ]


def test_a_direct_cost_still_open_in_the_erp_is_not_unlinked(adapter, books):
    data = direct_cost_export(books, "10.00")
    data["direct_cost"]["status"] = "pending"
    result = adapter.direct_costs.create(data)
    state = adapter.direct_costs.standing({"procore_id": 10000001, "origin_id": result.origin_id})
    assert (state.state, state.unlinkable) == (DocumentState.OPEN, False)
    assert state.label == "invoice INV-001 of Test Vendor"


def test_seeding_bills_each_job_once_and_enters_one_invoice():
    from erp_adapters.demo.seeding import demo_erp_seed

    demo_erp_seed(tenant="seeded", vendors=5, jobs=2)
    demo_erp_seed(tenant="seeded", vendors=5, jobs=2)  # again: nothing added
    pay_apps = DemoPaymentApplication.objects.filter(tenant="seeded")
    assert pay_apps.count() == 2
    for pay_app in pay_apps:
        lines = list(pay_app.lines.all())
        assert len(lines) == 3
        assert pay_app.completed_this_period == sum(line.completed_this_period for line in lines)
        assert pay_app.amount_due == pay_app.completed_this_period - pay_app.retainage_this_period
    (direct_cost,) = DemoDirectCost.objects.filter(tenant="seeded")
    assert direct_cost.total == sum(line.amount for line in direct_cost.lines.all())


def test_a_direct_cost_of_500_lines_totals_in_the_erp_what_it_totals_in_procore(adapter, books):
    """Amounts that a float would drift on (0.1, 0.7, 1.15, …), as strings and JSON numbers."""
    amounts = [f"{(n * 7 % 1000) / 100 + 0.05:.2f}" for n in range(1, 501)]
    data = direct_cost_export(books, *amounts)
    for n, line in enumerate(data["direct_cost"]["line_items"]):
        if n % 2:
            line["total_amount"] = float(line["total_amount"])  # a JSON number
    stated = sum(Decimal(a) for a in amounts)
    assert data["direct_cost"]["line_item_total"] == str(stated)
    adapter.direct_costs.create(data)
    row = DemoDirectCost.objects.get()
    assert row.total == stated
    assert sum(line.amount for line in row.lines.all()) == stated
    assert row.lines.count() == 500


@pytest.mark.parametrize(
    "model", [DemoPaymentApplication, DemoDirectCost], ids=lambda m: m.__name__
)
def test_the_admin_shows_them_with_their_lines_and_voids_them(model, admin_client_logged_in):
    """An accountant's screens: the document with its lines, and the Void action an unlink
    then honours."""
    from django.urls import reverse

    from erp_adapters.demo.seeding import demo_erp_seed

    demo_erp_seed(tenant="seeded", vendors=5, jobs=1)
    row = model.objects.get(tenant="seeded")
    opts = model._meta
    client = admin_client_logged_in
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert client.get(changelist, {"tenant": "seeded"}).status_code == 200
    change = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]))
    assert change.status_code == 200
    assert row.lines.first().description in change.text
    response = client.post(
        changelist, {"action": "void_documents", "_selected_action": [row.pk]}, follow=True
    )
    assert "1 document(s) voided." in response.text
    row.refresh_from_db()
    assert row.status == "void"
