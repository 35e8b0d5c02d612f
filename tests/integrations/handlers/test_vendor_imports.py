"""``sync_vendors``: the vendor import runs and closes its Request Detail with its summary."""

from __future__ import annotations

import pytest

from erp_adapters.demo.models import DemoVendor
from integrations.models import ERPRequestDetail, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_process
from tests.integrations.conftest import seed_vendors
from tests.integrations.handlers.conftest import sync_request

pytestmark = pytest.mark.django_db


def test_sync_vendors_stages_and_tells_the_approver_what_happened(company, procore, make_client):
    seed_vendors(3)
    request, detail = sync_request(company, "sync_vendors")

    state = erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert state == WorkState.SUCCEEDED
    assert (detail.status, detail.messages) == ("success", ["Staged 3 new vendors; 0 unchanged."])
    run = SyncRun.objects.get(erp_request=request)
    assert (run.trigger, run.entity, run.created) == ("event", "vendors", 3)


def test_refused_vendors_close_the_detail_failed_with_the_reasons(company, procore, make_client):
    seed_vendors(2)
    bad = DemoVendor.objects.get(code="V-000002")
    procore.refuse[str(bad.guid)] = {"zip": ["is invalid"]}
    request, detail = sync_request(company, "sync_vendors")

    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert detail.status == ERPRequestDetail.Status.FAILED
    assert detail.messages == [
        "Staged 1 new vendor; 0 unchanged. Procore refused 1 vendor.",
        "V-000002: zip: is invalid",
    ]

    # A later Refresh reports success, and says the refused vendor still waits for a fix.
    again, again_detail = sync_request(company, "sync_vendors", detail_id=82)
    erp_request_process(erp_request_id=again.pk, client=make_client())
    again_detail.refresh_from_db()
    assert again_detail.status == "success"
    assert again_detail.messages == [
        "No changes: all 2 vendors in the ERP are up to date in Procore. 1 vendor refused "
        "earlier will be sent again once corrected in the ERP."
    ]


def test_a_retried_request_resumes_its_own_run(company, procore, make_client):
    seed_vendors(4)
    procore.fail_call = {n: lambda: (503, {"Retry-After": "0"}, "busy") for n in range(1, 5)}
    request, detail = sync_request(company, "sync_vendors")

    state = erp_request_process(erp_request_id=request.pk, client=make_client())

    assert state == WorkState.RETRYING
    run = SyncRun.objects.get(erp_request=request)
    assert run.state == SyncRun.State.PENDING
    detail.refresh_from_db()
    assert detail.status == ERPRequestDetail.Status.OPEN  # not closed while it may still work

    procore.fail_call = {}
    request.refresh_from_db()
    request.next_attempt_at = None
    request.save()
    assert erp_request_process(erp_request_id=request.pk, client=make_client()) == "succeeded"
    assert SyncRun.objects.filter(erp_request=request).count() == 1
    run.refresh_from_db()
    assert (run.state, run.created) == ("succeeded", 4)
    detail.refresh_from_db()
    assert detail.status == "success"
