"""One provisioning of a company at a time: two at once would create two hooks in Procore."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import Connection
from integrations.services import provisioning
from integrations.services.leases import worker_name
from integrations.services.provisioning import (
    ProvisioningError,
    connection_provision,
    webhook_secret_rotate,
)
from procore_sandbox.models import Hook

HOLDER = "admin-web-2:4711/a1b2c3"


def _hold_lease(connection: Connection, minutes: float) -> None:
    Connection.objects.filter(pk=connection.pk).update(
        lease_owner=HOLDER, lease_expires_at=timezone.now() + timedelta(minutes=minutes)
    )


def test_a_second_provisioning_while_one_runs_is_refused_and_touches_nothing(connection):
    _hold_lease(connection, 5)  # another person's provisioning is under way
    until = Connection.objects.get(pk=connection.pk).lease_expires_at

    with pytest.raises(ProvisioningError, match="being provisioned already") as refused:
        connection_provision(company=connection.company)

    # Who holds it, and until when at the latest.
    assert f"({HOLDER})" in str(refused.value)
    assert f"(at the latest {until:%H:%M} UTC)" in str(refused.value)

    assert not Hook.objects.filter(company_id=connection.company.procore_company_id).exists()
    connection.refresh_from_db()
    assert connection.provisioned_at is None


def test_a_rotation_while_provisioning_runs_is_refused_and_keeps_the_secret(connection):
    secret = connection.webhook_secret
    _hold_lease(connection, 5)

    with pytest.raises(ProvisioningError, match="being provisioned already"):
        webhook_secret_rotate(company=connection.company)

    connection.refresh_from_db()
    assert (connection.webhook_secret, connection.webhook_secret_previous) == (secret, "")
    assert connection.lease_owner == HOLDER  # the holder's lease is left alone


def test_the_lease_is_given_back_after_success_and_after_failure(connection):
    connection_provision(company=connection.company)
    connection.refresh_from_db()
    assert (connection.lease_owner, connection.lease_expires_at) == ("", None)

    Connection.objects.filter(pk=connection.pk).update(client_secret="")  # fails before Procore
    Connection.objects.filter(pk=connection.pk).update(client_id="")
    with pytest.raises(ProvisioningError, match="no client id or secret"):
        connection_provision(company=connection.company)
    connection.refresh_from_db()
    assert (connection.lease_owner, connection.lease_expires_at) == ("", None)


def test_a_lease_left_by_a_dead_process_runs_out(connection):
    _hold_lease(connection, -1)  # its process died a minute after the lease ran out

    result = connection_provision(company=connection.company)

    assert result.connection.webhook_hook_id is not None
    assert Hook.objects.filter(company_id=connection.company.procore_company_id).count() == 1
    connection.refresh_from_db()
    assert (connection.lease_owner, connection.lease_expires_at) == ("", None)


def test_while_it_runs_the_lease_names_this_process_and_survives_a_full_save(
    connection, monkeypatch
):
    seen = {}

    def provision(held: Connection, **kwargs):
        held.save()  # a full save of the connection writes the lease columns too
        row = Connection.objects.get(pk=held.pk)
        seen["holder"] = (row.lease_owner, row.lease_expires_at)
        with pytest.raises(ProvisioningError, match="being provisioned already"):
            connection_provision(company=connection.company)

    monkeypatch.setattr(provisioning, "_provision", provision)

    connection_provision(company=connection.company)

    owner, until = seen["holder"]
    assert owner.startswith(worker_name() + "/")
    assert timezone.now() + timedelta(minutes=9) < until <= timezone.now() + timedelta(minutes=10)
    connection.refresh_from_db()
    assert (connection.lease_owner, connection.lease_expires_at) == ("", None)
