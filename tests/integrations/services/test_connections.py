"""Checking a connection against the local Procore sandbox: ok, revoked secret, app not
installed."""

from __future__ import annotations

from integrations.models import Connection
from integrations.services.connections import CheckOutcome, connection_check
from tests.factories import CompanyFactory, ConnectionFactory


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
