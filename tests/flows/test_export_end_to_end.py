"""Vendor export, end to end over real HTTP: a person in Procore (the local sandbox) sends a
vendor to the ERP, the approver accepts, Procore delivers the webhook to the portal, the worker
creates the vendor in the demo ERP, marks it synced in Procore and closes the Request Detail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from erp_adapters.demo.models import DemoVendor
from integrations.models import ERPRequest, NotificationEvent, ObjectLink
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_retry
from integrations.services.sweeper import process_pending
from integrations.services.work import work_claim_one
from tests.flows.conftest import detail_of, export_vendor, tenant_of


def test_accepted_vendor_export_lands_in_the_erp_and_closes_success(provisioned, sandbox_company):
    vendor, request = export_vendor(sandbox_company, name="Acme Concrete", city="Austin")
    event = NotificationEvent.objects.get(resource_id=request.id)
    assert event.erp_request.state == WorkState.PENDING  # stored, not yet processed

    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages[0].startswith("Created in the ERP as V-")
    erp_vendor = DemoVendor.objects.get(tenant=tenant_of(provisioned), procore_id=vendor.id)
    assert erp_vendor.name == "Acme Concrete" and erp_vendor.city == "Austin"
    vendor.refresh_from_db()
    assert vendor.origin_id == str(erp_vendor.guid)  # synced in Procore: banner and lock
    link = ObjectLink.objects.get(company=provisioned.company, item_type="vendor")
    assert (link.state, link.procore_id, link.origin_id) == ("synced", vendor.id, vendor.origin_id)
    assert link.name == "Acme Concrete"  # support finds it by the vendor's name
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert ours.state == WorkState.SUCCEEDED
    # Its API attempts name it: the fetch, the External Data write-back and the close-out.
    paths = [a.path for a in ours.api_attempts.order_by("id")]
    assert any(f"/erp_requests/{request.id}" in p for p in paths), paths
    assert any("request_details" in p for p in paths), paths
    event.refresh_from_db()
    assert event.state == NotificationEvent.State.PROCESSED and event.processed_at is not None


def test_the_same_event_delivered_twice_is_processed_once(provisioned, sandbox_company, settings):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.knobs import knob_set

    knob_set(name="webhook_duplicate_share", value=1.0)
    vendor, request = export_vendor(sandbox_company, name="Twice Delivered LLC")
    deliveries_run_due()
    process_pending()
    process_pending()
    assert NotificationEvent.objects.filter(resource_id=request.id).count() == 1
    assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1
    assert detail_of(request).status == "success"


def test_worker_killed_after_creating_in_the_erp_finishes_later_without_a_second_vendor(
    provisioned, sandbox_company
):
    vendor, request = export_vendor(sandbox_company, name="Crashy Steel Inc")
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    # A worker claims the request, fetches it and creates the vendor in the ERP, then dies.
    claimed = work_claim_one(ERPRequest, pk=ours.pk)
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient

    with ProcoreClient(provisioned) as client:
        fetched = client.get_erp_request(request.id)
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)
    adapter.vendors.create(fetched.request_data)
    assert claimed.state == WorkState.PROCESSING
    assert process_pending()["erp_requests"] == 0  # its lease still runs: nobody steals it

    ERPRequest.objects.filter(pk=ours.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    process_pending()

    assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1
    detail = detail_of(request)
    assert detail.status == "success"
    assert "Already in the ERP as" in detail.messages[0]


def test_constraint_failure_closes_failed_with_its_message_and_retries_after_a_fix(
    provisioned, sandbox_company
):
    tenant = tenant_of(provisioned)
    DemoVendor.objects.create(tenant=tenant, code="V-900001", name="Granite Works")
    vendor, request = export_vendor(sandbox_company, name="Granite Works")
    process_pending()

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == [
        "Vendor 'Granite Works' already exists in the ERP with code V-900001."
    ]
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert ours.state == WorkState.FAILED
    assert not DemoVendor.objects.filter(procore_id=vendor.id).exists()
    vendor.refresh_from_db()
    assert not vendor.origin_id  # not synced in Procore

    # The fix is made in the ERP (the stale duplicate is removed), then support presses
    # "Retry now" in the admin: the same request runs again and replaces the failure.
    DemoVendor.objects.filter(tenant=tenant, code="V-900001").delete()
    erp_request_retry(erp_request=ours)
    process_pending()

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert DemoVendor.objects.get(procore_id=vendor.id).name == "Granite Works"
    vendor.refresh_from_db()
    assert vendor.origin_id


def test_a_vendor_name_over_the_erp_limit_is_explained_to_the_accountant(
    provisioned, sandbox_company
):
    vendor, request = export_vendor(
        sandbox_company, name="Very Long Vendor Name Corporation International"
    )
    process_pending()
    assert not DemoVendor.objects.filter(procore_id=vendor.id).exists()
    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == ["Vendor name is longer than 30 characters, the ERP's limit."]


def test_two_workers_racing_on_the_same_requests_process_each_once(provisioned, sandbox_company):
    """Four worker threads, each with its own database connection, take the same requests."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is proven on PostgreSQL")
    from integrations.services.erp_requests import erp_request_process

    exported = [export_vendor(sandbox_company, name=f"Race Vendor {n}") for n in range(6)]
    pks = list(
        ERPRequest.objects.filter(procore_request_id__in=[r.id for _, r in exported]).values_list(
            "pk", flat=True
        )
    )
    runs: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        try:
            barrier.wait()
            for pk in pks:
                if erp_request_process(erp_request_id=pk) is not None:
                    with lock:
                        runs.append((name, pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    process_pending()  # the close-outs

    assert sorted(pk for _, pk in runs) == sorted(pks)  # each request processed exactly once
    for vendor, request in exported:
        assert DemoVendor.objects.filter(procore_id=vendor.id).count() == 1
        assert detail_of(request).status == "success"
    assert set(ERPRequest.objects.filter(pk__in=pks).values_list("attempts", flat=True)) == {1}


def test_a_link_procore_refuses_fails_the_request_with_words_not_a_dataclass(
    provisioned, sandbox_company
):
    """The vendor is created in the ERP, but Procore refuses its ERP id (here: the vendor was
    deleted in Procore meanwhile). The approver and support read Procore's reason, and the
    request shows as failed, not "succeeded" beside a failed detail."""
    from procore_sandbox.models import ProcoreObject

    vendor, request = export_vendor(sandbox_company, name="Vanishing Vendor Ltd")
    ProcoreObject.objects.filter(pk=vendor.pk).delete()

    process_pending()

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages[-1].startswith("Procore did not accept the ERP id for this object:")
    assert "SyncItemError" not in " ".join(detail.messages)
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert ours.state == WorkState.FAILED
    assert "Procore did not accept the ERP id" in ours.last_error
    event = NotificationEvent.objects.get(resource_id=request.id)
    assert event.state == NotificationEvent.State.FAILED


def test_a_retried_export_keeps_what_the_approver_read_before_and_counts_every_attempt(
    provisioned, sandbox_company
):
    """Refused once by the ERP, fixed there, retried by support: the Request Detail's history
    keeps the first close-out the approver read, and the request's attempts keep counting."""
    from unittest import mock

    from erp_adapters.demo.adapter import Vendors

    _, request = export_vendor(sandbox_company, name="Twice Tried Tiles")
    with mock.patch.object(
        Vendors, "check_create", return_value=["The ERP's vendor numbering is locked."]
    ):
        process_pending()
    assert detail_of(request).status == "failed"
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert (ours.state, ours.attempts) == (WorkState.FAILED, 1)

    erp_request_retry(erp_request=ours)  # the accountant unlocked the numbering
    process_pending()

    ours.refresh_from_db()
    assert (ours.state, ours.attempts) == (WorkState.SUCCEEDED, 2)
    assert detail_of(request).status == "success"
    history = ours.details.get().history
    assert [h["status"] for h in history] == ["failed", "success"]
    assert history[0]["messages"] == ["The ERP's vendor numbering is locked."]


def _first_import(connection, entity: str) -> None:
    """The company's first import of the entity is done: later imports only send changes."""
    from integrations.models import SyncRun
    from integrations.services.sync_runs import sync_run_start

    run = sync_run_start(company=connection.company, entity=entity, trigger="command")
    assert run.state == SyncRun.State.SUCCEEDED, run.error


def test_an_import_before_the_close_out_updates_the_exported_code_instead_of_copying_it(
    provisioned, sandbox_company
):
    """Found by the soak (bench/soak.py): an import that ran between a standard cost code's
    export and its close-out read the ERP's new code, had no link for it, and created a second
    code in Procore with its ERP id; the export's write-back was then refused ("origin_id has
    already been taken") and its Request Detail closed failed."""
    from erp_adapters.demo import seeding
    from erp_adapters.demo.models import DemoCostCode
    from integrations.services.erp_requests import erp_request_process
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.erp_actions import (
        standard_cost_code_create,
        standard_cost_codes_export,
    )

    seeding.seed_cost_codes(tenant_of(provisioned))
    _first_import(provisioned, "standard_cost_codes")
    code = standard_cost_code_create(company=sandbox_company, code="990001", name="Race Code")
    request = standard_cost_codes_export(company=sandbox_company, codes=[code])
    assert deliveries_run_due() >= 1
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert erp_request_process(erp_request_id=ours.pk) == WorkState.SUCCEEDED  # in the ERP now

    _first_import(provisioned, "standard_cost_codes")  # a scheduled import, before the close-out
    process_pending()

    erp_code = DemoCostCode.objects.get(tenant=tenant_of(provisioned), procore_id=code.id)
    in_procore = ProcoreObject.objects.filter(
        company=sandbox_company, item_type="standard_cost_code", data__full_code="990001"
    )
    assert [(c.id, c.origin_id) for c in in_procore] == [(code.id, str(erp_code.guid))]
    assert detail_of(request).status == "success", detail_of(request).messages


def test_an_import_before_the_close_out_does_not_stage_the_exported_vendor_again(
    provisioned, sandbox_company
):
    """The same race for vendors: the import staged the ERP's new vendor, so Ready to Import
    offered a second copy of a vendor Procore already holds."""
    from erp_adapters.demo import seeding
    from integrations.services.erp_requests import erp_request_process
    from procore_sandbox.models import StagedRecord

    seeding.seed_vendors(tenant_of(provisioned), 3, seed=1)
    _first_import(provisioned, "vendors")
    vendor, request = export_vendor(sandbox_company, name="Race Condition Roofing")
    ours = ERPRequest.objects.get(procore_request_id=request.id)
    assert erp_request_process(erp_request_id=ours.pk) == WorkState.SUCCEEDED

    _first_import(provisioned, "vendors")
    process_pending()

    erp_vendor = DemoVendor.objects.get(tenant=tenant_of(provisioned), procore_id=vendor.id)
    assert not StagedRecord.objects.filter(origin_id=str(erp_vendor.guid)).exists()
    vendor.refresh_from_db()
    assert vendor.origin_id == str(erp_vendor.guid)
    assert detail_of(request).status == "success", detail_of(request).messages
