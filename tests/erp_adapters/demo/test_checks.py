"""What an accountant reads in Procore's ERP tab when the demo ERP refuses an export."""

from __future__ import annotations

import pytest

from erp_adapters.base import ConstraintViolation, ERPUnavailable
from erp_adapters.demo.models import DemoCommitment, DemoVendor
from erp_adapters.registry import get_adapter
from tests.erp_adapters.demo.conftest import TENANT, commitment_export, request_data


def vendor_export(**vendor_fields):
    data = request_data("create_vendor")
    data["vendor"].update(vendor_fields)
    return data


def test_the_dictionary_vendor_passes_in_empty_books(adapter):
    assert adapter.vendors.check_create(request_data("create_vendor")) == []


def test_vendor_name_longer_than_the_erp_allows(adapter):
    problems = adapter.vendors.check_create(
        vendor_export(name="Northern California Concrete Pumping")
    )
    assert problems == ["Vendor name is longer than 30 characters, the ERP's limit."]


def test_vendor_that_already_exists_by_name(books, adapter):
    existing = DemoVendor.objects.get(tenant=TENANT, code="V-000004")
    problems = adapter.vendors.check_create(vendor_export(name=existing.name.upper()))
    assert problems == [f"Vendor '{existing.name}' already exists in the ERP with code V-000004."]


def test_vendor_code_already_used(books, adapter):
    existing = DemoVendor.objects.get(tenant=TENANT, code="V-000002")
    problems = adapter.vendors.check_create(vendor_export(origin_code="V-000002"))
    assert problems == [f"Vendor code 'V-000002' is already used in the ERP by '{existing.name}'."]


def test_every_vendor_problem_is_reported_at_once(adapter):
    problems = adapter.vendors.check_create(
        vendor_export(
            name="",
            company="",
            state_code="Calif",
            zip="95814-1234-99",
            email_address="accounts at acme",
        )
    )
    assert problems == [
        "Vendor name is missing; the ERP requires it.",
        "Vendor ZIP code is longer than 10 characters, the ERP's limit.",
        "State 'Calif' must be a two-letter code, such as CA.",
        "Email address 'accounts at acme' is not an email address.",
    ]


def test_a_payload_without_a_vendor(adapter):
    assert adapter.vendors.check_create({"request_detail_id": 1}) == [
        "The export carries no vendor."
    ]


def test_a_commitment_for_things_the_erp_does_not_hold(books, adapter):
    """The dictionary's sample refers to a job, vendor, cost code and cost type of someone
    else's ERP: each is named, with what to do about it. (Its cost type "O" is found by code.)"""
    data = request_data("create_commitment")
    assert adapter.commitments.check_create(data) == [
        "Job 'Project A' is not in the ERP; export the project first.",
        "Vendor '90 Minute Courier' is not in the ERP; export the vendor first.",
    ]
    data["commitment_items"][0]["line_item_type"].update(code="X", name="Overhead")
    assert adapter.commitments.check_create(data)[-1] == (
        "Line 1 'Line Item 1': cost type 'Overhead' (X) is not in the ERP."
    )


def test_a_commitment_the_erp_can_take(refs, adapter):
    assert adapter.commitments.check_create(commitment_export(**refs)) == []


def test_commitment_rules(refs, adapter):
    existing = DemoCommitment.objects.filter(job=refs["job"]).first()
    data = commitment_export(**refs, number=existing.number)
    data["commitment"]["type"] = "PrimeContract"
    data["commitment"]["title"] = "T" * 61
    data["commitment_items"][0].update(amount="12,50", description="D" * 61)
    assert adapter.commitments.check_create(data) == [
        "Commitment type 'PrimeContract' is neither a subcontract nor a purchase order.",
        "Commitment title is longer than 60 characters, the ERP's limit.",
        f"Commitment {existing.number} already exists on job J-1001 in the ERP. Give the "
        "commitment another number in Procore and export it again.",
        f"Line 1 '{'D' * 61}': the description is longer than 60 characters, the ERP's limit.",
    ]
    data["commitment_items"] = []
    assert "The commitment has no line items; the ERP needs at least one." in (
        adapter.commitments.check_create(data)
    )


def test_commitment_vendor_found_by_procore_id_after_a_vendor_export(refs, adapter):
    """A vendor exported from Procore is known by its Procore id even before Procore has
    written the ERP id back onto the commitment's vendor."""
    adapter.vendors.create(request_data("create_vendor"))
    data = commitment_export(**refs)
    data["commitment"]["vendor"] = {"id": 35, "company": "Test Vendor", "origin_id": None}
    assert adapter.commitments.check_create(data) == []


def test_job_code_messages_contain_the_word_code(refs, adapter):
    """Procore lets the user type a new ERP code on re-export only when the message says
    "code" (procore-erp-api.md a.5)."""
    data = request_data("create_or_update_job")
    data["all_cost_codes"] = []
    data["job"]["origin_code"] = "J-1001"
    assert adapter.jobs.check_create(data) == [
        f"Job code 'J-1001' is already used in the ERP by job '{refs['job'].name}'. "
        "Enter another code and export again."
    ]
    data["job"]["origin_code"] = None
    assert adapter.jobs.check_create(data) == [
        "Job code is missing; the ERP requires it. Enter the ERP job code in Procore and "
        "export again."
    ]


def test_job_cost_codes_must_be_in_the_erp(books, adapter):
    assert adapter.jobs.check_create(request_data("create_or_update_job")) == [
        "Cost code 1 'GENERAL CONDITIONS' is not in the ERP's cost code list.",
        "Cost code 1-001 'Test SCC' is not in the ERP's cost code list.",
    ]


def test_cost_code_needs_its_parent(books, adapter):
    item = request_data("create_standard_cost_codes")[0]
    item.update(full_code="40-100", parent_origin_id=None, parent_id=None)
    assert adapter.standard_cost_codes.check_create(item) == [
        "The parent of cost code 40-100 is not in the ERP; export the parent first."
    ]
    item.update(full_code="03-300", name="Cast in place")
    assert adapter.standard_cost_codes.check_create(item) == [
        "Cost code 03-300 already exists in the ERP ('Cast-in-Place Concrete')."
    ]


def test_cost_type_rules(books, adapter):
    assert adapter.standard_categories.check_create({"id": 5, "code": "LAB", "name": "Labor"}) == [
        "Cost type code 'LAB' is longer than 2 characters, the ERP's limit."
    ]
    assert adapter.standard_categories.check_create({"id": 5, "code": "L", "name": "Labour"}) == [
        "Cost type L already exists in the ERP ('Labor')."
    ]


def test_change_order_for_a_commitment_the_erp_does_not_hold(books, adapter):
    problems = adapter.commitment_change_orders.check_create(
        request_data("create_commitment_change_order")
    )
    assert problems[0] == "Commitment SC-001 is not in the ERP; export the commitment first."


def test_create_refuses_what_the_check_refuses(adapter):
    with pytest.raises(ConstraintViolation) as caught:
        adapter.vendors.create(vendor_export(name="Northern California Concrete Pumping"))
    assert caught.value.messages == ["Vendor name is longer than 30 characters, the ERP's limit."]
    assert not DemoVendor.objects.exists()


def test_checks_fail_retryably_when_the_erp_is_offline(db):
    adapter = get_adapter("demo", {"offline": True})
    with pytest.raises(ERPUnavailable):
        adapter.vendors.check_create(request_data("create_vendor"))
    with pytest.raises(ERPUnavailable):
        adapter.vendors.create(request_data("create_vendor"))
