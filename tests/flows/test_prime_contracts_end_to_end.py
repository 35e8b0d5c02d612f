"""Prime contracts and their change orders, end to end over real HTTP between the portal, the
local Procore sandbox and the demo ERP: the owner contract staged with its lines, imported,
changed in the ERP and staged again; a change order with lines and markups exported whole and
written back line by line, never twice, never in part; unlink of a live and of a void one; and a
Super User's reset."""

from __future__ import annotations

from decimal import Decimal

import pytest

from erp_adapters.base import ConstraintViolation
from erp_adapters.demo.models.prime_contracts import (
    DemoPrimeContractChangeOrder,
    DemoPrimeContractChangeOrderLine,
    DemoPrimeContractLine,
    DemoPrimeContractMarkup,
    DocumentStatus,
)
from erp_adapters.demo.prime_contracts import change_order_total
from integrations.models import ObjectLink, SyncRun
from integrations.services.sweeper import process_pending
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.flows.conftest import detail_of
from tests.flows.prime_contract_books import (
    books_with_synced_job,
    erp_prime_contract,
    imported_prime_contract,
    sync_project,
)


def _refresh(sandbox_company):
    """The approver presses Refresh Prime Contracts; Procore delivers, the portal works."""
    from procore_sandbox.services.buttons import button_press
    from procore_sandbox.services.delivery import deliveries_run_due

    (request,) = button_press(company=sandbox_company, button="refresh_prime_contracts")
    assert request.request_name == "sync_prime_contracts"
    assert deliveries_run_due() >= 1
    process_pending()
    return detail_of(request)


def _staged(sandbox_company, origin_id: str) -> StagedRecord:
    return StagedRecord.objects.get(
        company=sandbox_company, item_type="prime_contract", origin_id=origin_id
    )


def test_prime_contract_is_staged_with_its_lines_imported_changed_and_staged_again(
    provisioned, sandbox_company
):
    from procore_sandbox.services.staged_records import staged_record_approve

    books = books_with_synced_job(provisioned, sandbox_company)
    contract = erp_prime_contract(books)

    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages
    assert detail.messages[0].startswith("Staged 1 new prime contract")
    record = _staged(sandbox_company, str(contract.guid))
    assert record.status == "staged"
    assert record.data["project_origin_id"] == str(books.job.guid)
    assert (record.data["number"], record.data["title"]) == ("PC-1", "Owner contract")
    children = list(record.children.order_by("id"))
    assert [c.data["amount"] for c in children] == ["1000.00", "2500.50"]
    assert {c.data["line_item_type_origin_id"] for c in children} == {
        str(books.cost_types["O"].guid)
    }
    link = ObjectLink.objects.get(company=provisioned.company, item_type="prime_contract")
    assert (link.state, link.origin_code) == ("staged", "PC-1")

    # The approver imports it: the contract and its two lines are in Procore, with ERP ids.
    imported = staged_record_approve(record=record)
    lines = ProcoreObject.objects.filter(parent=imported, item_type="line_item").order_by("id")
    assert imported.origin_id == str(contract.guid) and imported.project_id == books.project.id
    assert [(r.data["amount"], r.data["cost_code_id"]) for r in lines] == [
        ("1000.00", books.project_codes["01-100"].id),
        ("2500.50", books.project_codes["03-300"].id),
    ]

    # Nothing changed: a refresh sends nothing.
    detail = _refresh(sandbox_company)
    assert detail.messages[0].startswith("No changes: all 1 prime contract"), detail.messages
    assert SyncRun.objects.latest("id").api_calls == 0

    # The owner signs a change in the ERP: the contract is staged again, and imported again.
    DemoPrimeContractLine.objects.filter(prime_contract=contract, position=2).update(
        amount=Decimal("2750.75")
    )
    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages
    record.refresh_from_db()
    assert record.status == "staged"  # back on Ready to Import
    assert record.children.get(data__position=2).data["amount"] == "2750.75"
    staged_record_approve(record=record)
    assert ProcoreObject.objects.filter(item_type="prime_contract").count() == 1
    line = ProcoreObject.objects.get(parent=imported, item_type="line_item", data__position=2)
    assert line.data["amount"] == "2750.75"

    # It leaves the ERP (void): its staged record is archived.
    contract.status = DocumentStatus.VOID
    contract.save()
    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages
    record.refresh_from_db()
    assert record.status == "archived"


def test_prime_contract_waits_with_a_reason_until_its_job_is_in_procore(
    provisioned, sandbox_company
):
    books = books_with_synced_job(provisioned, sandbox_company, synced=False)
    contract = erp_prime_contract(books)

    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages  # the refresh did its work
    assert "1 prime contract waits for what it belongs to" in detail.messages[0]
    assert detail.messages[1] == (
        "PC-1: not staged: its job is not synced with Procore yet; import the job (or export "
        "the project) first, and the next refresh stages it."
    )
    assert not StagedRecord.objects.filter(item_type="prime_contract").exists()

    sync_project(provisioned, books.project, books.job, books.codes)
    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages
    assert _staged(sandbox_company, str(contract.guid)).status == "staged"


# -- change orders ---------------------------------------------------------------------------------


def _change_order(books, prime, *, markup: str | None = "15", number: str = "049"):
    """Two lines on the imported contract; the first carries a 15% markup."""
    from procore_sandbox.services.prime_contracts import (
        ChangeOrderLine,
        Markup,
        prime_contract_change_order_create,
    )

    lines = list(ProcoreObject.objects.filter(parent=prime, item_type="line_item").order_by("id"))
    return prime_contract_change_order_create(
        company=prime.company,
        prime_contract=prime,
        title="Owner added scope",
        number=number,
        lines=[
            ChangeOrderLine(
                lines[0].id,
                "299.00",
                markups=(Markup("Overhead", markup),) if markup else (),
            ),
            ChangeOrderLine(lines[1].id, "1200.10", description="More concrete"),
        ],
    )


def _send(change_order):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.exports import export_accept, export_send

    request = export_accept(export=export_send(obj=change_order))
    assert request.request_name == "create_prime_contract_change_order"
    assert deliveries_run_due() >= 1
    process_pending()
    return request


@pytest.fixture
def imported(provisioned, sandbox_company):
    books = books_with_synced_job(provisioned, sandbox_company)
    contract = erp_prime_contract(books)
    return books, contract, imported_prime_contract(books, contract)


def test_change_order_with_lines_and_markups_is_exported_whole_and_written_back(
    provisioned, imported
):
    books, contract, prime = imported
    change_order = _change_order(books, prime)
    request = _send(change_order)

    detail = detail_of(request)
    assert detail.status == "success", detail.messages
    assert detail.messages == ["Created in the ERP as change order 049, with 2 lines and 1 markup."]
    erp = DemoPrimeContractChangeOrder.objects.get(procore_id=change_order.id)
    assert (erp.prime_contract_id, erp.number, erp.status) == (contract.id, "049", "approved")
    lines = list(erp.lines.order_by("position"))
    assert [line.amount for line in lines] == [Decimal("299.00"), Decimal("1200.10")]
    assert [line.prime_contract_line.position for line in lines] == [1, 2]
    (markup,) = DemoPrimeContractMarkup.objects.filter(line__change_order=erp)
    assert (markup.name, markup.percentage, markup.amount) == (
        "Overhead",
        Decimal("15.0000"),
        Decimal("44.85"),
    )
    # The ERP's total is Procore's, to the cent.
    change_order.refresh_from_db()
    assert change_order_total(erp) == change_order.data["grand_total"] == "1543.95"
    # Written back: the change order, each line and the markup carry their ERP ids.
    assert change_order.origin_id == str(erp.guid)
    procore_lines = ProcoreObject.objects.filter(parent=change_order, item_type="line_item")
    assert {r.origin_id for r in procore_lines} == {str(line.guid) for line in lines}
    assert ProcoreObject.objects.get(item_type="markup").origin_id == str(markup.guid)
    link = ObjectLink.objects.get(
        company=provisioned.company, item_type="prime_contract_change_order"
    )
    assert (link.state, link.procore_id, link.origin_code) == ("synced", change_order.id, "049")


def test_one_bad_line_leaves_nothing_in_the_erp_and_names_the_line(
    provisioned, sandbox_company, imported
):
    books, _contract, prime = imported
    # Line 2 posts to a cost code the ERP's list does not have.
    from procore_sandbox.services.prime_contracts import (
        ChangeOrderLine,
        prime_contract_change_order_create,
    )

    stray = ProcoreObject.objects.create(
        company=sandbox_company,
        item_type="cost_code",
        project=books.project,
        data={"code": "09-900", "name": "Painting", "full_code": "09-900"},
    )
    first = ProcoreObject.objects.filter(parent=prime, item_type="line_item").order_by("id")[0]
    ProcoreObject.objects.filter(pk=first.pk).update(data={**first.data, "cost_code_id": stray.id})
    second = ProcoreObject.objects.filter(parent=prime, item_type="line_item").order_by("id")[1]
    change_order = prime_contract_change_order_create(
        company=sandbox_company,
        prime_contract=prime,
        title="Paint",
        lines=[ChangeOrderLine(second.id, "10.00"), ChangeOrderLine(first.id, "20.00")],
    )
    request = _send(change_order)

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages == [
        "Line 2: cost code 09-900 'Painting' is not in the ERP's cost code list."
    ]
    assert not DemoPrimeContractChangeOrder.objects.exists()
    assert not DemoPrimeContractChangeOrderLine.objects.exists()
    change_order.refresh_from_db()
    assert change_order.origin_id is None


def test_a_line_refused_while_writing_rolls_the_whole_change_order_back(
    provisioned, imported, monkeypatch
):
    """Whole or nothing even when the ERP refuses after the checks passed (the second line's
    markups cannot be written): no header, no first line stays."""
    from erp_adapters.demo import prime_contracts
    from erp_adapters.registry import get_adapter
    from procore_sandbox.services.prime_contracts import change_order_payload

    books, _contract, prime = imported
    change_order = _change_order(books, prime)
    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)
    calls = []

    def refuse(self, line, item, lookup):
        calls.append(line)
        raise ConstraintViolation([f"Line {line.position}: the markup cannot be posted."])

    monkeypatch.setattr(prime_contracts.PrimeContractChangeOrders, "markup_row", refuse)
    with pytest.raises(ConstraintViolation, match="Line 1: the markup cannot be posted"):
        adapter.prime_contract_change_orders.create(change_order_payload(change_order))
    assert calls and not DemoPrimeContractChangeOrder.objects.exists()
    assert not DemoPrimeContractChangeOrderLine.objects.exists()


def test_change_order_delivered_twice_creates_one(provisioned, imported):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.knobs import knob_set

    knob_set(name="webhook_duplicate_share", value=1.0)
    books, _contract, prime = imported
    change_order = _change_order(books, prime)
    request = _send(change_order)
    deliveries_run_due()
    process_pending()
    process_pending()

    assert DemoPrimeContractChangeOrder.objects.filter(procore_id=change_order.id).count() == 1
    assert DemoPrimeContractChangeOrderLine.objects.count() == 2
    assert detail_of(request).status == "success"
    # Exported again by the ERP's own retry: it finds the one it created.
    from erp_adapters.registry import get_adapter
    from procore_sandbox.services.prime_contracts import change_order_payload

    adapter = get_adapter(provisioned.adapter_key, provisioned.adapter_settings)
    again = adapter.prime_contract_change_orders.create(change_order_payload(change_order))
    assert again.created is False and len(again.links) == 4
    assert DemoPrimeContractChangeOrder.objects.count() == 1


def test_change_order_of_a_prime_contract_the_erp_does_not_hold_is_refused(
    provisioned, sandbox_company, imported
):
    books, _contract, prime = imported
    ProcoreObject.objects.filter(pk=prime.pk).update(origin_id=None)
    prime.refresh_from_db()
    request = _send(_change_order(books, prime))

    detail = detail_of(request)
    assert detail.status == "failed"
    assert detail.messages[0].startswith("Prime contract PC-1 is not in the ERP;")
    assert not DemoPrimeContractChangeOrder.objects.exists()


def _unlink(change_order):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.prime_contracts import change_order_unlink

    change_order.refresh_from_db()
    request = change_order_unlink(change_order=change_order)
    assert deliveries_run_due() >= 1
    process_pending()
    return detail_of(request)


def test_unlink_is_refused_while_live_and_done_once_void_in_the_erp(provisioned, imported):
    books, _contract, prime = imported
    change_order = _change_order(books, prime)
    assert detail_of(_send(change_order)).status == "success"
    erp = DemoPrimeContractChangeOrder.objects.get(procore_id=change_order.id)

    detail = _unlink(change_order)
    assert detail.status == "failed"
    assert detail.messages == [
        "Change order 049 is still approved on prime contract PC-1 in the ERP; void or delete "
        "it there first, then unlink it."
    ]
    change_order.refresh_from_db()
    assert change_order.origin_id == str(erp.guid)

    erp.status = DocumentStatus.VOID
    erp.save()
    detail = _unlink(change_order)
    assert detail.status == "success", detail.messages
    change_order.refresh_from_db()
    assert change_order.origin_id is None  # unsynced in Procore, with its lines and markup
    assert (
        not ProcoreObject.objects.filter(
            item_type__in=("line_item", "markup"), parent__parent=change_order
        )
        .exclude(origin_id=None)
        .exists()
    )
    assert not ProcoreObject.objects.filter(item_type="markup").exclude(origin_id=None).exists()
    erp.refresh_from_db()
    assert (erp.status, erp.procore_id) == ("void", None)  # kept void, for history
    link = ObjectLink.objects.get(
        company=provisioned.company, item_type="prime_contract_change_order"
    )
    assert (link.state, link.procore_id) == ("pending", None)

    # Exported again, it is a new change order: the void one is never revived.
    assert detail_of(_send(change_order)).status == "success"
    assert DemoPrimeContractChangeOrder.objects.filter(number="049").count() == 2
    fresh = DemoPrimeContractChangeOrder.objects.get(procore_id=change_order.id)
    assert fresh.status == "approved" and fresh.pk != erp.pk


def test_unlink_of_a_change_order_deleted_in_the_erp_unsyncs_it(provisioned, imported):
    books, _contract, prime = imported
    change_order = _change_order(books, prime, markup=None)
    assert detail_of(_send(change_order)).status == "success"
    DemoPrimeContractChangeOrder.objects.filter(procore_id=change_order.id).delete()

    detail = _unlink(change_order)
    assert detail.status == "success", detail.messages
    change_order.refresh_from_db()
    assert change_order.origin_id is None


def test_super_user_reset_unties_the_change_order_in_the_erp_and_the_portal(provisioned, imported):
    from procore_sandbox.services.delivery import deliveries_run_due
    from procore_sandbox.services.prime_contracts import change_order_reset

    books, _contract, prime = imported
    change_order = _change_order(books, prime)
    assert detail_of(_send(change_order)).status == "success"

    change_order.refresh_from_db()
    request = change_order_reset(change_order=change_order)
    assert request.request_data["prime_contract_change_order_number"] == "049"
    assert not request.details.exists()  # a Super User notice has no Request Detail
    assert deliveries_run_due() >= 1
    process_pending()

    erp = DemoPrimeContractChangeOrder.objects.get(number="049")
    assert erp.procore_id is None and erp.status == "approved"  # kept, untied
    assert not erp.lines.exclude(procore_id=None).exists()
    links = ObjectLink.objects.filter(company=provisioned.company, origin_id=str(erp.guid))
    assert set(links.values_list("state", flat=True)) == {"pending"}


def test_manage_py_sync_stages_many_prime_contracts_in_batches_and_then_sends_nothing(
    provisioned, sandbox_company
):
    """`manage.py sync --entity prime_contracts`: 1,001 contracts in ceil(1001/1000) = 2
    staging calls; run again with nothing changed, no call at all."""
    from io import StringIO

    from django.core.management import call_command

    from erp_adapters.demo.models.prime_contracts import DemoPrimeContract

    books = books_with_synced_job(provisioned, sandbox_company)
    DemoPrimeContract.objects.bulk_create(
        DemoPrimeContract(tenant=books.tenant, job=books.job, number=f"PC-{n:04d}", title="Owner")
        for n in range(1001)
    )
    out = StringIO()
    call_command("sync", company=sandbox_company.id, entity="prime_contracts", stdout=out)
    first = SyncRun.objects.latest("id")
    assert (first.created, first.failed, first.api_calls) == (1001, 0, 2), out.getvalue()
    assert StagedRecord.objects.filter(item_type="prime_contract", status="staged").count() == 1001

    call_command("sync", company=sandbox_company.id, entity="prime_contracts", stdout=out)
    second = SyncRun.objects.latest("id")
    assert (second.unchanged, second.created, second.api_calls) == (1001, 0, 0)
