"""``sync_vendors``: the vendor import runs and closes its Request Detail with its summary."""

from __future__ import annotations

import pytest

from erp_adapters.base import ERPUnavailable
from erp_adapters.demo.models import DemoVendor
from integrations.models import ERPRequestDetail, ObjectLink, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_process
from integrations.services.leases import Busy, lease_claim
from integrations.services.metadata import metadata_config_create, metadata_default_document
from integrations.services.sync_runs import (
    ImportBusy,
    sync_run_create,
    sync_run_execute,
    sync_run_for_request,
)
from tests.factories import ERPRequestDetailFactory, ERPRequestFactory
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


def test_a_request_finishes_the_entitys_unfinished_run_and_reports_it(
    company, connection, procore, make_client
):
    seed_vendors(3)
    connection.adapter_settings = {"tenant": "books", "offline": True}
    connection.save()
    scheduled = sync_run_create(company=company, entity="vendors", trigger="schedule")
    with pytest.raises(ERPUnavailable):
        sync_run_execute(sync_run_id=scheduled.pk)
    connection.adapter_settings = {"tenant": "books"}
    connection.save()
    request, detail = sync_request(company, "sync_vendors")

    state = erp_request_process(erp_request_id=request.pk, client=make_client())

    assert state == WorkState.SUCCEEDED
    detail.refresh_from_db()
    assert (detail.status, detail.messages) == ("success", ["Staged 3 new vendors; 0 unchanged."])
    scheduled.refresh_from_db()
    assert (scheduled.state, scheduled.trigger) == (SyncRun.State.SUCCEEDED, "schedule")
    assert scheduled.erp_request is None  # the run keeps where it came from
    assert SyncRun.objects.count() == 1


def test_a_retry_of_a_request_whose_run_another_request_finished_reports_it(
    company, procore, make_client
):
    seed_vendors(4)
    procore.fail_call = {n: lambda: (503, {"Retry-After": "0"}, "busy") for n in range(1, 5)}
    first, first_detail = sync_request(company, "sync_vendors", detail_id=81)
    assert erp_request_process(erp_request_id=first.pk, client=make_client()) == "retrying"
    run = SyncRun.objects.get(erp_request=first)
    assert run.state == SyncRun.State.PENDING

    procore.fail_call = {}
    second, second_detail = sync_request(company, "sync_vendors", detail_id=82)
    assert erp_request_process(erp_request_id=second.pk, client=make_client()) == "succeeded"
    second_detail.refresh_from_db()
    assert second_detail.messages == ["Staged 4 new vendors; 0 unchanged."]
    run.refresh_from_db()
    assert (run.state, run.erp_request_id) == (SyncRun.State.SUCCEEDED, first.pk)

    sent = len(procore.sent)
    first.refresh_from_db()
    first.next_attempt_at = None
    first.save()
    assert erp_request_process(erp_request_id=first.pk, client=make_client()) == "succeeded"
    first_detail.refresh_from_db()
    assert (first_detail.status, first_detail.messages) == (
        "success",
        ["Staged 4 new vendors; 0 unchanged."],
    )
    assert len(procore.sent) == sent  # reported, not run again
    assert SyncRun.objects.count() == 1


def test_a_request_for_an_entity_being_imported_right_now_is_busy_for_a_minute(company, procore):
    held = sync_run_create(company=company, entity="vendors", trigger="schedule")
    assert lease_claim(SyncRun.objects.filter(pk=held.pk), state=SyncRun.State.RUNNING)
    request, _ = sync_request(company, "sync_vendors")

    with pytest.raises(ImportBusy) as busy:
        sync_run_for_request(erp_request=request, entity="vendors")

    assert isinstance(busy.value, Busy) and busy.value.retry_after == 60
    assert SyncRun.objects.count() == 1 and procore.sent == []


# -- create_vendor: exports and re-exports -----------------------------------------------------


def _export_request(company, **vendor):
    data = {"vendor": {"id": 35, "name": "Granite Works", **vendor}, "request_detail_id": 91}
    request = ERPRequestFactory(company=company, request_name="create_vendor", request_data=data)
    detail = ERPRequestDetailFactory(erp_request=request, procore_detail_id=91)
    return request, detail


def test_an_exported_vendors_link_keeps_its_erp_code(company, make_client):

    request, detail = _export_request(company, origin_code="GW-01")
    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert detail.messages == ["Created in the ERP as GW-01."]
    link = ObjectLink.objects.get(company=company, item_type="vendor")
    assert (link.origin_code, link.procore_id) == ("GW-01", 35)


def test_a_vendor_exported_again_updates_the_erp_vendor_when_updates_are_enabled(
    company, make_client
):
    erp = DemoVendor.objects.create(tenant="books", code="V-000001", name="Granite Wrks")
    request, detail = _export_request(
        company, origin_id=str(erp.guid), origin_code="OTHER", city="Austin"
    )
    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert (detail.status, detail.messages) == ("success", ["Updated in the ERP (V-000001)."])
    erp.refresh_from_db()
    assert (erp.name, erp.city, erp.code, erp.procore_id) == (
        "Granite Works",
        "Austin",
        "V-000001",  # the code stays the ERP's
        35,
    )
    request.refresh_from_db()
    assert request.external_links == [
        {"item_type": "vendor", "item_id": 35, "origin_id": str(erp.guid)}
    ]


def test_a_vendor_exported_again_is_refused_when_the_metadata_turns_updates_off(
    company, make_client
):
    document = metadata_default_document()
    document["settings"]["entities"]["vendors"]["configs"]["export"]["update"]["enabled"] = False
    metadata_config_create(company=company, document=document)
    erp = DemoVendor.objects.create(tenant="books", code="V-000001", name="Granite Wrks")
    request, detail = _export_request(company, origin_id=str(erp.guid))
    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert detail.status == "failed"
    assert "updating exported vendors is turned off" in detail.messages[0]
    erp.refresh_from_db()
    assert erp.name == "Granite Wrks"


def test_a_vendor_update_names_a_vendor_the_erp_no_longer_has(company, make_client):
    request, detail = _export_request(company, origin_id="0b9f9f8e-1111-4c4c-8888-000000000000")
    erp_request_process(erp_request_id=request.pk, client=make_client())

    detail.refresh_from_db()
    assert detail.status == "failed"
    assert detail.messages == [
        "Vendor 'Granite Works' is no longer in the ERP, so it cannot be updated. Unlink it in "
        "Procore, then export it again."
    ]
