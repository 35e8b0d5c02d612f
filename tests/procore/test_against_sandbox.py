"""The same client over real HTTP against the local Procore sandbox (live server)."""

from __future__ import annotations

import pytest

from integrations.models import ApiAttempt, Connection
from integrations.procore import ProcoreClient, RequestDetailClosure
from integrations.procore.errors import UnavailableError
from integrations.services.connections import CheckOutcome, connection_check
from tests.factories import CompanyFactory, ConnectionFactory


@pytest.fixture
def client(sandbox_connection):
    with ProcoreClient(sandbox_connection) as procore:
        yield procore


def test_provisioning_calls_and_webhook_management(client, sandbox_connection):
    erp = client.create_erp_connection(
        service_url="https://portal.example", metadata={"settings": {"labels": {"name": "Demo"}}}
    )
    assert erp.id == sandbox_connection.company.procore_company_id
    assert erp.standard_cost_code_list_id
    client.update_erp_metadata(metadata={"settings": {"labels": {"name": "Demo ERP"}}})

    hook = client.create_hook(
        namespace="erp-portal",
        destination_url="https://portal.example/webhooks/procore/1/",
        destination_headers={"Authorization": "Bearer whsec-e2e-0123456789abcdef"},
    )
    trigger = client.create_trigger(hook["id"])
    assert [h["id"] for h in client.list_hooks(namespace="erp-portal")] == [hook["id"]]
    assert [t["id"] for t in client.list_triggers(hook["id"])] == [trigger["id"]]
    assert list(client.iter_deliveries(hook["id"])) == []

    attempts = ApiAttempt.objects.exclude(path="/oauth/token")
    assert attempts.count() == 7
    assert all(a.request_id and 200 <= a.status_code < 300 for a in attempts)
    assert all(a.rate_limit_limit and a.rate_limit_remaining is not None for a in attempts)
    stored = " ".join(a.request_excerpt + a.response_excerpt for a in attempts)
    assert "whsec-e2e-0123456789abcdef" not in stored


def test_batched_sync_with_item_errors_and_paging(client):
    vendors = [{"origin_id": f"V-{i:05d}", "name": f"Vendor {i}"} for i in range(2500)]
    vendors[1200] = {"origin_id": "V-01200"}  # no name: refused by Procore, not by us
    vendors[2400] = {"origin_id": "V-02400", "name": ""}

    result = client.sync_vendors(vendors)

    assert result.calls == 3
    assert len(result.entities) == 2498
    assert [(e.index, e.reasons) for e in result.errors] == [
        (1200, {"name": ["can't be blank"]}),
        (2400, {"name": ["can't be blank"]}),
    ]
    # Upserts by origin_id: sending them again updates the same vendors.
    again = client.sync_vendors(vendors[:10])
    assert [e["id"] for e in again.entities] == [e["id"] for e in result.entities[:10]]

    staged = client.sync_staged_records(
        [
            {"item_type": "vendor", "origin_id": f"S-{i}", "data": {"name": f"S{i}"}}
            for i in range(5)
        ]
    )
    assert staged.ok
    listed = list(client.list_staged_records(item_type="vendor", per_page=2))
    assert [r["origin_id"] for r in listed] == [f"S-{i}" for i in range(5)]
    assert ApiAttempt.objects.filter(path__contains="staged_records?").count() == 3


def test_bulk_close_out_reports_unknown_details_per_item(client):
    client.create_erp_connection(service_url="https://portal.example", metadata={"settings": {}})
    result = client.close_request_details([RequestDetailClosure(999999, "success")])
    assert [(e.index, e.item["id"]) for e in result.errors] == [(0, 999999)]
    assert result.errors[0].reasons


def test_the_client_stays_under_the_sandbox_spike_limit(client, settings):
    settings.PROCORE_SANDBOX = {"rate_limit_spike": 4, "rate_limit_spike_window": 1}
    for _ in range(6):  # the fifth has to wait for the next window
        list(client.list_staged_records(item_type="vendor"))
    attempts = ApiAttempt.objects.exclude(path="/oauth/token").order_by("id")
    assert [a.status_code for a in attempts] == [200] * 6
    assert [a.rate_limit_remaining for a in attempts][:4] == [3, 2, 1, 0]


def test_a_503_on_a_create_is_not_repeated(client, settings):
    client.tokens.token()
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 5}
    with pytest.raises(UnavailableError) as caught:
        client.create_staged_record({"item_type": "vendor", "origin_id": "V-1", "data": {}})
    assert caught.value.retry_after == 5
    assert ApiAttempt.objects.exclude(path="/oauth/token").count() == 1


def test_a_503_from_the_login_host_says_when_to_come_back(client, settings):
    settings.PROCORE_SANDBOX = {"fault_503_share": 1.0, "fault_503_retry_after": 5}
    with pytest.raises(UnavailableError) as caught:
        client.tokens.token()
    assert caught.value.retryable and caught.value.retry_after == 5


def test_connection_check_against_the_sandbox(sandbox_connection, sandbox_base_url):
    assert connection_check(connection=sandbox_connection).outcome == CheckOutcome.OK

    # A revoked secret is caught even though a token from it is still cached.
    Connection.objects.filter(pk=sandbox_connection.pk).update(client_secret="not-the-secret")
    result = connection_check(connection=Connection.objects.get(pk=sandbox_connection.pk))
    assert result.outcome == CheckOutcome.BAD_CREDENTIALS

    elsewhere = ConnectionFactory(
        company=CompanyFactory(procore_company_id=4_999_999_999),
        login_base_url=sandbox_base_url,
        api_base_url=sandbox_base_url,
        client_id="e2e-app",
        client_secret="e2e-app-secret-0123456789",
    )
    assert connection_check(connection=elsewhere).outcome == CheckOutcome.NOT_INSTALLED
