"""Sync calls go in batches of 1000, and every per-item error names the input that caused it."""

from __future__ import annotations

import json

import pytest
import responses

from integrations.procore.errors import ValidationError
from tests.integrations.procore.conftest import API, add_tokens

pytestmark = pytest.mark.django_db


def test_2500_items_go_in_three_calls_and_per_item_errors_name_their_input(
    rsps, clock, make_client
):
    add_tokens(rsps, clock, "tok-1")
    bodies = []

    def answer(request):
        updates = json.loads(request.body)["updates"]
        bodies.append(updates)
        entities, errors = [], []
        for item in updates:
            if item["origin_id"] in ("V-01500", "V-02499"):
                errors.append({**item, "errors": {"origin_id": ["has already been taken"]}})
            else:
                entities.append({"id": 9000 + len(entities), **item})
        return (200, {}, json.dumps({"entities": entities, "errors": errors}))

    rsps.add_callback(responses.PATCH, f"{API}/vendors/sync", callback=answer)
    vendors = [{"origin_id": f"V-{i:05d}", "name": f"Vendor {i}"} for i in range(2500)]

    result = make_client().sync_vendors(vendors)

    assert [len(b) for b in bodies] == [1000, 1000, 500]
    assert result.calls == 3
    assert len(result.entities) == 2498
    assert not result.ok
    assert [(e.index, e.item["origin_id"]) for e in result.errors] == [
        (1500, "V-01500"),
        (2499, "V-02499"),
    ]
    assert result.errors[0].reasons == {"origin_id": ["has already been taken"]}
    assert result.errors[0].message == "origin_id: has already been taken"


def test_errors_without_origin_id_are_matched_by_id(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(
        f"{API}/projects/sync",
        json={
            "entities": [{"id": 4, "name": "Updated Project 1"}],
            "errors": [
                {
                    "id": 0,
                    "name": "No project has this id value",
                    "errors": {"id": ["Entity with this ID not found"]},
                }
            ],
        },
    )
    result = make_client().sync_projects(
        [{"id": 4, "name": "Updated Project 1"}, {"id": 0, "name": "No project has this id value"}]
    )
    assert [(e.index, e.message) for e in result.errors] == [
        (1, "id: Entity with this ID not found")
    ]


def test_a_failed_batch_reports_what_earlier_batches_did(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(f"{API}/vendors/sync", json={"entities": [{"id": 1}], "errors": []})
    rsps.patch(f"{API}/vendors/sync", status=422, json={"errors": "company_id is invalid"})
    vendors = [{"origin_id": f"V-{i}"} for i in range(1500)]

    with pytest.raises(ValidationError) as caught:
        make_client().sync_vendors(vendors)
    assert caught.value.done == 1000
    assert caught.value.partial.calls == 1
