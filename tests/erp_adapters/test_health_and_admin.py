from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from erp_adapters.base import HealthState
from erp_adapters.demo.models import (
    DemoChangeOrder,
    DemoCommitment,
    DemoCostCode,
    DemoCostType,
    DemoJob,
    DemoVendor,
)
from erp_adapters.registry import get_adapter
from tests.erp_adapters.conftest import TENANT, request_data


def test_healthy_books_report_what_they_hold(books, adapter):
    status = adapter.health_check()
    assert status.ok and status.state is HealthState.OK
    assert status.details == {"vendors": 25, "jobs": 2, "cost_codes": 92, "cost_types": 5}
    assert status.message == (
        "Demo ERP books 'books': 25 vendors, 2 jobs, 92 cost codes, 5 cost types."
    )


def test_empty_books_are_degraded_with_the_fix(db):
    status = get_adapter("demo", {"tenant": "new"}).health_check()
    assert status.state is HealthState.DEGRADED
    assert "have no cost codes and no cost types" in status.message
    assert "run seed_demo_erp" in status.message


def test_offline_and_unreachable_books_are_failing(books):
    assert get_adapter("demo", {"offline": True}).health_check().state is HealthState.FAILING
    adapter = get_adapter("demo", {"tenant": TENANT})
    with mock.patch.object(DemoVendor.objects, "filter", side_effect=OperationalError("gone")):
        status = adapter.health_check()
    assert status.state is HealthState.FAILING
    assert "did not answer: gone" in status.message


MODELS = (
    DemoVendor,
    DemoJob,
    DemoCostCode,
    DemoCostType,
    DemoCommitment,
    DemoChangeOrder,
)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_demo_page_renders(model, books, admin_client_logged_in):
    client = admin_client_logged_in
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    row = model.objects.filter(tenant=TENANT).order_by("id").first()
    response = client.get(changelist, {"tenant": TENANT})
    assert response.status_code == 200
    assert str(row) in response.text or row.pk in [o.pk for o in response.context["cl"].result_list]
    change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    assert client.get(change).status_code == 200
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert client.get(add).status_code == 200


def test_a_person_finds_what_arrived_from_procore(books, adapter, admin_client_logged_in):
    adapter.vendors.create(request_data("create_vendor"))
    arrived = DemoVendor.objects.get(procore_id=35)
    url = reverse("admin:demo_erp_demovendor_changelist")
    client = admin_client_logged_in

    def listed(**params):
        return [v.pk for v in client.get(url, params).context["cl"].result_list]

    assert listed(origin="procore") == [arrived.pk]
    assert listed(q="Test Vendor") == [arrived.pk]
    assert arrived.pk in listed(q="35")  # the Procore id (text fields may contain 35 too)
    assert listed(q=str(arrived.guid)) == [arrived.pk]
    assert listed(q=str(arrived.guid), tenant="other") == []
    assert len(listed(origin="erp")) == 25


def test_commitment_page_shows_its_lines_and_total(books, admin_client_logged_in):
    commitment = DemoCommitment.objects.filter(tenant=TENANT).first()
    url = reverse("admin:demo_erp_democommitment_change", args=[commitment.pk])
    response = admin_client_logged_in.get(url)
    for line in commitment.lines.all():
        assert line.description in response.text
    changelist = admin_client_logged_in.get(reverse("admin:demo_erp_democommitment_changelist"))
    total = sum(line.amount for line in commitment.lines.all())
    assert f"{total:,.2f}" in changelist.text
