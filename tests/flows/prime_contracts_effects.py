"""The request-fixture walk's BEFORE and EFFECTS for prime contracts and their change orders
(``sync_prime_contracts``, ``create_prime_contract_change_order``,
``unlink_prime_contract_change_order``, ``reset_prime_contract_change_order``).

Each BEFORE builds what the dictionary's payload names, keeping its shape: the ERP rows take the
payload's ERP ids (they are UUIDs, as the demo ERP's are), and the Procore objects are made in
the sandbox, their ids written into the data where the payload has Procore ids. Each EFFECT
checks what the events dictionary requires of the request and what the portal's links say.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoJob
from erp_adapters.demo.models.prime_contracts import (
    DemoPrimeContract,
    DemoPrimeContractChangeOrder,
    DemoPrimeContractChangeOrderLine,
    DemoPrimeContractLine,
    DemoPrimeContractMarkup,
)
from integrations.models import ERPRequest, ObjectLink, SyncRun
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.flows.prime_contract_books import books_with_synced_job, erp_prime_contract

# -- sync_prime_contracts -----------------------------------------------------------------------


def before_sync_prime_contracts(given: Any, data: dict) -> None:
    """A job synced with Procore, and its owner contract of two lines in the ERP."""
    books = books_with_synced_job(given.connection, given.company)
    erp_prime_contract(books)


def staged_prime_contracts(given: Any, ours: ERPRequest, data: dict) -> None:
    """The contract waits on Ready to Import with its two lines as children."""
    run = SyncRun.objects.get(erp_request=ours)
    assert (run.entity, run.state, run.created) == ("prime_contracts", "succeeded", 1)
    contract = DemoPrimeContract.objects.get(tenant=given.tenant)
    record = StagedRecord.objects.get(
        company=given.company, item_type="prime_contract", origin_id=str(contract.guid)
    )
    assert record.status == "staged" and record.children.count() == 2
    link = ObjectLink.objects.get(company=given.connection.company, item_type="prime_contract")
    assert (link.state, link.staged_record_id) == ("staged", record.id)


# -- create_prime_contract_change_order ---------------------------------------------------------


def _erp_row(model, given: Any, origin_id: str, **fields) -> Any:
    return model.objects.create(tenant=given.tenant, guid=uuid.UUID(origin_id), **fields)


def _sandbox(given: Any, item_type: str, **fields) -> ProcoreObject:
    return ProcoreObject.objects.create(company=given.company, item_type=item_type, **fields)


def before_create_prime_contract_change_order(given: Any, data: dict) -> None:
    """The ERP holds the job, the prime contract, cost code 1-010 and cost type E under the
    payload's ERP ids; Procore holds the change order, its line and its markup (their ids go
    into the data)."""
    project_ref, contract_ref = data["project"], data["prime_contract"]
    (item,) = data["prime_contract_change_order_items"]
    cost_code, cost_type = item["cost_code"], item["line_item_type"]
    job = _erp_row(DemoJob, given, project_ref["origin_id"], code="56-234", name="Community")
    code = _erp_row(DemoCostCode, given, cost_code["origin_id"], code="1-010", name="Summary")
    kind = _erp_row(DemoCostType, given, cost_type["origin_id"], code="E", name="Equipment")
    contract = _erp_row(
        DemoPrimeContract, given, contract_ref["origin_id"], job=job, number="CC", title="CC"
    )
    DemoPrimeContractLine.objects.create(
        tenant=given.tenant,
        prime_contract=contract,
        cost_code=code,
        cost_type=kind,
        amount=Decimal("0.00"),
    )
    project = _sandbox(given, "project", origin_id=project_ref["origin_id"], data={"name": "CC"})
    prime = _sandbox(
        given, "prime_contract", project=project, origin_id=contract_ref["origin_id"], data={}
    )
    change_order = _sandbox(given, "prime_contract_change_order", project=project, parent=prime)
    line = _sandbox(given, "line_item", project=project, parent=change_order)
    (markup_item,) = item["markup_line_items"]
    markup = _sandbox(given, "markup", project=project, parent=line)
    data["prime_contract_change_order"]["id"] = change_order.id
    item["id"] = line.id
    markup_item["id"] = markup.id


def created_prime_contract_change_order(given: Any, ours: ERPRequest, data: dict) -> None:
    """The change order is in the ERP with its line (its own amount, 299.00) and the 15%
    markup (44.85); Procore holds the ERP ids of all three."""
    header = data["prime_contract_change_order"]
    (item,) = data["prime_contract_change_order_items"]
    (markup_item,) = item["markup_line_items"]
    erp = DemoPrimeContractChangeOrder.objects.get(tenant=given.tenant, procore_id=header["id"])
    assert (erp.number, erp.prime_contract.number, str(erp.transaction_date)) == (
        "049",
        "CC",
        "2021-04-20",
    )
    line = DemoPrimeContractChangeOrderLine.objects.get(change_order=erp)
    assert (line.procore_id, line.amount, line.cost_code.code) == (
        item["id"],
        Decimal("299.00"),
        "1-010",
    )
    markup = DemoPrimeContractMarkup.objects.get(line=line)
    assert (markup.procore_id, markup.amount, markup.percentage) == (
        markup_item["id"],
        Decimal("44.85"),
        Decimal("15"),
    )
    origin = dict(
        ProcoreObject.objects.filter(
            id__in=[header["id"], item["id"], markup_item["id"]]
        ).values_list("id", "origin_id")
    )
    assert origin == {
        header["id"]: str(erp.guid),
        item["id"]: str(line.guid),
        markup_item["id"]: str(markup.guid),
    }
    link = ObjectLink.objects.get(
        company=given.connection.company, item_type="prime_contract_change_order"
    )
    assert (link.state, link.procore_id) == ("synced", header["id"])


# -- unlink_prime_contract_change_order ---------------------------------------------------------


def before_unlink_prime_contract_change_order(given: Any, data: dict) -> None:
    """Procore holds the change order and its line, synced under the payload's ERP ids; the ERP
    holds no such change order (deleted there)."""
    header = data["prime_contract_change_order"]
    (item,) = data["prime_contract_change_order_line_items"]
    change_order = _sandbox(given, "prime_contract_change_order", origin_id=header["origin_id"])
    line = _sandbox(given, "line_item", parent=change_order, origin_id=item["origin_id"])
    header["id"], item["id"] = change_order.id, line.id


def unlinked_prime_contract_change_order(given: Any, ours: ERPRequest, data: dict) -> None:
    """Deleted in the ERP: Procore unsynced the change order and its line (origin_id null)."""
    header = data["prime_contract_change_order"]
    (item,) = data["prime_contract_change_order_line_items"]
    origins = ProcoreObject.objects.filter(id__in=[header["id"], item["id"]])
    assert set(origins.values_list("origin_id", flat=True)) == {None}


# -- reset_prime_contract_change_order ----------------------------------------------------------


def before_reset_prime_contract_change_order(given: Any, data: dict) -> None:
    """The ERP holds the change order under the payload's ERP id, tied to Procore's id, and
    the portal links it as synced."""
    from integrations.services.object_links import object_link_mark_synced

    books = books_with_synced_job(given.connection, given.company)
    contract = erp_prime_contract(books)
    origin_id = data["prime_contract_change_order_origin_id"]
    _erp_row(
        DemoPrimeContractChangeOrder,
        given,
        origin_id,
        prime_contract=contract,
        number=data["prime_contract_change_order_number"],
        procore_id=data["prime_contract_change_order_id"],
    )
    for item_type in ("change_order", "prime_contract_change_order"):
        object_link_mark_synced(
            company_pk=given.connection.company_id,
            item_type=item_type,
            origin_id=origin_id,
            procore_id=data["prime_contract_change_order_id"],
        )


def reset_prime_contract_change_order(given: Any, ours: ERPRequest, data: dict) -> None:
    """The ERP keeps the change order without Procore's id; the portal's links are cleared."""
    origin_id = data["prime_contract_change_order_origin_id"]
    erp = DemoPrimeContractChangeOrder.objects.get(tenant=given.tenant, guid=uuid.UUID(origin_id))
    assert erp.procore_id is None
    links = ObjectLink.objects.filter(company=given.connection.company, origin_id=origin_id)
    assert set(links.values_list("state", "procore_id")) == {("pending", None)}


BEFORE: dict[str, Callable[[Any, Any], None]] = {
    "sync_prime_contracts": before_sync_prime_contracts,
    "create_prime_contract_change_order": before_create_prime_contract_change_order,
    "unlink_prime_contract_change_order": before_unlink_prime_contract_change_order,
    "reset_prime_contract_change_order": before_reset_prime_contract_change_order,
}
EFFECTS: dict[str, Callable[[Any, ERPRequest, Any], None]] = {
    "sync_prime_contracts": staged_prime_contracts,
    "create_prime_contract_change_order": created_prime_contract_change_order,
    "unlink_prime_contract_change_order": unlinked_prime_contract_change_order,
    "reset_prime_contract_change_order": reset_prime_contract_change_order,
}
