"""Zulip-style: one fixture per request name of the events dictionary, one test walking them all.

Each fixture's ERP request is created in the local Procore sandbox, its webhook is delivered to
the portal, and the portal's processing is run. Whatever the request, the event is stored, the
request is dispatched by name, and every Request Detail ends closed in Procore — handled ones
by their handler, the rest with a clear "not handled yet" message — never left open.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from integrations.handlers.registry import handled_request_names
from integrations.models import ERPRequest, NotificationEvent
from integrations.models.erp_requests import WorkState
from integrations.services.sweeper import process_pending

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


def test_there_is_a_fixture_for_every_request_name():
    from integrations.handlers.registry import KNOWN_REQUEST_NAMES

    assert {f.stem for f in FIXTURE_FILES} == set(KNOWN_REQUEST_NAMES)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_each_request_is_stored_dispatched_and_closed_out(
    fixture, client, sandbox_connection, sandbox_company
):
    body = json.loads(fixture.read_text())
    name = body["request_name"]
    sandbox_request, details = stage_in_sandbox(sandbox_company, name, body["request_data"])

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
        HTTP_AUTHORIZATION="Bearer whsec-e2e-0123456789abcdef",
    )
    assert response.status_code == 200
    assert NotificationEvent.objects.filter(resource_id=sandbox_request.id).exists()

    process_pending()

    ours = ERPRequest.objects.get(procore_request_id=sandbox_request.id)
    assert ours.request_name == name
    assert ours.state in {
        WorkState.SUCCEEDED,
        WorkState.FAILED,
        WorkState.NOT_HANDLED,
    }, ours.last_error
    if name not in handled_request_names():
        assert ours.state == WorkState.NOT_HANDLED
    assert ours.details.count() == len(details)
    for detail in details:
        detail.refresh_from_db()
        assert detail.status in {"success", "failed"}, f"{name}: detail left {detail.status}"
        if detail.status == "failed":
            assert detail.messages and all(isinstance(m, str) and m for m in detail.messages)
        if ours.state == WorkState.NOT_HANDLED:
            assert detail.status == "failed"
            assert "does not handle" in detail.messages[0]
