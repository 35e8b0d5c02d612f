"""Zulip-style: one fixture per request name of the events dictionary, one test walking them all.

Each fixture's ERP request is created in the local Procore sandbox, its webhook is delivered to
the portal, and the portal's processing is run. Whatever the request, the event is stored, the
request is dispatched by name, and every Request Detail ends closed in Procore, never left open.
A name with a handler must succeed, close every detail ``success`` and leave the effect that
``EFFECTS`` names for it; what its data refers to is created first (``BEFORE``), as it would
exist in Procore and in the ERP. A name without a handler closes ``failed`` with a clear
"not handled yet" message.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from erp_adapters.demo import seeding
from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoVendor
from integrations.handlers.registry import KNOWN_REQUEST_NAMES, handled_request_names
from integrations.models import (
    Connection,
    ERPRequest,
    MetadataConfig,
    NotificationEvent,
    ObjectLink,
    SyncRun,
)
from integrations.models.erp_requests import WorkState
from integrations.services.sweeper import process_pending
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import ErpConnection, ProcoreObject, StagedRecord
from tests.conftest import SANDBOX_CLIENT_ID, SANDBOX_WEBHOOK_SECRET
from tests.flows import (
    commitment_change_orders_effects,
    commitments_effects,
    cost_structure_effects,
    job_import_fixtures,
    payapps_direct_costs_effects,
    prime_contracts_effects,
    requisitions_payments_effects,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "erp_requests"
FIXTURE_FILES = sorted(FIXTURES.glob("*.json"))


def _detail_slots(value: Any, path: tuple = ()) -> list[tuple]:
    """Paths of every ``request_detail_id`` in the data (top level or one per item)."""
    found = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "request_detail_id":
                found.append((*path, key))
            else:
                found.extend(_detail_slots(child, (*path, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_detail_slots(child, (*path, index)))
    return found


def _set(data: Any, path: tuple, value: int) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def stage_in_sandbox(company, name: str, request_data: dict):
    """The ERP request as Procore would hold it, with real detail ids in every slot."""
    from procore_sandbox.models.erp import ErpRequestDetail
    from procore_sandbox.services.erp import erp_request_create

    data = copy.deepcopy(request_data)
    slots = _detail_slots(data)
    request = erp_request_create(
        company=company, request_name=name, request_data=data, with_detail=False
    )
    details = []
    for path in slots:
        detail = ErpRequestDetail.objects.create(company=company, erp_request=request)
        _set(data, path, detail.id)
        details.append(detail)
    request.request_data = data
    request.save(update_fields=["request_data"])
    return request, details


@dataclass(frozen=True)
class Given:
    """Where a request runs: the company in Procore (the sandbox), and the portal's connection to
    it, on the demo ERP's books for that company."""

    company: SandboxCompany
    connection: Connection

    @property
    def tenant(self) -> str:
        return self.connection.adapter_settings["tenant"]


# -- Before: what a handled request's data refers to exists in Procore and in the ERP ------------
# Each takes the request data (a copy of the fixture's) and may point it at what it created.


def procore_erp_connection(given: Given) -> ErpConnection:
    """The company's ERP connection in Procore, with its Standard Cost Code List, as
    provisioning creates it (with no metadata yet)."""
    from procore_sandbox.models import App
    from procore_sandbox.services.erp import erp_connection_create

    return erp_connection_create(
        company=given.company,
        app=App.objects.get(client_id=SANDBOX_CLIENT_ID),
        service_url="http://portal.test",
        metadata={},
    )


def before_create_vendor(given: Given, data: dict) -> None:
    """The exported vendor is one of the company's vendors in Procore."""
    from procore_sandbox.services.objects import vendor_create

    vendor = vendor_create(company=given.company, name=data["vendor"]["name"])
    data["vendor"]["id"] = vendor.id


def before_sync_vendors(given: Given, data: dict) -> None:
    seeding.seed_vendors(given.tenant, 3, seeding.DEFAULT_SEED)


def before_sync_standard_cost_codes(given: Given, data: dict) -> None:
    """Procore names the list of its ERP connection; the ERP has cost codes to send."""
    data["standard_cost_code_list_id"] = procore_erp_connection(given).standard_cost_code_list_id
    seeding.seed_cost_codes(given.tenant)


def before_sync_standard_categories(given: Given, data: dict) -> None:
    """Procore's own cost types (Labor, Materials, …) are matched with the ERP's and linked
    first, as support does before a company's first cost type import."""
    from erp_adapters.registry import get_adapter
    from integrations.procore import ProcoreClient
    from integrations.services.link_review import (
        link_review_accept_matches,
        link_review_apply,
        link_review_build,
    )

    seeding.seed_cost_types(given.tenant)
    connection = given.connection
    adapter = get_adapter(connection.adapter_key, connection.adapter_settings)
    with ProcoreClient(connection) as client:
        review = link_review_build(
            company=connection.company,
            entity="standard_categories",
            client=client,
            connection=connection,
            adapter=adapter,
        )
        link_review_accept_matches(review=review)
        assert link_review_apply(review=review, client=client)["failed"] == 0


def before_sync_metadata(given: Given, data: dict) -> None:
    """Procore asks a connected ERP: its connection exists in Procore, and ours knows it."""
    erp = procore_erp_connection(given)
    Connection.objects.filter(pk=given.connection.pk).update(
        erp_connection_id=erp.company_id,
        standard_cost_code_list_id=erp.standard_cost_code_list_id,
    )


def _procore_vendor(given: Given, name: str, origin_id: str | None = None) -> int:
    from procore_sandbox.services.objects import vendor_create

    vendor = vendor_create(company=given.company, name=name)
    if origin_id:
        ProcoreObject.objects.filter(pk=vendor.pk).update(origin_id=origin_id)
    return vendor.id


def _link(given: Given, origin_id: str, procore_id: int | None, state: str = "synced") -> None:
    ObjectLink.objects.create(
        company=given.connection.company,
        item_type="vendor",
        origin_id=origin_id,
        procore_id=procore_id,
        state=state,
        content_hash="h",
    )


def before_link_vendor(given: Given, data: dict) -> None:
    """Procore copied the ERP vendor's origin id onto an existing Procore vendor; the ERP
    vendor had been staged by an import before."""
    origin = data["vendor"]["origin_id"]
    data["vendor"]["id"] = _procore_vendor(given, "Linked Lumber", origin)
    _link(given, origin, None, state="staged")


def before_link_all_vendors(given: Given, data: dict) -> None:
    for n, vendor in enumerate(data["vendors"]):
        vendor["id"] = _procore_vendor(given, f"Matched {n}", vendor["origin_id"])


def before_merge_vendors(given: Given, data: dict) -> None:
    """Two synced vendors; Procore merges the source into the master."""
    master, (source,) = data["master_vendor"], data["source_vendors"]
    master["id"] = _procore_vendor(given, "Master Masonry", master["origin_id"])
    source["id"] = _procore_vendor(given, "Master Masonry (dup)", source["origin_id"])
    _link(given, master["origin_id"], master["id"])
    _link(given, source["origin_id"], source["id"])


def before_unlink_vendor(given: Given, data: dict) -> None:
    vendor = data["vendor"]
    vendor["id"] = _procore_vendor(given, "Unlinked Utilities")
    _link(given, vendor["origin_id"], vendor["id"])


def before_create_standard_cost_codes(given: Given, data: list) -> None:
    """The exported code is in Procore's list; its parent is in the ERP already."""
    parent = DemoCostCode.objects.create(tenant=given.tenant, code="01", name="General")
    erp = procore_erp_connection(given)
    code = ProcoreObject.objects.create(
        company=given.company,
        item_type="standard_cost_code",
        parent_id=erp.standard_cost_code_list_id,
        data={"code": "100", "full_code": "01-100", "name": "Pvmt Repair/Sealing"},
    )
    data[0].update(
        id=code.id,
        standard_cost_code_list_id=erp.standard_cost_code_list_id,
        parent_origin_id=str(parent.guid),
    )


def _standard_links(given: Given, item_type: str, origin_ids: list[str]) -> None:
    for origin_id in origin_ids:
        ObjectLink.objects.create(
            company=given.connection.company,
            item_type=item_type,
            origin_id=origin_id,
            procore_id=1,
            state="synced",
            content_hash="h",
        )


def before_delete_standard_cost_codes(given: Given, data: dict) -> None:
    ids = [i["origin_id"] for i in data["standard_cost_code_data_array"]]
    _standard_links(given, "standard_cost_code", ids)


def before_unlink_standard_cost_codes(given: Given, data: dict) -> None:
    _standard_links(
        given, "standard_cost_code", [i["origin_id"] for i in data["standard_cost_codes"]]
    )


def before_delete_standard_categories(given: Given, data: dict) -> None:
    ids = [i["origin_id"] for i in data["standard_category_data_array"]]
    _standard_links(given, "line_item_type", ids)


BEFORE: dict[str, Callable[[Given, Any], None]] = {
    "link_vendor": before_link_vendor,
    "link_all_vendors": before_link_all_vendors,
    "merge_vendors": before_merge_vendors,
    "unlink_vendor": before_unlink_vendor,
    "create_standard_cost_codes": before_create_standard_cost_codes,
    "delete_standard_cost_codes": before_delete_standard_cost_codes,
    "unlink_standard_cost_codes": before_unlink_standard_cost_codes,
    "delete_standard_categories": before_delete_standard_categories,
    "create_vendor": before_create_vendor,
    "sync_vendors": before_sync_vendors,
    "sync_standard_cost_codes": before_sync_standard_cost_codes,
    "sync_standard_categories": before_sync_standard_categories,
    "sync_metadata": before_sync_metadata,
    **cost_structure_effects.BEFORE,
    **requisitions_payments_effects.BEFORE,
    **commitments_effects.BEFORE,
    **job_import_fixtures.BEFORE,
    **payapps_direct_costs_effects.BEFORE,
    **prime_contracts_effects.BEFORE,
    **commitment_change_orders_effects.BEFORE,
}


# -- Effects: what a handled request must have done, in the ERP, in Procore and in our rows ------
# Each gets the request as the portal holds it and its data as Procore sent it.


def created_vendor(given: Given, ours: ERPRequest, data: dict) -> None:
    """The vendor is in the ERP, and Procore holds its ERP id (External Data): synced."""
    vendor_id = data["vendor"]["id"]
    erp_vendor = DemoVendor.objects.get(tenant=given.tenant, procore_id=vendor_id)
    assert erp_vendor.name == data["vendor"]["name"]
    in_procore = ProcoreObject.objects.get(company=given.company, item_type="vendor", id=vendor_id)
    assert in_procore.origin_id == str(erp_vendor.guid)
    link = ObjectLink.objects.get(company=given.connection.company, item_type="vendor")
    assert (link.state, link.procore_id, link.origin_id) == (
        "synced",
        vendor_id,
        str(erp_vendor.guid),
    )


def linked_vendor_created_in_procore(given: Given, ours: ERPRequest, data: dict) -> None:
    """The vendor Procore created from our staged record is linked to it: synced."""
    vendor = data["vendor"]
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="vendor", origin_id=vendor["origin_id"]
    )
    assert (link.state, link.procore_id) == ("synced", vendor["id"])


def books_ids(model: Any, given: Given) -> set[str]:
    """The ERP ids of the books' rows of ``model``: their origin ids in Procore."""
    rows = model.objects.filter(tenant=given.tenant)
    return {str(guid) for guid in rows.values_list("guid", flat=True)}


def finished_import(ours: ERPRequest, entity: str) -> SyncRun:
    run = SyncRun.objects.get(erp_request=ours)
    assert (run.entity, run.state, run.failed) == (entity, SyncRun.State.SUCCEEDED, 0), run.error
    assert run.finished_at is not None
    return run


def staged_vendors(given: Given, ours: ERPRequest, data: dict) -> None:
    """Every ERP vendor waits in Procore's Ready to Import, and our links say so."""
    run = finished_import(ours, "vendors")
    erp_ids = books_ids(DemoVendor, given)
    assert erp_ids and run.created == len(erp_ids)
    staged = StagedRecord.objects.filter(company=given.company, item_type="vendor", status="staged")
    assert set(staged.values_list("origin_id", flat=True)) == erp_ids
    links = ObjectLink.objects.filter(
        company=given.connection.company, item_type="vendor", state="staged"
    )
    assert set(links.values_list("origin_id", flat=True)) == erp_ids


def synced_standard_cost_codes(given: Given, ours: ERPRequest, data: dict) -> None:
    """Every ERP cost code is in the list Procore named, and ours remembers that list."""
    run = finished_import(ours, "standard_cost_codes")
    list_id = data["standard_cost_code_list_id"]
    erp_ids = books_ids(DemoCostCode, given)
    assert erp_ids and run.created == len(erp_ids)
    in_list = ProcoreObject.objects.filter(
        company=given.company, item_type="standard_cost_code", parent_id=list_id
    )
    assert set(in_list.values_list("origin_id", flat=True)) == erp_ids
    given.connection.refresh_from_db()
    assert given.connection.standard_cost_code_list_id == list_id
    links = ObjectLink.objects.filter(
        company=given.connection.company, item_type="standard_cost_code", state="synced"
    )
    assert set(links.values_list("origin_id", flat=True)) == erp_ids


def synced_standard_categories(given: Given, ours: ERPRequest, data: dict) -> None:
    """Every ERP cost type is a line item type in Procore, with its ERP id: the ones Procore
    had are updated, none is added twice."""
    run = finished_import(ours, "standard_categories")
    erp_ids = books_ids(DemoCostType, given)
    assert erp_ids and (run.created, run.updated) == (0, len(erp_ids))
    types = ProcoreObject.objects.filter(company=given.company, item_type="line_item_type")
    assert set(types.values_list("origin_id", flat=True)) == erp_ids


def pushed_metadata(given: Given, ours: ERPRequest, data: dict) -> None:
    """Procore holds the live metadata version, and it is marked pushed."""
    live = MetadataConfig.objects.filter(company=given.connection.company).latest("version")
    assert live.pushed_at is not None
    assert ErpConnection.objects.get(company=given.company).metadata == live.document


def _vendor_link(given: Given, origin_id: str) -> ObjectLink:
    return ObjectLink.objects.get(
        company=given.connection.company, item_type="vendor", origin_id=origin_id
    )


def linked_vendor(given: Given, ours: ERPRequest, data: dict) -> None:
    """The portal knows the Procore vendor the ERP vendor is linked to now."""
    link = _vendor_link(given, data["vendor"]["origin_id"])
    assert (link.state, link.procore_id) == ("synced", data["vendor"]["id"])


def linked_all_vendors(given: Given, ours: ERPRequest, data: dict) -> None:
    for vendor in data["vendors"]:
        link = _vendor_link(given, vendor["origin_id"])
        assert (link.state, link.procore_id) == ("synced", vendor["id"])


def merged_vendors(given: Given, ours: ERPRequest, data: dict) -> None:
    """One link remains: the master's; the source is never sent again."""
    master, (source,) = data["master_vendor"], data["source_vendors"]
    kept = _vendor_link(given, master["origin_id"])
    assert (kept.state, kept.procore_id) == ("synced", master["id"])
    gone = _vendor_link(given, source["origin_id"])
    assert (gone.state, gone.procore_id) == ("merged", None)
    synced = ObjectLink.objects.filter(company=given.connection.company, state="synced")
    assert list(synced.values_list("origin_id", flat=True)) == [master["origin_id"]]


def unlinked_vendor(given: Given, ours: ERPRequest, data: dict) -> None:
    """Not synced any more: a later import will not update it through vendors/sync."""
    link = _vendor_link(given, data["vendor"]["origin_id"])
    assert (link.state, link.procore_id) == ("pending", None)


def created_standard_cost_codes(given: Given, ours: ERPRequest, data: list) -> None:
    """Each code is in the ERP under its parent, and Procore holds its ERP id."""
    item = data[0]
    erp_code = DemoCostCode.objects.get(tenant=given.tenant, procore_id=item["id"])
    assert (erp_code.code, erp_code.parent.code) == ("01-100", "01")
    in_procore = ProcoreObject.objects.get(id=item["id"])
    assert in_procore.origin_id == str(erp_code.guid)


def _forgotten(given: Given, item_type: str, origin_ids: list[str]) -> None:
    links = ObjectLink.objects.filter(
        company=given.connection.company, item_type=item_type, origin_id__in=origin_ids
    )
    assert links.count() == len(origin_ids)
    assert set(links.values_list("state", "procore_id")) == {("pending", None)}


def forgot_deleted_standard_cost_codes(given: Given, ours: ERPRequest, data: dict) -> None:
    ids = [i["origin_id"] for i in data["standard_cost_code_data_array"]]
    _forgotten(given, "standard_cost_code", ids)


def forgot_unlinked_standard_cost_codes(given: Given, ours: ERPRequest, data: dict) -> None:
    _forgotten(given, "standard_cost_code", [i["origin_id"] for i in data["standard_cost_codes"]])


def forgot_deleted_standard_categories(given: Given, ours: ERPRequest, data: dict) -> None:
    ids = [i["origin_id"] for i in data["standard_category_data_array"]]
    _forgotten(given, "line_item_type", ids)


EFFECTS: dict[str, Callable[[Given, ERPRequest, Any], None]] = {
    "link_vendor": linked_vendor,
    "link_all_vendors": linked_all_vendors,
    "merge_vendors": merged_vendors,
    "unlink_vendor": unlinked_vendor,
    "create_standard_cost_codes": created_standard_cost_codes,
    "delete_standard_cost_codes": forgot_deleted_standard_cost_codes,
    "unlink_standard_cost_codes": forgot_unlinked_standard_cost_codes,
    "delete_standard_categories": forgot_deleted_standard_categories,
    "create_vendor": created_vendor,
    "create_vendor_in_procore": linked_vendor_created_in_procore,
    "sync_vendors": staged_vendors,
    "sync_standard_cost_codes": synced_standard_cost_codes,
    "sync_standard_categories": synced_standard_categories,
    "sync_metadata": pushed_metadata,
    **cost_structure_effects.EFFECTS,
    **requisitions_payments_effects.EFFECTS,
    **commitments_effects.EFFECTS,
    **job_import_fixtures.EFFECTS,
    **payapps_direct_costs_effects.EFFECTS,
    **prime_contracts_effects.EFFECTS,
    **commitment_change_orders_effects.EFFECTS,
}


def test_every_request_name_has_a_fixture_and_every_handled_name_an_expected_effect():
    assert {f.stem for f in FIXTURE_FILES} == set(KNOWN_REQUEST_NAMES)
    # A new handler adds its effect here, or this walk would only check that it closes out.
    assert set(EFFECTS) == handled_request_names()
    assert set(BEFORE) <= handled_request_names()


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_each_request_is_stored_dispatched_and_closed_out(
    fixture, client, sandbox_connection, sandbox_company
):
    body = json.loads(fixture.read_text())
    name = body["request_name"]
    given = Given(company=sandbox_company, connection=sandbox_connection)
    data = copy.deepcopy(body["request_data"])
    if name in BEFORE:
        BEFORE[name](given, data)
    sandbox_request, details = stage_in_sandbox(sandbox_company, name, data)

    response = client.post(
        f"/webhooks/procore/{sandbox_company.id}/",
        data=json.dumps(
            {
                "id": 10_000 + sandbox_request.id,
                "ulid": f"01FIXTURE{sandbox_request.id:017d}",
                "company_id": sandbox_company.id,
                "api_version": "v2.0",
                "event_type": "create",
                "resource_name": "ERP Requests",
                "resource_id": sandbox_request.id,
                "user_id": 1,
                "project_id": None,
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {SANDBOX_WEBHOOK_SECRET}",
    )
    assert response.status_code == 200
    assert NotificationEvent.objects.filter(resource_id=sandbox_request.id).exists()

    process_pending()

    ours = ERPRequest.objects.get(procore_request_id=sandbox_request.id)
    assert ours.request_name == name
    assert ours.details.count() == len(details)
    for detail in details:
        detail.refresh_from_db()
    closed = [(detail.status, detail.messages) for detail in details]
    if name in handled_request_names():
        assert ours.state == WorkState.SUCCEEDED, ours.last_error
        assert all(status == "success" for status, _ in closed), f"{name}: {closed}"
        EFFECTS[name](given, ours, sandbox_request.request_data)
    else:
        assert ours.state == WorkState.NOT_HANDLED, ours.last_error
        for status, messages in closed:
            assert status == "failed", f"{name}: detail left {status}"
            assert messages and all(isinstance(m, str) and m for m in messages)
            assert "does not handle" in messages[0]
