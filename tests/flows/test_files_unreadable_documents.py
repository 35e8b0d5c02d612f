"""A document whose line is unreadable in the ERP's file (the files adapter), end to end over
real HTTP against the local Procore sandbox: the bad line spoils its whole document, which
waits as Procore has it (staged, never archived) with the line reported by file, line and
column, and is staged again once the ERP corrects the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from erp_adapters.base import Entity, standard_part_of_cost_code_origin_id
from integrations.models import SyncRun
from procore_sandbox.models import ProcoreObject, StagedRecord
from tests.flows.conftest import detail_of
from tests.flows.test_adapters_end_to_end import _deliver_and_work, _linked_job
from tests.flows.test_adapters_end_to_end import erp as erp  # the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _refresh(company):
    from procore_sandbox.services.buttons import button_press

    (request,) = button_press(company=company, button="refresh_prime_contracts")
    _deliver_and_work()
    return detail_of(request)


@pytest.mark.parametrize("erp", ["files"], indirect=True)
def test_a_prime_contract_with_an_unreadable_line_stays_staged_and_the_line_is_reported(
    erp, provisioned, sandbox_company
):
    contract = erp.listed(Entity.PRIME_CONTRACTS)[0]
    job = next(
        j for j in erp.listed(Entity.JOBS) if j.origin_id == contract.data["project_origin_id"]
    )
    standard = {c.origin_id: c for c in erp.listed(Entity.STANDARD_COST_CODES)}
    used = {
        standard_part_of_cost_code_origin_id(line.data["cost_code_origin_id"])
        for line in contract.children
    }
    _linked_job(sandbox_company, provisioned.company, job, {i: standard[i] for i in used})
    assert _refresh(sandbox_company).status == "success"
    record = StagedRecord.objects.get(company=sandbox_company, origin_id=contract.origin_id)
    assert record.status == "staged"

    # The ERP writes the amount of the contract's second line with a thousands separator.
    path = Path(erp.settings["import_folder"]) / "prime_contracts.csv"
    good = path.read_text()
    lines = good.splitlines()
    second = next(n for n, line in enumerate(lines) if line.startswith(f"{contract.origin_id},"))
    second += 1
    assert lines[second].startswith(f"{contract.origin_id},")
    head, _, tail = lines[second].partition(",2000000.00,")
    lines[second] = f'{head},"2,000,000.00",{tail}'
    path.write_text("\n".join(lines) + "\n")

    detail = _refresh(sandbox_company)

    assert detail.status == "failed"
    assert detail.messages[0].endswith(
        "1 prime contract in the ERP could not be read and was left as it was; correct it in "
        "the ERP."
    )
    assert detail.messages[1] == (
        f"prime_contracts.csv, line {second + 1}: column line_amount: '2,000,000.00' is not a "
        "decimal number (write digits with '.' before the decimals and no thousands "
        "separator, e.g. 1234.50)"
    )
    record.refresh_from_db()
    assert record.status == "staged"  # still in the ERP: not archived
    assert SyncRun.objects.filter(entity="prime_contracts").latest("id").archived == 0
    assert [c.data["amount"] for c in record.children.order_by("id")][1] == "2000000.00"

    # Corrected: nothing changed, nothing archived; the contract is as it was.
    path.write_text(good)
    detail = _refresh(sandbox_company)
    assert detail.status == "success", detail.messages
    record.refresh_from_db()
    assert record.status == "staged"
    assert not ProcoreObject.objects.filter(origin_id=contract.origin_id).exists()
