"""The demo ERP's prime contracts and prime contract change orders: what it lists for Procore to
stage, what it refuses of an exported change order (in words an accountant acts on), and that a
void change order stays void."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from erp_adapters.base import ConstraintViolation, DocumentState, Entity, job_cost_code_origin_id
from erp_adapters.demo.models import DemoCostCode, DemoCostType, DemoJob
from erp_adapters.demo.models.prime_contracts import (
    DemoPrimeContract,
    DemoPrimeContractChangeOrder,
    DemoPrimeContractLine,
    DocumentStatus,
)
from erp_adapters.registry import get_adapter

TENANT = "owner-books"
FIXTURE = (
    Path(__file__).resolve().parents[2]
    / "flows"
    / "fixtures"
    / "erp_requests"
    / "create_prime_contract_change_order.json"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def adapter():
    return get_adapter("demo", {"tenant": TENANT, "page_size": 2})


@pytest.fixture
def contract():
    job = DemoJob.objects.create(tenant=TENANT, code="J-1", name="Community Center")
    code = DemoCostCode.objects.create(tenant=TENANT, code="1-010", name="Summary of Work")
    kind = DemoCostType.objects.create(tenant=TENANT, code="E", name="Equipment")
    contract = DemoPrimeContract.objects.create(
        tenant=TENANT, job=job, number="CC", title="Community Center", retainage_percent=5
    )
    DemoPrimeContractLine.objects.create(
        tenant=TENANT,
        prime_contract=contract,
        cost_code=code,
        cost_type=kind,
        amount=Decimal("7396144.00"),
        description="Contract sum",
    )
    return contract


def payload(contract: DemoPrimeContract) -> dict:
    """The dictionary's payload, pointed at this ERP's contract, cost code and cost type."""
    data = copy.deepcopy(json.loads(FIXTURE.read_text())["request_data"])
    data["prime_contract"]["origin_id"] = str(contract.guid)
    line = contract.lines.get()
    for item in data["prime_contract_change_order_items"]:
        item["cost_code"]["origin_id"] = str(line.cost_code.guid)
        item["line_item_type"]["origin_id"] = str(line.cost_type.guid)
    return data


def test_prime_contracts_are_listed_as_staged_records_with_their_lines(adapter, contract):
    other = DemoPrimeContract.objects.create(
        tenant=TENANT, job=contract.job, number="OLD", title="Void one", status="void"
    )
    (listed,) = list(adapter.entity(Entity.PRIME_CONTRACTS).list())
    assert (listed.item_type, listed.origin_id, listed.origin_code) == (
        "prime_contract",
        str(contract.guid),
        "CC",
    )
    assert listed.data["project_origin_id"] == str(contract.job.guid)
    assert (listed.data["status"], listed.data["retainage_percent"]) == ("Approved", "5.00")
    (line,) = listed.children
    assert line.item_type == "line_item" and line.data["amount"] == "7396144.00"
    assert line.data["cost_code_origin_id"] == job_cost_code_origin_id(
        str(contract.job.guid), str(contract.lines.get().cost_code.guid)
    )
    assert str(other.guid) != listed.origin_id  # a void contract is not offered


def test_a_change_order_is_created_with_its_line_and_markup(adapter, contract):
    result = adapter.prime_contract_change_orders.create(payload(contract))
    assert result.created and result.origin_code == "049"
    assert [(link.item_type, link.item_id) for link in result.links] == [
        ("change_order", 81),
        ("line_item", 593),
        ("markup", 9),
    ]
    row = DemoPrimeContractChangeOrder.objects.get(procore_id=81)
    line = row.lines.get()
    assert (line.amount, line.markups.get().amount) == (Decimal("299.00"), Decimal("44.85"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda data, contract: data["prime_contract"].update(origin_id=None, id=None),
            "Prime contract CC is not in the ERP; a change order needs its prime contract. "
            "Enter it in the ERP and import it into Procore (Refresh Prime Contracts) first.",
        ),
        (
            lambda data, contract: DemoJob.objects.filter(pk=contract.job_id).update(
                is_active=False
            ),
            "Job J-1 is closed in the ERP; it takes no new change orders.",
        ),
        (
            lambda data, contract: DemoPrimeContract.objects.filter(pk=contract.pk).update(
                status="void"
            ),
            "Prime contract CC is void in the ERP; it takes no changes.",
        ),
        (
            lambda data, contract: data["prime_contract_change_order_items"][0].update(
                extended_amount="300.0"
            ),
            "Line 1: its amount 343.85 is not its own amount 300.00 plus its markups 44.85.",
        ),
        (
            lambda data, contract: data["prime_contract_change_order_items"][0][
                "markup_line_items"
            ][0]["markup"]["destination_line_item_type"].update(origin_id=None, id=None, code="Z"),
            "Line 1 markup 'ppmarkupvert': cost type 'Equipment' (Z) is not in the ERP.",
        ),
        (
            lambda data, contract: data["prime_contract_change_order"]["erp_custom_fields"].update(
                transaction_date="20/04/2021"
            ),
            "Transaction date '20/04/2021' is not a date (YYYY-MM-DD).",
        ),
    ],
    ids=["no contract", "closed job", "void contract", "markup sum", "markup type", "date"],
)
def test_the_erp_refuses_what_an_accountant_must_fix(adapter, contract, change, message):
    data = payload(contract)
    change(data, contract)
    source = adapter.prime_contract_change_orders
    assert message in source.check_create(data)
    with pytest.raises(ConstraintViolation):
        source.create(data)
    assert not DemoPrimeContractChangeOrder.objects.exists()


def test_a_void_change_order_stays_void(adapter, contract):
    adapter.prime_contract_change_orders.create(payload(contract))
    row = DemoPrimeContractChangeOrder.objects.get()
    row.status = DocumentStatus.VOID
    row.save()
    # Exported again before Procore unlinked it: refused, not revived.
    with pytest.raises(ConstraintViolation, match="is void in the ERP and stays void"):
        adapter.prime_contract_change_orders.create(payload(contract))
    row.status = DocumentStatus.APPROVED
    with pytest.raises(ValidationError, match="A void change order stays void"):
        row.full_clean()
    check = adapter.prime_contract_change_orders.standing({"procore_id": 81, "number": "049"})
    assert check.state is DocumentState.VOID and {link.item_type for link in check.dropped} == {
        "change_order",
        "line_item",
        "markup",
    }
    row.refresh_from_db()
    assert (row.status, row.procore_id) == ("void", None)


def test_unlink_of_a_live_change_order_is_refused_with_the_reason(adapter, contract):
    adapter.prime_contract_change_orders.create(payload(contract))
    check = adapter.prime_contract_change_orders.standing({"procore_id": 81})
    assert check.live and check.state is DocumentState.APPROVED
    assert check.reason.startswith("Change order 049 is still approved on prime contract CC")


def test_demo_seeding_gives_each_job_an_owner_contract_once():
    from erp_adapters.demo.seeding import demo_erp_seed

    report = demo_erp_seed(tenant="seeded", vendors=5, jobs=2, commitments_per_job=0)
    again = demo_erp_seed(tenant="seeded", vendors=5, jobs=2, commitments_per_job=0)
    assert (report.created["prime_contracts"], again.created["prime_contracts"]) == (2, 0)
    adapter = get_adapter("demo", {"tenant": "seeded"})
    listed = list(adapter.prime_contracts.list())
    assert len(listed) == 2 and all(len(obj.children) == 4 for obj in listed)
    # Each line posts to a cost code the job holds, as Procore will look it up in the project.
    from erp_adapters.demo.models import DemoJobCostCode

    held = {code.origin_id for code in DemoJobCostCode.objects.filter(tenant="seeded")}
    assert {line.data["cost_code_origin_id"] for obj in listed for line in obj.children} <= held


def test_a_change_order_of_500_lines_sums_to_procores_total_to_the_cent(adapter, contract):
    """Amounts stay decimals end to end: 500 lines with awkward cents and a 7.5% markup on
    each (Procore rounds each markup to the cent) add up in the ERP to Procore's total."""
    from erp_adapters.demo.prime_contracts import change_order_total

    data = payload(contract)
    (template,) = data["prime_contract_change_order_items"]
    items, procore_total = [], Decimal(0)
    for n in range(1, 501):
        own = Decimal(n * 7919 % 100_000) / 100 + Decimal("0.01")
        markup = (own * Decimal("0.075")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        item = copy.deepcopy(template)
        item.update(
            id=10_000 + n,
            position=n,
            amount=str(own + markup),
            extended_amount=str(own),
        )
        item["markup_line_items"][0].update(id=20_000 + n, amount=str(markup))
        item["markup_line_items"][0]["markup"]["percentage"] = "7.50"
        items.append(item)
        procore_total += own + markup
    data["prime_contract_change_order_items"] = items

    result = adapter.prime_contract_change_orders.create(data)
    assert len(result.links) == 1 + 500 + 500
    row = DemoPrimeContractChangeOrder.objects.get(procore_id=81)
    assert change_order_total(row) == f"{procore_total:.2f}"
