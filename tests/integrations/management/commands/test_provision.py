"""``manage.py provision``: what it did, an exit status with the reason, and the secret rotation
in two steps."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.models import AuditEntry, ERPRequest
from procore_sandbox.models import Company as SandboxCompany
from procore_sandbox.models import Hook
from procore_sandbox.services.tenants import app_uninstall
from tests.conftest import SANDBOX_CLIENT_ID as CLIENT_ID
from tests.conftest import SANDBOX_WEBHOOK_SECRET as WEBHOOK_SECRET


def _uninstall_app(company_id: int) -> None:
    """The company admin disconnects our app: every call for the company then gets 403."""
    app_uninstall(company=SandboxCompany.objects.get(id=company_id), client_id=CLIENT_ID)


def test_command_prints_what_it_did(sandbox_connection, capsys):
    company_id = sandbox_connection.company.procore_company_id
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


def test_command_exits_non_zero_with_the_reason(sandbox_connection, capsys):
    company_id = sandbox_connection.company.procore_company_id
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


def test_command_rotates_the_webhook_secret_in_two_steps(sandbox_connection, capsys):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.erp import erp_request_create

    company = sandbox_connection.company
    company_id = company.procore_company_id
    call_command("provision", "--company", str(company_id))

    call_command("provision", "--company", str(company_id), "--rotate-webhook-secret")
    out = capsys.readouterr().out

    sandbox_connection.refresh_from_db()
    assert sandbox_connection.webhook_secret_previous == WEBHOOK_SECRET
    assert sandbox_connection.webhook_secret not in ("", WEBHOOK_SECRET)
    assert sandbox_connection.webhook_secret not in out  # never printed
    assert "Webhook hook:   updated" in out
    assert "--retire-previous-secret" in out
    (hook,) = Hook.objects.filter(company_id=company_id)
    assert hook.destination_headers == {
        "Authorization": f"Bearer {sandbox_connection.webhook_secret}"
    }
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
    sandbox_connection.refresh_from_db()
    assert sandbox_connection.webhook_secret_previous == ""
    rotations = AuditEntry.objects.filter(
        object_type="integrations.Connection", changes__has_key="rotation"
    )
    assert sorted(e.changes["rotation"] for e in rotations) == ["finished", "started"]
