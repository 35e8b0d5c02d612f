"""Procore answering 500 or 429 while the portal processes an export: the request waits and
recovers, nothing is done twice, and the approver ends up with a closed Request Detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from erp_adapters.demo.models import DemoVendor
from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.procore import ProcoreClient, RetryPolicy
from integrations.services.erp_requests import erp_request_process
from integrations.services.sweeper import process_pending
from tests.flows.conftest import detail_of, export_vendor


@pytest.fixture
def knobs():
    from procore_sandbox.services.knobs import knob_reset, knob_set

    yield knob_set
    knob_reset()


@pytest.fixture
def impatient_client(provisioned):
    """One quick retry and no long sleeps, so a test sees the outcome of a lasting fault."""
    client = ProcoreClient(
        provisioned,
        retry=RetryPolicy(max_retries=1, max_throttle_waits=0, backoff_base=0.01, max_wait=0.0),
        sleep=lambda seconds: None,
    )
    yield client
    client.close()  # a kept-alive socket would keep a live-server thread and its DB session


def make_due(erp_request: ERPRequest) -> None:
    ERPRequest.objects.filter(pk=erp_request.pk).update(next_attempt_at=timezone.now())


def test_procore_500s_put_the_request_back_to_wait_and_it_recovers(
    provisioned, sandbox_company, knobs, impatient_client
):
    vendor, request = export_vendor(sandbox_company, name="Flaky Network Plumbing")
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    knobs(name="fault_500_share", value=1.0)

    state = erp_request_process(erp_request_id=ours.pk, client=impatient_client)

    ours.refresh_from_db()
    assert state == WorkState.RETRYING == ours.state
    assert "500" in ours.last_error or "failed" in ours.last_error.lower()
    assert ours.next_attempt_at > timezone.now()
    assert detail_of(request).status == "in_progress"  # nothing told to the approver yet

    knobs(name="fault_500_share", value=0.0)
    make_due(ours)
    process_pending()
    assert detail_of(request).status == "success"
    assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1


def test_rate_limited_by_procore_the_request_waits_for_the_reset_then_finishes(
    provisioned, sandbox_company, knobs, monkeypatch, impatient_client
):
    vendor, request = export_vendor(sandbox_company, name="Throttled Framing Co")
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    knobs(name="rate_limit_spike", value=1)
    knobs(name="rate_limit_spike_window", value=600)
    client = impatient_client
    state = None
    for _ in range(3):  # the first call may still fit in the window; the next ones do not
        state = erp_request_process(erp_request_id=ours.pk, client=client)
        if state == WorkState.RETRYING:
            break
        make_due(ours)
    ours.refresh_from_db()
    assert state == WorkState.RETRYING, ours.last_error
    assert ours.next_attempt_at >= timezone.now() + timedelta(seconds=60)  # honours the reset

    knobs(name="rate_limit_spike", value=1000)
    knobs(name="rate_limit_spike_window", value=10)
    from procore_sandbox.models import RateWindow

    RateWindow.objects.all().delete()
    # Ten minutes later: the window has reset in Procore, and our pacing knows it.
    from integrations.procore import ratelimit

    monkeypatch.setattr(ratelimit, "DEFAULT_REGISTRY", ratelimit.RateLimitRegistry())
    make_due(ours)
    process_pending()
    assert detail_of(request).status == "success"
    assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1


def test_procore_500s_on_the_close_out_do_not_redo_the_erp_work(
    provisioned, sandbox_company, knobs, impatient_client
):
    vendor, request = export_vendor(sandbox_company, name="Patient Drywall Ltd")
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    client = impatient_client
    assert erp_request_process(erp_request_id=ours.pk, client=client) == WorkState.SUCCEEDED

    from integrations.services.erp_requests import request_details_close_out

    knobs(name="fault_500_share", value=1.0)
    assert request_details_close_out(company_pk=provisioned.company_id, client=client) == 0
    detail = ours.details.get()
    assert detail.state == WorkState.RETRYING
    assert detail_of(request).status == "in_progress"

    knobs(name="fault_500_share", value=0.0)
    ours.details.update(next_attempt_at=timezone.now())
    process_pending()
    assert detail_of(request).status == "success"
    assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1
    ours.refresh_from_db()
    assert ours.attempts == 1  # the ERP side ran once
