"""Failures heal themselves, end to end against the local Procore: a company whose Procore
hangs stops holding the workers, and an export whose webhook Procore gave up on still lands."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import DatabaseError
from django.utils import timezone

from erp_adapters.demo.models import DemoVendor
from integrations.models import ApiAttempt, CircuitBreaker, ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.procore import ProcoreClient
from integrations.services.erp_requests import erp_request_process
from integrations.services.reconciliation import deliveries_reconcile
from integrations.services.sweeper import process_pending
from tests.flows.conftest import detail_of, export_vendor, tenant_of


def test_a_procore_that_keeps_timing_out_stops_holding_the_workers(
    provisioned, sandbox_company, settings
):
    """Each call to a hanging Procore costs a worker one read timeout, until the company's
    breaker opens; after that its requests wait without a call and without an attempt."""
    from procore_sandbox.services.knobs import knob_set

    settings.BREAKER_THRESHOLD = 3
    exports = [export_vendor(sandbox_company, name=f"Slow Supply {n}") for n in range(5)]
    knob_set(name="latency_ms", value=600)
    with ProcoreClient(provisioned, timeout=(2.0, 0.2)) as client:
        client.tokens.token()  # a token in hand: what times out is the API
        states, seconds = [], []
        for _, request in exports:
            ours = ERPRequest.objects.get(procore_request_id=request.id)
            started = time.monotonic()
            states.append(erp_request_process(erp_request_id=ours.pk, client=client))
            seconds.append(time.monotonic() - started)

    assert states == [WorkState.RETRYING] * 5
    rows = ERPRequest.objects.filter(company=provisioned.company).order_by("id")
    assert [r.attempts for r in rows] == [1, 1, 1, 0, 0]  # paused ones are no attempt
    assert all("circuit breaker" in r.last_error for r in rows[3:])
    assert max(seconds[3:]) < 0.2  # no call, no wait
    assert ApiAttempt.objects.filter(error="timeout").count() == 3
    breaker = CircuitBreaker.objects.get(key=f"procore:{provisioned.company_id}")
    assert breaker.state == "open" and breaker.opened_until > timezone.now()


def test_an_export_whose_webhook_procore_discarded_still_lands(provisioned, sandbox_company):
    """The portal answers 503 for longer than Procore keeps trying (12 hours); Procore discards
    the delivery. The reconciliation lists the discarded delivery, stores its event as if it
    had arrived, and the export completes: nothing is lost."""
    from procore_sandbox.models import Delivery
    from procore_sandbox.services.delivery import deliveries_run_due

    down = mock.patch(
        "integrations.services.webhooks.NotificationEvent.objects.create",
        side_effect=DatabaseError("the portal's database is down"),
    )
    with down:
        vendor, request = export_vendor(sandbox_company, name="Patient Paving Co")
        later = timezone.now() + timedelta(hours=13)
        deliveries_run_due(now=later)  # still failing after 13 hours: Procore gives up
    assert Delivery.objects.filter(event__resource_id=request.id, status="discarded").exists()
    assert not ERPRequest.objects.filter(procore_request_id=request.id).exists()

    result = deliveries_reconcile(connection=provisioned)
    assert (result.stored, result.refused) == (1, 0), result
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert (
        DemoVendor.objects.filter(tenant=tenant_of(provisioned), procore_id=vendor.id).count() == 1
    )

    again = deliveries_reconcile(connection=provisioned)
    assert again.stored == 0 and again.already_stored >= 1  # a second pass changes nothing


@pytest.mark.django_db
def test_reconciling_an_unprovisioned_company_says_so(sandbox_connection):
    result = deliveries_reconcile(connection=sandbox_connection)
    assert result.listed == 0 and "not provisioned" in result.problems[0]
