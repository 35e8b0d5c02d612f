"""Provisioning end to end over real HTTP against the local Procore sandbox."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import AuditEntry, Connection, ERPRequest, MetadataConfig
from integrations.services.connections import webhook_url_for
from integrations.services.metadata import (
    metadata_config_create,
    metadata_config_push,
    metadata_default_document,
)
from integrations.services.provisioning import (
    PIECE_ERP_CONNECTION,
    PIECE_HOOK,
    PIECE_TRIGGER,
    Change,
    ProvisioningError,
    connection_provision,
)
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import ErpConnection, Hook, Trigger
from procore_sandbox.services.tenants import app_uninstall
from tests.provisioning.conftest import CLIENT_ID, WEBHOOK_SECRET


def _uninstall_app(company_id: int) -> None:
    """The company admin disconnects our app: every call for the company then gets 403."""
    app_uninstall(company=SandboxCompany.objects.get(id=company_id), client_id=CLIENT_ID)


def _changes(result) -> dict[str, Change]:
    return {step.piece: step.change for step in result.steps}


def _sandbox_state(company_id: int):
    hooks = list(Hook.objects.filter(company_id=company_id))
    triggers = list(Trigger.objects.filter(hook__company_id=company_id))
    return ErpConnection.objects.filter(company_id=company_id).first(), hooks, triggers


def test_provision_creates_connection_hook_and_trigger_in_procore(connection, live_server):
    company = connection.company
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

    connection.refresh_from_db()
    live.refresh_from_db()
    assert connection.erp_connection_id == company.procore_company_id
    assert connection.standard_cost_code_list_id == erp.standard_cost_code_list_id
    assert connection.webhook_hook_id == hooks[0].id
    assert connection.webhook_trigger_id == triggers[0].id
    assert connection.provisioned_at is not None
    assert live.pushed_at is not None
    entry = AuditEntry.objects.filter(object_type="integrations.Connection", action="action").get()
    assert entry.actor_label == "test"
    assert set(entry.changes["provision"]) == {PIECE_ERP_CONNECTION, PIECE_HOOK, PIECE_TRIGGER}
    assert entry.changes["webhook_hook_id"] == {"from": None, "to": hooks[0].id}


def test_provisioning_twice_duplicates_nothing(connection):
    company = connection.company
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

    schedules = ImportSchedule.objects.filter(company=company)
    assert sorted(schedules.values_list("entity", flat=True)) == sorted(
        ["vendors", "standard_cost_codes", "standard_categories"]
    )
    assert all(row.schedule_id for row in schedules)  # a django-q2 schedule behind each


def test_a_new_metadata_version_is_pushed_on_the_next_provision(connection):
    company = connection.company
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


def test_a_rotated_secret_updates_the_hook_instead_of_adding_one(connection):
    company = connection.company
    connection_provision(company=company)
    connection.refresh_from_db()
    connection.webhook_secret_previous = connection.webhook_secret
    connection.webhook_secret = "whsec-rotated-fedcba9876543210"
    connection.save()

    result = connection_provision(company=company)

    assert _changes(result)[PIECE_HOOK] == Change.UPDATED
    _, hooks, triggers = _sandbox_state(company.procore_company_id)
    assert len(hooks) == 1 and len(triggers) == 1
    assert hooks[0].destination_headers == {
        "Authorization": "Bearer whsec-rotated-fedcba9876543210"
    }


def test_lost_ids_are_recovered_from_procore_without_duplicates(connection):
    """A restored database forgot everything; Procore still has the connection, hook, trigger."""
    company = connection.company
    connection_provision(company=company)
    before = _sandbox_state(company.procore_company_id)
    Connection.objects.filter(pk=connection.pk).update(
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
    connection.refresh_from_db()
    assert connection.erp_connection_id == company.procore_company_id
    assert connection.webhook_hook_id == before[1][0].pk
    assert connection.webhook_trigger_id == before[2][0].pk


def test_a_deleted_trigger_is_created_again(connection):
    company = connection.company
    connection_provision(company=company)
    Trigger.objects.filter(hook__company_id=company.procore_company_id).delete()

    result = connection_provision(company=company)

    assert _changes(result)[PIECE_TRIGGER] == Change.CREATED
    assert Trigger.objects.filter(hook__company_id=company.procore_company_id).count() == 1


def test_failure_names_the_piece_and_keeps_what_was_done(connection):
    company = connection.company
    _uninstall_app(company.procore_company_id)

    with pytest.raises(ProvisioningError) as caught:
        connection_provision(company=company, actor_label="test")

    message = str(caught.value)
    assert message.startswith("ERP connection failed (HTTP 403)")
    assert "installed in the company" in message
    entry = AuditEntry.objects.filter(object_type="integrations.Connection", action="action").get()
    assert entry.changes["failed"] == message


def test_push_sends_the_live_version_and_restores_an_old_one(connection):
    company = connection.company
    connection_provision(company=company)
    v1 = MetadataConfig.objects.get(company=company, version=1)
    document = metadata_default_document()
    document["settings"]["labels"]["name"] = "Sage 300"
    metadata_config_create(company=company, document=document)

    pushed = metadata_config_push(company=company, config=v1, actor_label="test")

    assert pushed.version == 3
    assert pushed.document == v1.document
    assert pushed.comment == "Restored from version 1"
    erp, _, _ = _sandbox_state(company.procore_company_id)
    assert erp.metadata["settings"]["labels"]["name"] == "Demo ERP"


# -- The command ---------------------------------------------------------------------------------


def test_command_prints_what_it_did(connection, capsys):
    company_id = connection.company.procore_company_id
    call_command("provision", "--company", str(company_id))
    first = capsys.readouterr().out
    call_command("provision", "--company", str(company_id))
    second = capsys.readouterr().out

    assert "ERP connection: created" in first
    assert "Webhook hook:   created" in first
    assert "Trigger:        created" in first
    assert "Provisioned" in first
    assert "ERP connection: unchanged" in second
    assert "Webhook hook:   unchanged" in second
    assert "Trigger:        unchanged" in second
    assert "already provisioned; nothing changed" in second


def test_command_exits_non_zero_with_the_reason(connection, capsys):
    company_id = connection.company.procore_company_id
    _uninstall_app(company_id)

    with pytest.raises(CommandError) as caught:
        call_command("provision", "--company", str(company_id))
    assert caught.value.returncode == 3
    assert "ERP connection failed (HTTP 403)" in str(caught.value)


@pytest.mark.django_db
def test_command_refuses_an_unknown_company():
    with pytest.raises(CommandError) as caught:
        call_command("provision", "--company", "123456789")
    assert caught.value.returncode == 1
    assert "No company with Procore id 123456789" in str(caught.value)


def test_command_rotates_the_webhook_secret_in_two_steps(connection, capsys):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.erp import erp_request_create

    company = connection.company
    company_id = company.procore_company_id
    call_command("provision", "--company", str(company_id))

    call_command("provision", "--company", str(company_id), "--rotate-webhook-secret")
    out = capsys.readouterr().out

    connection.refresh_from_db()
    assert connection.webhook_secret_previous == WEBHOOK_SECRET
    assert connection.webhook_secret not in ("", WEBHOOK_SECRET)
    assert connection.webhook_secret not in out  # never printed
    assert "Webhook hook:   updated" in out
    assert "--retire-previous-secret" in out
    (hook,) = Hook.objects.filter(company_id=company_id)
    assert hook.destination_headers == {"Authorization": f"Bearer {connection.webhook_secret}"}
    # Procore's next delivery carries the new secret, and the portal accepts it.
    asked = erp_request_create(
        company=SandboxCompany.objects.get(id=company_id),
        request_name="sync_metadata",
        request_data={},
        with_detail=False,
    )
    deliveries_run_due()
    assert ERPRequest.objects.filter(company=company, procore_request_id=asked.id).exists()

    call_command("provision", "--company", str(company_id), "--retire-previous-secret")
    assert "previous webhook secret is retired" in capsys.readouterr().out
    connection.refresh_from_db()
    assert connection.webhook_secret_previous == ""
    rotations = AuditEntry.objects.filter(
        object_type="integrations.Connection", changes__has_key="rotation"
    )
    assert sorted(e.changes["rotation"] for e in rotations) == ["finished", "started"]
