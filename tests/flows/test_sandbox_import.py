"""Import runs end to end over real HTTP: the approver presses a button in the local Procore
sandbox, the webhook reaches the portal, the portal imports from the demo ERP into the sandbox
and closes the Request Detail."""

from __future__ import annotations

import json

import pytest

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoVendor
from integrations.models import ObjectLink, SyncRun
from integrations.services.sweeper import process_pending

WEBHOOK_SECRET = "whsec-e2e-0123456789abcdef"


@pytest.fixture
def erp(sandbox_connection, sandbox_company):
    """The ERP connection in the sandbox (as provisioning makes it) and the demo books."""
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    erp_connection = erp_connection_create(
        company=sandbox_company,
        app=App.objects.get(client_id="e2e-app"),
        service_url="http://portal.test",
        metadata={},
    )
    sandbox_connection.standard_cost_code_list_id = erp_connection.standard_cost_code_list_id
    sandbox_connection.save()
    return sandbox_connection.adapter_settings["tenant"]


def press(client, company, button: str) -> list:
    """The approver presses a button; every ERP request it makes is delivered to the portal."""
    from procore_sandbox.services.buttons import button_press

    requests = button_press(company=company, button=button)
    for request in requests:
        response = client.post(
            f"/webhooks/procore/{company.id}/",
            data=json.dumps(
                {
                    "id": 500_000 + request.id,
                    "ulid": f"01E2ESYNC{request.id:017d}",
                    "company_id": company.id,
                    "api_version": "v2.0",
                    "event_type": "create",
                    "resource_name": "ERP Requests",
                    "resource_id": request.id,
                    "user_id": 1,
                    "project_id": None,
                }
            ),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {WEBHOOK_SECRET}",
        )
        assert response.status_code == 200, response.content
    process_pending()
    return requests


def closed_out(request) -> tuple[str, list[str]]:
    detail = request.details.get()
    return detail.status, detail.messages


def approve(company, origin_id: str, client) -> None:
    """The approver imports a staged vendor; Procore sends create_vendor_in_procore."""
    from procore_sandbox.models import ErpRequest, StagedRecord
    from procore_sandbox.services.staged_records import staged_record_approve

    record = StagedRecord.objects.get(company=company, origin_id=origin_id)
    staged_record_approve(record=record)
    event = ErpRequest.objects.filter(company=company).order_by("-id").first()
    assert event.request_name == "create_vendor_in_procore"
    client.post(
        f"/webhooks/procore/{company.id}/",
        data=json.dumps(
            {
                "id": 600_000 + event.id,
                "ulid": f"01E2EAPPR{event.id:017d}",
                "company_id": company.id,
                "api_version": "v2.0",
                "event_type": "create",
                "resource_name": "ERP Requests",
                "resource_id": event.id,
                "user_id": 1,
                "project_id": None,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {WEBHOOK_SECRET}",
    )
    process_pending()


def test_refresh_vendors_stages_updates_and_archives(
    client, erp, sandbox_company, sandbox_connection
):
    from procore_sandbox.models import ProcoreObject, StagedRecord

    seeding.seed_vendors(erp, 5, seeding.DEFAULT_SEED)
    v1, v2, v3, v4, _v5 = DemoVendor.objects.filter(tenant=erp).order_by("code")

    (first,) = press(client, sandbox_company, "refresh_vendors")

    assert closed_out(first) == ("success", ["Staged 5 new vendors; 0 unchanged."])
    staged = StagedRecord.objects.filter(company=sandbox_company, item_type="vendor")
    assert staged.filter(status="staged").count() == 5
    record = staged.get(origin_id=str(v1.guid))
    assert (record.origin_code, record.data["name"], record.data["city"]) == (
        v1.code,
        v1.name,
        v1.city,
    )
    link = ObjectLink.objects.get(company=sandbox_connection.company, origin_id=str(v1.guid))
    assert (link.state, link.staged_record_id) == ("staged", record.id)

    # The approver imports v2; then the ERP changes v1 and v2 and drops v3.
    approve(sandbox_company, str(v2.guid), client)
    link2 = ObjectLink.objects.get(company=sandbox_connection.company, origin_id=str(v2.guid))
    assert link2.state == "synced" and link2.procore_id is not None
    DemoVendor.objects.filter(pk=v1.pk).update(name="Renamed Supply Co")
    DemoVendor.objects.filter(pk=v2.pk).update(city="Springfield")
    v3.delete()

    (second,) = press(client, sandbox_company, "refresh_vendors")

    assert closed_out(second) == ("success", ["Updated 2 vendors, archived 1; 2 unchanged."])
    assert staged.get(origin_id=str(v1.guid)).data["name"] == "Renamed Supply Co"
    assert staged.get(origin_id=str(v3.guid)).status == "archived"
    vendor = ProcoreObject.objects.get(company=sandbox_company, item_type="vendor")
    assert (vendor.id, vendor.origin_id, vendor.data["city"]) == (
        link2.procore_id,
        str(v2.guid),
        "Springfield",
    )
    assert staged.get(origin_id=str(v4.guid)).status == "staged"
    run = SyncRun.objects.filter(entity="vendors").order_by("-id").first()
    assert run.api_calls == 2  # one staging call (restage + archive), one vendors/sync

    (third,) = press(client, sandbox_company, "refresh_vendors")

    assert closed_out(third) == (
        "success",
        ["No changes: all 4 vendors in the ERP are up to date in Procore."],
    )
    assert SyncRun.objects.filter(entity="vendors").order_by("-id").first().api_calls == 0


def test_sync_cost_codes_and_cost_types_go_straight_into_procore_and_link_existing_ones(
    client, erp, sandbox_company, sandbox_connection
):
    """Cost codes go straight into the empty list. Procore's own cost types (Labor, Materials,
    …) hold no ERP id yet: the first cost type import waits for support to match them, and once
    linked the import updates them instead of adding a second Labor, Materials, …"""
    from integrations.models import LinkProposal, LinkReview
    from integrations.services.link_review import link_review_accept_matches, link_review_apply
    from procore_sandbox.models import ErpRequestDetail, ProcoreObject

    seeding.seed_cost_codes(erp)
    seeding.seed_cost_types(erp)

    codes_request, types_request = press(client, sandbox_company, "sync_cost_codes")

    codes = DemoCostCode.objects.filter(tenant=erp)
    status, messages = closed_out(codes_request)
    assert status == "success"
    assert messages == [f"Added {codes.count()} new standard cost codes; 0 unchanged."]
    in_procore = ProcoreObject.objects.filter(
        company=sandbox_company,
        item_type="standard_cost_code",
        parent_id=sandbox_connection.standard_cost_code_list_id,
    )
    assert in_procore.count() == codes.count()
    child = codes.exclude(parent=None).first()
    # Procore resolved parent_origin_id: the child's full code is built under its parent's.
    assert in_procore.get(origin_id=str(child.guid)).data["full_code"] == child.code

    assert not ErpRequestDetail.objects.filter(erp_request=types_request).exists()
    procore_types = ProcoreObject.objects.filter(
        company=sandbox_company, item_type="line_item_type"
    )
    assert procore_types.count() == 5  # nothing added: the import waits for the review
    review = LinkReview.objects.get(
        company=sandbox_connection.company, entity="standard_categories"
    )
    assert (review.state, review.procore_records) == ("pending", 5)
    first = SyncRun.objects.get(entity="standard_categories")
    assert first.state == "failed" and "support reviews how they match" in first.error
    proposals = {p.procore_code: p for p in review.proposals.all()}
    assert {p.match for p in proposals.values()} == {LinkProposal.Match.CODE}

    assert link_review_accept_matches(review=review) == 5
    assert link_review_apply(review=review) == {"linked": 5, "failed": 0}
    press(client, sandbox_company, "sync_cost_codes")

    types = DemoCostType.objects.filter(tenant=erp)
    assert procore_types.count() == 5  # linked, not duplicated
    assert {(t.origin_id, t.data["code"]) for t in procore_types} == {
        (str(t.guid), t.code) for t in types
    }
    run = SyncRun.objects.filter(entity="standard_categories").latest("id")
    assert (run.state, run.created, run.updated) == ("succeeded", 0, types.count())
    links = ObjectLink.objects.filter(company=sandbox_connection.company, state="synced")
    assert links.filter(item_type="line_item_type").count() == types.count()
    assert links.filter(item_type="standard_cost_code").count() == codes.count()
