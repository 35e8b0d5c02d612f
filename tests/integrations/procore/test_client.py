"""Every call carries the token and the company header; lists page lazily; syncs batch."""

from __future__ import annotations

import json

import pytest

from integrations.models import ApiAttempt
from integrations.procore import RequestDetailClosure
from tests.integrations.procore.conftest import API, add_tokens, api_requests, rate_headers

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


def test_provisioning_calls_and_webhook_management(sandbox_client, sandbox_connection):
    erp = sandbox_client.create_erp_connection(
        service_url="https://portal.example", metadata={"settings": {"labels": {"name": "Demo"}}}
    )
    assert erp.id == sandbox_connection.company.procore_company_id
    assert erp.standard_cost_code_list_id
    sandbox_client.update_erp_metadata(metadata={"settings": {"labels": {"name": "Demo ERP"}}})

    hook = sandbox_client.create_hook(
        namespace="erp-portal",
        destination_url="https://portal.example/webhooks/procore/1/",
        destination_headers={"Authorization": "Bearer whsec-e2e-0123456789abcdef"},
    )
    trigger = sandbox_client.create_trigger(hook["id"])
    assert [h["id"] for h in sandbox_client.list_hooks(namespace="erp-portal")] == [hook["id"]]
    assert [t["id"] for t in sandbox_client.list_triggers(hook["id"])] == [trigger["id"]]
    assert list(sandbox_client.iter_deliveries(hook["id"])) == []

    attempts = ApiAttempt.objects.exclude(path="/oauth/token")
    assert attempts.count() == 7
    assert all(a.request_id and 200 <= a.status_code < 300 for a in attempts)
    assert all(a.rate_limit_limit and a.rate_limit_remaining is not None for a in attempts)
    stored = " ".join(a.request_excerpt + a.response_excerpt for a in attempts)
    assert "whsec-e2e-0123456789abcdef" not in stored


def test_batched_sync_with_item_errors_and_paging(sandbox_client):
    vendors = [{"origin_id": f"V-{i:05d}", "name": f"Vendor {i}"} for i in range(2500)]
    vendors[1200] = {"origin_id": "V-01200"}  # no name: refused by Procore, not by us
    vendors[2400] = {"origin_id": "V-02400", "name": ""}

    result = sandbox_client.sync_vendors(vendors)

    assert result.calls == 3
    assert len(result.entities) == 2498
    assert [(e.index, e.reasons) for e in result.errors] == [
        (1200, {"name": ["can't be blank"]}),
        (2400, {"name": ["can't be blank"]}),
    ]
    # Upserts by origin_id: sending them again updates the same vendors.
    again = sandbox_client.sync_vendors(vendors[:10])
    assert [e["id"] for e in again.entities] == [e["id"] for e in result.entities[:10]]

    staged = sandbox_client.sync_staged_records(
        [
            {"item_type": "vendor", "origin_id": f"S-{i}", "data": {"name": f"S{i}"}}
            for i in range(5)
        ]
    )
    assert staged.ok
    listed = list(sandbox_client.list_staged_records(item_type="vendor", per_page=2))
    assert [r["origin_id"] for r in listed] == [f"S-{i}" for i in range(5)]
    assert ApiAttempt.objects.filter(path__contains="staged_records?").count() == 3


def test_bulk_close_out_reports_unknown_details_per_item(sandbox_client):
    sandbox_client.create_erp_connection(
        service_url="https://portal.example", metadata={"settings": {}}
    )
    result = sandbox_client.close_request_details([RequestDetailClosure(999999, "success")])
    assert [(e.index, e.item["id"]) for e in result.errors] == [(0, 999999)]
    assert result.errors[0].reasons


def test_cost_structure_deletes_and_project_update_against_the_sandbox(
    sandbox_client, sandbox_company
):
    """What the job exports call besides the sync endpoints: a delete Procore already did (a
    repeat after a lost answer) reports False instead of failing the request."""
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.cost_structure import cost_type_assign, job_cost_set
    from procore_sandbox.services.objects import project_create

    project = project_create(company=sandbox_company, name="Harbor", cost_codes=[("01", "Gen")])
    code = ProcoreObject.objects.get(project=project, item_type="cost_code")
    labor = ProcoreObject.objects.filter(
        company=sandbox_company, item_type="line_item_type"
    ).first()
    assignment = cost_type_assign(cost_code=code, line_item_type=labor)
    job_cost = job_cost_set(cost_code=code, line_item_type=labor, estimate="5")

    assert sandbox_client.delete_erp_job_cost_if_present(job_cost.id) is True
    assert sandbox_client.delete_erp_job_cost_if_present(job_cost.id) is False
    assert sandbox_client.delete_cost_code_line_item_type(assignment.id, project_id=project.id)
    assert sandbox_client.delete_cost_code(code.id, project_id=project.id) is True
    assert sandbox_client.delete_cost_code(code.id, project_id=project.id) is False
    assert not ProcoreObject.objects.filter(id__in=(code.id, assignment.id)).exists()

    sandbox_client.update_project(project.id, {"origin_code": "J-77"})
    project.refresh_from_db()
    assert project.origin_code == "J-77"


# -- Credentials not saved yet (the connection wizard's test before saving) ------------------


def _typed(connection, **changes):
    import copy

    typed = copy.copy(connection)
    for name, value in changes.items():
        setattr(typed, name, value)
    return typed


def test_unsaved_credentials_get_a_token_kept_in_memory_only(rsps, clock, connection):
    from integrations.models import Connection
    from integrations.procore import ProcoreClient

    add_tokens(rsps, clock, "tok-typed-1", "tok-typed-2")
    rsps.get(f"{API}/companies", status=401, json={"error": "expired"})
    rsps.get(f"{API}/companies", json=[{"id": 5_982_324_300, "name": "Acme"}])
    typed = _typed(connection, client_secret="typed-secret-value")

    with ProcoreClient.for_unsaved_credentials(typed, clock=clock) as client:
        assert [c["name"] for c in client.list_companies()] == ["Acme"]

    # The typed secret went to the login host; a 401 got a new token, as for saved ones.
    token_calls = [c for c in rsps.calls if c.request.url.endswith("/oauth/token")]
    assert len(token_calls) == 2 and "typed-secret-value" in token_calls[0].request.body
    assert api_requests(rsps)[-1].request.headers["Authorization"] == "Bearer tok-typed-2"
    row = Connection.objects.get(pk=connection.pk)
    assert (row.client_secret, row.access_token) == ("s3cr3t-client-value-XYZ", "")
    assert "typed-secret-value" not in " ".join(
        ApiAttempt.objects.values_list("request_excerpt", flat=True)
    )


def test_unsaved_credentials_are_not_sent_where_credentials_may_not_go(rsps, connection):
    from integrations.procore import ProcoreClient
    from integrations.procore.errors import ConfigurationError

    typed = _typed(connection, login_base_url="https://login.example.net")
    with (
        ProcoreClient.for_unsaved_credentials(typed) as client,
        pytest.raises(ConfigurationError),
    ):
        list(client.list_companies())
    assert not rsps.calls
