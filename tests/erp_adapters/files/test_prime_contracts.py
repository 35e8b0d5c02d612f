"""The files adapter's prime contracts and prime contract change orders beyond the contract: a
bad row of ``prime_contracts.csv`` reported where it is while the other contracts proceed; the
change order's outbox file (a row per line at its own amount, then a row per markup); the
Request Detail waiting for the acknowledgement; and a refusal that leaves nothing behind."""

from __future__ import annotations

import csv

import pytest

from erp_adapters.base import ConstraintViolation, ERPPending, ERPUnavailable
from erp_adapters.files.models import FileExport
from tests.erp_adapters.contract.adapters.files import FilesContractERP
from tests.erp_adapters.contract.books import oid
from tests.erp_adapters.contract.test_prime_contracts import (
    CHANGE_ORDERS,
    LINKS,
    change_order_export,
    prime_books,
)
from tests.erp_adapters.files.conftest import acknowledge, write

HEADER = (
    "erp_id,number,title,status,job_erp_id,line_erp_id,line_position,line_description,"
    "line_amount,line_cost_code_erp_id,line_cost_type_erp_id"
)


@pytest.fixture
def erp(db, tmp_path) -> FilesContractERP:
    return FilesContractERP(tmp_path / "erp", prime_books())


def test_a_bad_row_is_reported_with_its_line_and_column_and_the_rest_proceeds(adapter, folders):
    write(
        folders["import"] / "prime_contracts.csv",
        HEADER + "\n"
        "PC1,PC-001,Owner contract,Approved,J1,L1,1,Sitework,1000.00,CC1,CT1\n"
        "PC1,PC-001,Owner contract,Approved,J1,L2,2,Concrete,2500.50,CC2,CT1\n"
        "PC2,PC-002,Second contract,Approved,J2,L3,1,Steel,12.5x,CC1,CT1\n"
        "PC3,PC-003,Third contract,Approved,J3,L4,1,Roofing,99.5,CC3,CT1\n",
    )
    listed = list(adapter.prime_contracts.list())
    assert [pc.origin_code for pc in listed] == ["PC-001", "PC-003"]
    assert [line.data["amount"] for line in listed[0].children] == ["1000.00", "2500.50"]
    assert listed[1].children[0].data["amount"] == "99.50"
    problems = adapter.prime_contracts.listing_problems
    assert problems.count == 1
    (problem,) = problems.samples
    assert problem.where == "prime_contracts.csv, line 4"
    assert problem.reason.startswith("column line_amount: '12.5x'")


def test_a_missing_prime_contracts_file_is_retried_not_read_as_empty(adapter):
    with pytest.raises(ERPUnavailable) as missing:
        list(adapter.prime_contracts.list())
    assert "prime_contracts.csv (or prime_contracts.xlsx) is not in the import folder" in str(
        missing.value
    )


def _outbox_rows(erp: FilesContractERP) -> list[dict[str, str]]:
    (path,) = erp.folders["outbox"].glob("prime_contract_change_orders-*.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_change_order_waits_in_the_outbox_until_the_erp_answers(erp):
    adapter = erp.adapter.prime_contract_change_orders
    payload = change_order_export(prime_books())
    with pytest.raises(ERPPending) as pending:
        adapter.create(payload)
    assert "waiting for the ERP to import it and acknowledge" in str(pending.value)
    rows = _outbox_rows(erp)
    assert [(r["line_kind"], r["line_procore_id"], r["line_amount"]) for r in rows] == [
        ("line", "593", "299.00"),  # its own amount: 343.85 less the markup
        ("markup", "9", "44.85"),
        ("line", "594", "1200.10"),
    ]
    assert rows[0]["line_prime_contract_line_erp_id"] == oid("pc1-l1")  # the line it changes
    assert (rows[1]["markup_name"], rows[1]["markup_percentage"]) == ("Overhead", "15.0000")
    assert {r["prime_contract_erp_id"] for r in rows} == {oid("pc1")}
    # Asked again before the answer: still waiting, no second file.
    with pytest.raises(ERPPending):
        adapter.create(payload)
    assert adapter.check_create(payload) == []
    assert len(list(erp.folders["outbox"].glob("*.csv"))) == 1
    # The ERP imports it and answers: the change order, its lines and markup, linked.
    result = erp.create(CHANGE_ORDERS, payload)
    assert [(link.item_type, link.item_id) for link in result.links] == LINKS


def test_a_change_order_the_erp_refuses_leaves_nothing_and_says_why(erp):
    adapter = erp.adapter.prime_contract_change_orders
    payload = change_order_export(prime_books())
    with pytest.raises(ERPPending):
        adapter.create(payload)
    (export,) = FileExport.objects.filter(entity=CHANGE_ORDERS)
    acknowledge(
        erp.folders["inbox"],
        "ack-1.csv",
        [(export.file_name, "failed", "", "", "Line 2: the owner has not signed this scope")],
    )
    assert erp.adapter.answers_collect()
    with pytest.raises(ConstraintViolation) as refused:
        adapter.create(payload)
    assert refused.value.messages == [
        "The ERP refused it: Line 2: the owner has not signed this scope"
    ]
    assert adapter.standing({"procore_id": 81}).unlinkable  # the ERP holds nothing of it
    # Corrected and exported again: a new file, which the ERP takes.
    assert erp.create(CHANGE_ORDERS, payload).created is True


def test_a_markup_posting_where_the_erp_has_no_cost_code_is_refused_before_any_file(erp):
    adapter = erp.adapter.prime_contract_change_orders
    payload = change_order_export(prime_books())
    markup = payload["prime_contract_change_order_items"][0]["markup_line_items"][0]["markup"]
    markup["destination_cost_code"].update(full_code="99-999", origin_id="J|CC-NOT-THERE")
    expected = "Line 1 markup 'Overhead': cost code 99-999 is not in the ERP's cost code list."
    assert adapter.check_create(payload) == [expected]
    with pytest.raises(ConstraintViolation):
        adapter.create(payload)
    assert list(erp.folders["outbox"].glob("*.csv")) == []
