"""Prime contracts through each real-ERP adapter, end to end over real HTTP against the local
Procore sandbox: the sample SQL ERP (SQLite, the layout of docs/adapters.md) and the sample
file-exchange ERP (``erp_adapters/files/samples``, the simulator playing the ERP's importer).

The ERP's owner contract of a job is staged with its lines when the approver presses Refresh
Prime Contracts, and imported; a change order made on it in Procore, with a markup on one line,
is exported into the ERP and written back line by line and markup by markup.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import Entity, standard_part_of_cost_code_origin_id
from integrations.models import ObjectLink
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.flows.conftest import detail_of
from tests.flows.test_adapters_end_to_end import _deliver_and_work, _linked_job
from tests.flows.test_adapters_end_to_end import erp as erp  # the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_prime_contract_is_staged_from_the_erp_and_its_change_order_exported_to_it(
    erp, provisioned, sandbox_company
):
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.exports import export_accept, export_send
    from procore_sandbox.services.prime_contracts import (
        ChangeOrderLine,
        Markup,
        prime_contract_change_order_create,
    )
    from procore_sandbox.services.staged_records import staged_record_approve

    # -- the ERP's job as a job import leaves it in Procore --------------------------------------
    contract = erp.listed(Entity.PRIME_CONTRACTS)[0]
    job = next(
        j for j in erp.listed(Entity.JOBS) if j.origin_id == contract.data["project_origin_id"]
    )
    standard = {c.origin_id: c for c in erp.listed(Entity.STANDARD_COST_CODES)}
    used = {
        standard_part_of_cost_code_origin_id(line.data["cost_code_origin_id"])
        for line in contract.children
    }
    project = _linked_job(sandbox_company, provisioned.company, job, {i: standard[i] for i in used})
    for cost_type in erp.listed(Entity.STANDARD_CATEGORIES):
        ProcoreObject.objects.filter(
            company=sandbox_company, item_type="line_item_type", data__code=cost_type.origin_code
        ).update(origin_id=cost_type.origin_id)

    # -- Refresh Prime Contracts: the owner contract is staged with its lines -------------------
    (request,) = button_press(company=sandbox_company, button="refresh_prime_contracts")
    _deliver_and_work()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    record = StagedRecord.objects.get(
        company=sandbox_company, item_type="prime_contract", origin_id=contract.origin_id
    )
    assert record.status == "staged"
    assert (record.data["project_origin_id"], record.data["number"]) == (job.origin_id, "PC-001")
    children = list(record.children.order_by("id"))
    assert [c.origin_id for c in children] == [line.origin_id for line in contract.children]
    assert [Decimal(c.data["amount"]) for c in children] == [
        Decimal(line.data["amount"]) for line in contract.children
    ]

    # -- the approver imports it -------------------------------------------------------------------
    prime = staged_record_approve(record=record)
    assert (prime.origin_id, prime.project_id) == (contract.origin_id, project.id)
    lines = list(ProcoreObject.objects.filter(parent=prime, item_type="line_item").order_by("id"))
    assert [line.origin_id for line in lines] == [line.origin_id for line in contract.children]

    # -- a change order with a 10% markup on its first line, exported into the ERP --------------
    change_order = prime_contract_change_order_create(
        company=sandbox_company,
        prime_contract=prime,
        title="Owner added scope",
        number="002",  # the file-exchange sample ERP holds a change order 001 already
        lines=[
            ChangeOrderLine(lines[0].id, "1500.00", markups=(Markup("Overhead", "10"),)),
            ChangeOrderLine(lines[1].id, "-250.25", description="Less paving"),
        ],
    )
    request = export_accept(export=export_send(obj=change_order))
    assert request.request_name == "create_prime_contract_change_order"
    _deliver_and_work()
    erp.answer()
    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    number = "002"
    assert detail.messages == [
        f"Created in the ERP as change order {number}, with 2 lines and 1 markup."
    ]

    # Procore holds the ERP's ids of the change order, its lines and the markup.
    change_order.refresh_from_db()
    assert change_order.origin_id
    co_lines = ProcoreObject.objects.filter(parent=change_order, item_type="line_item")
    markups = ProcoreObject.objects.filter(parent__in=co_lines, item_type="markup")
    ids = [row.origin_id for row in [*co_lines, *markups]]
    assert all(ids) and len({*ids, change_order.origin_id}) == 4
    link = ObjectLink.objects.get(
        item_type="prime_contract_change_order", procore_id=change_order.id
    )
    assert (link.state, link.origin_id) == ("synced", change_order.origin_id)
    # And the ERP holds it, live, on the owner contract.
    standing = erp.adapter.prime_contract_change_orders.standing(
        {"procore_id": change_order.id, "origin_id": change_order.origin_id}
    )
    assert standing.live
    assert standing.label == f"change order {number} on prime contract PC-001"
