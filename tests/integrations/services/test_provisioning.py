"""Provisioning over real HTTP against the local Procore sandbox: what it creates, what it repairs,
and one provisioning of a company at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import AuditEntry, Connection, MetadataConfig
from integrations.procore import ErrorKind
from integrations.services import provisioning
from integrations.services.connections import webhook_url_for
from integrations.services.leases import worker_name
from integrations.services.metadata import metadata_config_create, metadata_default_document
from integrations.services.provisioning import (
    PIECE_ERP_CONNECTION,
    PIECE_HOOK,
    PIECE_TRIGGER,
    Change,
    ProvisioningError,
    connection_provision,
    webhook_secret_retire_previous,
    webhook_secret_rotate,
)
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import ErpConnection, Hook, Trigger
from procore_sandbox.services.tenants import app_uninstall
from tests.conftest import SANDBOX_CLIENT_ID as CLIENT_ID
from tests.conftest import SANDBOX_WEBHOOK_SECRET as WEBHOOK_SECRET
from tests.factories import ConnectionFactory


def _uninstall_app(company_id: int) -> None:
    """The company admin disconnects our app: every call for the company then gets 403."""
    app_uninstall(company=SandboxCompany.objects.get(id=company_id), client_id=CLIENT_ID)


def _changes(result) -> dict[str, Change]:
    return {step.piece: step.change for step in result.steps}


def _sandbox_state(company_id: int):
    hooks = list(Hook.objects.filter(company_id=company_id))
    triggers = list(Trigger.objects.filter(hook__company_id=company_id))
    return ErpConnection.objects.filter(company_id=company_id).first(), hooks, triggers


def test_provision_creates_connection_hook_and_trigger_in_procore(sandbox_connection, live_server):
    company = sandbox_connection.company
    result = connection_provision(company=company, actor_label="test")

    assert _changes(result) == {
        PIECE_ERP_CONNECTION: Change.CREATED,
        PIECE_HOOK: Change.CREATED,
        PIECE_TRIGGER: Change.CREATED,
    }
    erp, hooks, triggers = _sandbox_state(company.procore_company_id)
    live = MetadataConfig.objects.get(company=company)
    assert erp is not None
    assert erp.metadata == live.document == metadata_default_document()
    assert erp.service_url == live_server.url
    assert [(h.namespace, h.api_version) for h in hooks] == [("erp-portal", "v2")]
    assert hooks[0].destination_url == webhook_url_for(company)
    assert hooks[0].destination_url.startswith(live_server.url)
    assert hooks[0].destination_headers == {"Authorization": f"Bearer {WEBHOOK_SECRET}"}
    assert [(t.resource_name, t.event_type) for t in triggers] == [("ERP Requests", "create")]

    sandbox_connection.refresh_from_db()
    live.refresh_from_db()
    assert sandbox_connection.erp_connection_id == company.procore_company_id
    assert sandbox_connection.standard_cost_code_list_id == erp.standard_cost_code_list_id
    assert sandbox_connection.webhook_hook_id == hooks[0].id
    assert sandbox_connection.webhook_trigger_id == triggers[0].id
    assert sandbox_connection.provisioned_at is not None
    assert live.pushed_at is not None
    entry = AuditEntry.objects.filter(object_type="integrations.Connection", action="action").get()
    assert entry.actor_label == "test"
    assert set(entry.changes["provision"]) == {PIECE_ERP_CONNECTION, PIECE_HOOK, PIECE_TRIGGER}
    assert entry.changes["webhook_hook_id"] == {"from": None, "to": hooks[0].id}


def test_provisioning_twice_duplicates_nothing(sandbox_connection):
    company = sandbox_connection.company
    connection_provision(company=company)
    first = _sandbox_state(company.procore_company_id)

    again = connection_provision(company=company)

    assert _changes(again) == {
        PIECE_ERP_CONNECTION: Change.UNCHANGED,
        PIECE_HOOK: Change.UNCHANGED,
        PIECE_TRIGGER: Change.UNCHANGED,
    }
    assert not again.changed
    erp, hooks, triggers = _sandbox_state(company.procore_company_id)
    assert (erp.pk, [h.pk for h in hooks], [t.pk for t in triggers]) == (
        first[0].pk,
        [h.pk for h in first[1]],
        [t.pk for t in first[2]],
    )
    assert ErpConnection.objects.filter(company_id=company.procore_company_id).count() == 1
    # Imports are scheduled once per entity, whatever the number of runs.
    from integrations.models import ImportSchedule
    from integrations.models.schedules import ImportEntity

    schedules = ImportSchedule.objects.filter(company=company)
    assert sorted(schedules.values_list("entity", flat=True)) == sorted(ImportEntity.values)
    assert {"vendors", "jobs", "job_costs", "commitments"} <= set(ImportEntity.values)
    assert all(row.schedule_id for row in schedules)  # a django-q2 schedule behind each


def test_a_new_metadata_version_is_pushed_on_the_next_provision(sandbox_connection):
    company = sandbox_connection.company
    connection_provision(company=company)
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    v2 = metadata_config_create(company=company, document=document)

    result = connection_provision(company=company)

    assert _changes(result)[PIECE_ERP_CONNECTION] == Change.UPDATED
    erp, _, _ = _sandbox_state(company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Sage 300"
    v2.refresh_from_db()
    assert v2.pushed_at is not None


def test_a_rotated_secret_updates_the_hook_instead_of_adding_one(sandbox_connection):
    company = sandbox_connection.company
    connection_provision(company=company)
    sandbox_connection.refresh_from_db()
    sandbox_connection.webhook_secret_previous = sandbox_connection.webhook_secret
    sandbox_connection.webhook_secret = "whsec-rotated-fedcba9876543210"
    sandbox_connection.save()

    result = connection_provision(company=company)

    assert _changes(result)[PIECE_HOOK] == Change.UPDATED
    _, hooks, triggers = _sandbox_state(company.procore_company_id)
    assert len(hooks) == 1 and len(triggers) == 1
    assert hooks[0].destination_headers == {
        "Authorization": "Bearer whsec-rotated-fedcba9876543210"
    }


def test_the_webhook_secrets_record_when_they_were_generated_rotated_and_retired(
    sandbox_connection,
):
    company = sandbox_connection.company
    Connection.objects.filter(pk=sandbox_connection.pk).update(webhook_secret="")
    connection_provision(company=company)
    generated = Connection.objects.get(pk=sandbox_connection.pk)
    assert generated.webhook_secret and generated.webhook_secret_changed_at is not None
    assert generated.webhook_secret_previous_changed_at is None

    webhook_secret_rotate(company=company)
    rotated = Connection.objects.get(pk=sandbox_connection.pk)
    assert rotated.webhook_secret_previous == generated.webhook_secret
    assert rotated.webhook_secret_changed_at > generated.webhook_secret_changed_at
    assert rotated.webhook_secret_previous_changed_at == rotated.webhook_secret_changed_at

    assert webhook_secret_retire_previous(company=company)
    retired = Connection.objects.get(pk=sandbox_connection.pk)
    assert retired.webhook_secret_previous == ""
    assert retired.webhook_secret_previous_changed_at > rotated.webhook_secret_previous_changed_at
    assert retired.webhook_secret_changed_at == rotated.webhook_secret_changed_at
    # The audit trail says what changed, never a value, and not the bookkeeping of times.
    for entry in AuditEntry.objects.filter(object_type="integrations.Connection"):
        assert not any(name.endswith("_changed_at") for name in entry.changes)
        assert generated.webhook_secret not in str(entry.changes)


@pytest.mark.django_db
def test_a_stored_url_the_policy_refuses_stops_provisioning_before_anything_is_sent(rsps):
    """Saved before its host was taken off PROCORE_ALLOWED_CUSTOM_HOSTS, or written around the
    services: provisioning says what to fix, and neither the credentials nor the webhook
    secret leave."""
    connection = ConnectionFactory(
        login_base_url="https://evil.example.com", api_base_url="https://evil.example.com"
    )
    with pytest.raises(ProvisioningError) as caught:
        connection_provision(company=connection.company)
    assert "is not a Procore host" in str(caught.value)
    assert "Check the connection's environment and base URLs." in str(caught.value)
    assert caught.value.kind == ErrorKind.CONFIGURATION
    assert len(rsps.calls) == 0


def test_lost_ids_are_recovered_from_procore_without_duplicates(sandbox_connection):
    """A restored database forgot everything; Procore still has the connection, hook, trigger."""
    company = sandbox_connection.company
    connection_provision(company=company)
    before = _sandbox_state(company.procore_company_id)
    Connection.objects.filter(pk=sandbox_connection.pk).update(
        erp_connection_id=None,
        standard_cost_code_list_id=None,
        webhook_hook_id=None,
        webhook_trigger_id=None,
    )

    result = connection_provision(company=company)

    changes = _changes(result)
    assert changes[PIECE_ERP_CONNECTION] == Change.UPDATED  # refused create → metadata pushed
    assert changes[PIECE_HOOK] == Change.UNCHANGED
    assert changes[PIECE_TRIGGER] == Change.UNCHANGED
    assert any("Standard Cost Code List" in warning for warning in result.warnings)
    after = _sandbox_state(company.procore_company_id)
    assert [h.pk for h in after[1]] == [h.pk for h in before[1]]
    assert [t.pk for t in after[2]] == [t.pk for t in before[2]]
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.erp_connection_id == company.procore_company_id
    assert sandbox_connection.webhook_hook_id == before[1][0].pk
    assert sandbox_connection.webhook_trigger_id == before[2][0].pk


def test_a_deleted_trigger_is_created_again(sandbox_connection):
    company = sandbox_connection.company
    connection_provision(company=company)
    Trigger.objects.filter(hook__company_id=company.procore_company_id).delete()

    result = connection_provision(company=company)

    assert _changes(result)[PIECE_TRIGGER] == Change.CREATED
    assert Trigger.objects.filter(hook__company_id=company.procore_company_id).count() == 1


def test_failure_names_the_piece_and_keeps_what_was_done(sandbox_connection):
    company = sandbox_connection.company
    _uninstall_app(company.procore_company_id)

    with pytest.raises(ProvisioningError) as caught:
        connection_provision(company=company, actor_label="test")

    message = str(caught.value)
    assert message.startswith("ERP connection failed (HTTP 403)")
    assert "installed in the company" in message
    entry = AuditEntry.objects.filter(object_type="integrations.Connection", action="action").get()
    assert entry.changes["failed"] == message


# -- One provisioning of a company at a time: two at once would create two hooks in Procore ---


HOLDER = "admin-web-2:4711/a1b2c3"


def _hold_lease(connection: Connection, minutes: float) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        lease_owner=HOLDER, lease_expires_at=timezone.now() + timedelta(minutes=minutes)
    )


def test_a_second_provisioning_while_one_runs_is_refused_and_touches_nothing(sandbox_connection):
    _hold_lease(sandbox_connection, 5)  # another person's provisioning is under way
    until = Connection.objects.get(pk=sandbox_connection.pk).lease_expires_at

    with pytest.raises(ProvisioningError, match="being provisioned already") as refused:
        connection_provision(company=sandbox_connection.company)

    # Who holds it, and until when at the latest.
    assert f"({HOLDER})" in str(refused.value)
    assert f"(at the latest {until:%H:%M} UTC)" in str(refused.value)

    assert not Hook.objects.filter(
        company_id=sandbox_connection.company.procore_company_id
    ).exists()
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.provisioned_at is None


def test_a_rotation_while_provisioning_runs_is_refused_and_keeps_the_secret(sandbox_connection):
    secret = sandbox_connection.webhook_secret
    _hold_lease(sandbox_connection, 5)

    with pytest.raises(ProvisioningError, match="being provisioned already"):
        webhook_secret_rotate(company=sandbox_connection.company)

    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.webhook_secret, sandbox_connection.webhook_secret_previous) == (
        secret,
        "",
    )
    assert sandbox_connection.lease_owner == HOLDER  # the holder's lease is left alone


def test_the_lease_is_given_back_after_success_and_after_failure(sandbox_connection):
    connection_provision(company=sandbox_connection.company)
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.lease_owner, sandbox_connection.lease_expires_at) == ("", None)

    Connection.objects.filter(pk=sandbox_connection.pk).update(
        client_secret=""
    )  # fails before Procore
    Connection.objects.filter(pk=sandbox_connection.pk).update(client_id="")
    with pytest.raises(ProvisioningError, match="no client id or secret"):
        connection_provision(company=sandbox_connection.company)
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.lease_owner, sandbox_connection.lease_expires_at) == ("", None)


def test_a_lease_left_by_a_dead_process_runs_out(sandbox_connection):
    _hold_lease(sandbox_connection, -1)  # its process died a minute after the lease ran out

    result = connection_provision(company=sandbox_connection.company)

    assert result.connection.webhook_hook_id is not None
    assert (
        Hook.objects.filter(company_id=sandbox_connection.company.procore_company_id).count() == 1
    )
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.lease_owner, sandbox_connection.lease_expires_at) == ("", None)


def test_while_it_runs_the_lease_names_this_process_and_survives_a_full_save(
    sandbox_connection, monkeypatch
):
    seen = {}

    def provision(held: Connection, **kwargs):
        held.save()  # a full save of the connection writes the lease columns too
        row = Connection.objects.get(pk=held.pk)
        seen["holder"] = (row.lease_owner, row.lease_expires_at)
        with pytest.raises(ProvisioningError, match="being provisioned already"):
            connection_provision(company=sandbox_connection.company)

    monkeypatch.setattr(provisioning, "_provision", provision)

    connection_provision(company=sandbox_connection.company)

    owner, until = seen["holder"]
    assert owner.startswith(worker_name() + "/")
    assert timezone.now() + timedelta(minutes=9) < until <= timezone.now() + timedelta(minutes=10)
    sandbox_connection.refresh_from_db()
    assert (sandbox_connection.lease_owner, sandbox_connection.lease_expires_at) == ("", None)
