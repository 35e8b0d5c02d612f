"""External Data sent by an export itself: Procore shows the objects synced, and the portal's
links say so too, but only for the ones Procore accepted."""

from __future__ import annotations

from integrations.models import ObjectLink
from integrations.procore import ProcoreClient
from integrations.services.external_data import external_data_send


def test_accepted_links_are_synced_on_both_sides_and_refused_ones_are_not(
    sandbox_connection, sandbox_company
):
    from procore_sandbox.models import ProcoreObject
    from procore_sandbox.services.objects import vendor_create

    vendor = vendor_create(company=sandbox_company, name="Acme Paving")
    links = [
        {"item_type": "vendor", "item_id": vendor.id, "origin_id": "erp-1"},
        {"item_type": "vendor", "item_id": 999_999, "origin_id": "erp-2"},  # not in Procore
    ]
    with ProcoreClient(sandbox_connection) as client:
        result = external_data_send(
            client=client, company_pk=sandbox_connection.company_id, links=links
        )

    assert [error.index for error in result.errors] == [1]
    assert ProcoreObject.objects.get(id=vendor.id).origin_id == "erp-1"
    synced = ObjectLink.objects.filter(company=sandbox_connection.company)
    assert list(synced.values_list("origin_id", "procore_id", "state")) == [
        ("erp-1", vendor.id, "synced")
    ]
