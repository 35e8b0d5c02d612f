"""Shared by the end-to-end flows: a portal company provisioned in the local Procore sandbox, and
what people do in Procore."""

from __future__ import annotations

import pytest

from integrations.services.provisioning import connection_provision


@pytest.fixture
def provisioned(sandbox_connection):
    """The suite's ``sandbox_connection``, provisioned: ERP connection, webhook hook, trigger."""
    connection_provision(company=sandbox_connection.company, actor_label="test")
    sandbox_connection.refresh_from_db()
    return sandbox_connection


def export_vendor(sandbox_company, **fields):
    """What the project user and the approver do in Procore; returns the vendor and request."""
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.exports import export_accept, export_send
    from procore_sandbox.services.objects import vendor_create

    vendor = vendor_create(company=sandbox_company, **fields)
    request = export_accept(export=export_send(obj=vendor))
    assert deliveries_run_due() >= 1  # Procore POSTs the webhook to the portal
    return vendor, request


def detail_of(request):
    """The one Request Detail of a sandbox ERP request, as Procore holds it now."""
    request.refresh_from_db()
    return request.details.get()


def tenant_of(connection) -> str:
    return connection.adapter_settings["tenant"]
