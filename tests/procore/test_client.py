"""Every call carries the token and the company header; lists page lazily; syncs batch."""

from __future__ import annotations

import json

import pytest
import responses

from integrations.models import ApiAttempt
from integrations.procore import RequestDetailClosure
from integrations.procore.errors import ValidationError
from tests.procore.conftest import API, add_tokens, api_requests, rate_headers

pytestmark = pytest.mark.django_db

COMPANY = "5982324300"


def test_every_endpoint_sends_bearer_company_header_json_and_keeps_request_id(
    rsps, clock, make_client
):
    add_tokens(rsps, clock, "tok-1")
    sync_ok = {"entities": [], "errors": []}
    headers = {"X-Request-Id": "req-42", **rate_headers(20)}
    rsps.post(
        f"{API}/companies/{COMPANY}/erp_connections",
        json={"id": 5982324300, "standard_cost_code_list_id": 2},
        headers=headers,
    )
    rsps.patch(f"{API}/companies/{COMPANY}/erp_connections", json={}, headers=headers)
    rsps.get(
        f"{API}/companies/{COMPANY}/erp_requests/54321",
        json={
            "id": 54321,
            "company_id": 5982324300,
            "request_name": "create_vendor",
            "request_data": {"request_detail_id": 9},
            "created_at": "2021-04-20T00:00:00Z",
            "updated_at": "2021-04-20T00:00:00Z",
            "integration_app_name": "Acme ERP",
        },
        headers=headers,
    )
    rsps.patch(f"{API}/companies/{COMPANY}/erp_request_details/9", json={}, headers=headers)
    rsps.patch(f"{API}/companies/{COMPANY}/erp_request_details/sync", json=[], headers=headers)
    for path in (
        f"companies/{COMPANY}/external_data/sync",
        f"companies/{COMPANY}/staged_records/sync",
        "standard_cost_codes/sync",
        "line_item_types/sync",
        "cost_codes/sync",
        "cost_code_line_item_types/sync",
        "vendors/sync",
        "projects/sync",
        "sub_jobs/sync",
        "erp_transactions/sync",
        "erp_job_costs/sync",
        f"companies/{COMPANY}/invoice_payments/sync",
    ):
        rsps.patch(f"{API}/{path}", json=sync_ok, headers=headers)
    rsps.post(f"{API}/companies/{COMPANY}/staged_records", json={"id": 1}, headers=headers)
    rsps.get(f"{API}/companies/{COMPANY}/staged_records", json=[], headers=headers)
    rsps.patch(f"{API}/projects/77/configuration", json={}, headers=headers)
    rsps.post(f"{API}/webhooks/hooks", json={"id": 11}, status=201, headers=headers)
    rsps.post(f"{API}/webhooks/hooks/11/triggers", json={"id": 12}, status=201, headers=headers)
    rsps.post(
        f"{API}/webhooks/hooks/11/triggers/bulk",
        json={"success": [], "failed": []},
        headers=headers,
    )
    rsps.get(f"{API}/webhooks/hooks/11/deliveries", json=[], headers=headers)
    rsps.get(f"{API}/companies", json=[], headers=headers)

    c = make_client()
    erp = c.create_erp_connection(service_url="https://erp.example", metadata={"settings": {}})
    assert (erp.id, erp.standard_cost_code_list_id) == (5982324300, 2)
    c.update_erp_metadata(metadata={"settings": {"labels": {"name": "Acme"}}})
    request = c.get_erp_request(54321)
    assert request.request_name == "create_vendor"
    assert request.request_data == {"request_detail_id": 9}
    c.close_request_detail(9, status="success")
    c.close_request_details([RequestDetailClosure(9, "failed", ["Vendor code too long"])])
    c.sync_external_data([{"item_type": "vendor", "item_id": 1, "origin_id": "V-1"}])
    c.sync_staged_records([{"item_type": "vendor", "origin_id": "V-1", "status": "staged"}])
    c.create_staged_record({"item_type": "vendor", "origin_id": "V-2", "status": "staged"})
    list(c.list_staged_records(item_type="vendor"))
    c.sync_standard_cost_codes(standard_cost_code_list_id=2, updates=[{"origin_id": "s1"}])
    c.sync_line_item_types([{"origin_id": "L"}])
    c.sync_cost_codes(project_id=77, updates=[{"origin_id": "p1"}])
    c.sync_cost_code_line_item_types(project_id=77, updates=[{"cost_code_id": 1}])
    c.sync_vendors([{"origin_id": "V-1"}])
    c.sync_projects([{"origin_id": "J-1"}])
    c.sync_sub_jobs(project_id=77, updates=[{"origin_id": "sj1"}])
    c.sync_erp_transactions(project_id=77, updates=[{"id": 5, "origin_id": "b", "synced": True}])
    c.sync_erp_job_costs(job_origin_id="J-1", updates=[{"cost_code_id": 1}])
    c.sync_invoice_payments([{"origin_id": "r1"}])
    c.update_project_configuration(
        project_id=77, configuration={"erp_job_cost_transaction_syncing_enabled": True}
    )
    c.create_hook(
        namespace="acme-erp",
        destination_url="https://portal/x",
        destination_headers={"Authorization": "Bearer s"},
    )
    c.create_trigger(11)
    c.create_triggers_bulk(11, [{"resource_name": "ERP Requests", "event_type": "create"}])
    list(c.iter_deliveries(11, status="failing"))
    list(c.list_companies())

    calls = api_requests(rsps)
    assert len(calls) == 25
    for call in calls:
        sent = call.request.headers
        assert sent["Authorization"] == "Bearer tok-1"
        assert sent["Procore-Company-Id"] == COMPANY
        if call.request.body:
            assert sent["Content-Type"] == "application/json"
            json.loads(call.request.body)
    assert ApiAttempt.objects.exclude(path="/oauth/token").count() == 25
    assert set(ApiAttempt.objects.values_list("request_id", flat=True)) >= {"req-42"}
    attempt = ApiAttempt.objects.filter(path__contains="erp_requests").get()
    assert (attempt.rate_limit_limit, attempt.rate_limit_remaining) == (25, 20)


def test_bodies_follow_the_documented_shapes(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    rsps.patch(f"{API}/companies/{COMPANY}/erp_request_details/9", json={})
    rsps.patch(f"{API}/companies/{COMPANY}/erp_request_details/sync", json=[])
    rsps.patch(f"{API}/standard_cost_codes/sync", json={"entities": [], "errors": []})
    rsps.post(f"{API}/webhooks/hooks/11/triggers", json={"id": 12}, status=201)
    c = make_client()

    c.close_request_detail(9, status="failed", messages=["Job code already exists"])
    c.close_request_details([RequestDetailClosure(1, "success"), RequestDetailClosure(2, "stale")])
    c.sync_standard_cost_codes(
        standard_cost_code_list_id=2, updates=[{"name": "Site", "code": "01", "origin_id": "s1"}]
    )
    c.create_trigger(11)

    bodies = [json.loads(call.request.body) for call in api_requests(rsps)]
    assert bodies[0] == {
        "request_detail": {"status": "failed", "messages": ["Job code already exists"]}
    }
    assert bodies[1] == [
        {"id": 1, "status": "success", "messages": []},
        {"id": 2, "status": "stale", "messages": []},
    ]
    assert bodies[2] == {
        "company_id": 5982324300,
        "standard_cost_code_list_id": 2,
        "updates": [{"name": "Site", "code": "01", "origin_id": "s1"}],
    }
    assert bodies[3] == {
        "company_id": 5982324300,
        "api_version": "v2",
        "trigger": {"resource_name": "ERP Requests", "event_type": "create"},
    }
    with pytest.raises(ValueError, match="status"):
        c.close_request_detail(9, status="done")


def _page_callback(pages: list[list[dict]], *, with_links: bool, total: int | None):
    def answer(request):
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(request.url).query)
        page = int(query["page"][0])
        per_page = int(query["per_page"][0])
        headers = {"Per-Page": str(per_page)}
        if total is not None:
            headers["Total"] = str(total)
        if with_links:
            base = f"{API}/companies?per_page={per_page}"
            links = [f'<{base}&page=1>; rel="first"', f'<{base}&page={len(pages)}>; rel="last"']
            if page < len(pages):
                links.append(f'<{base}&page={page + 1}>; rel="next"')
            headers["Link"] = ", ".join(links)
        return (200, headers, json.dumps(pages[page - 1]))

    return answer


@pytest.mark.parametrize("with_links,total", [(True, 5), (False, 5), (False, None)])
def test_lists_page_through_link_and_total_headers(rsps, clock, make_client, with_links, total):
    add_tokens(rsps, clock, "tok-1")
    pages = [[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}], [{"id": 5}]]
    rsps.add_callback(
        responses.GET,
        f"{API}/companies",
        callback=_page_callback(pages, with_links=with_links, total=total),
    )

    items = list(make_client().list_companies(per_page=2))

    assert [i["id"] for i in items] == [1, 2, 3, 4, 5]
    assert len(api_requests(rsps)) == 3


def test_pages_are_fetched_only_as_far_as_the_caller_reads(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    pages = [[{"id": 1}, {"id": 2}], [{"id": 3}, {"id": 4}], [{"id": 5}]]
    rsps.add_callback(
        responses.GET,
        f"{API}/companies",
        callback=_page_callback(pages, with_links=True, total=5),
    )
    iterator = make_client().list_companies(per_page=2)
    assert [next(iterator)["id"], next(iterator)["id"]] == [1, 2]
    assert len(api_requests(rsps)) == 1


def test_deliveries_page_by_cursor(rsps, clock, make_client):
    add_tokens(rsps, clock, "tok-1")
    seen_starts = []

    def answer(request):
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(request.url).query)
        start = int(query.get("page_start", ["0"])[0])
        seen_starts.append(start)
        assert query["page_size"] == ["2"]
        assert query["filters[status]"] == ["failing"]
        ids = [i for i in (101, 102, 103) if i > start][:2]
        return (200, {}, json.dumps([{"id": i, "outcome": "failed"} for i in ids]))

    rsps.add_callback(responses.GET, f"{API}/webhooks/hooks/11/deliveries", callback=answer)
    items = list(make_client().iter_deliveries(11, status="failing", page_size=2))
    assert [i["id"] for i in items] == [101, 102, 103]
    assert seen_starts == [0, 102]


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
