"""The events dictionary's sections Prime Contracts and Prime Contract Change Orders, made
through the sandbox's own services: each ``request_data`` has the keys of the dictionary's
example (the portal's fixtures) and the Request Details it shows, like
``test_payload_shapes`` does for the other sections; the differences are listed with their
reasons."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from procore_sandbox.models import ErpRequest, ProcoreObject
from procore_sandbox.services import prime_contracts
from procore_sandbox.services.buttons import button_press
from procore_sandbox.services.exports import export_accept, export_send
from procore_sandbox.services.objects import project_create
from tests.procore_sandbox.services.test_payload_shapes import (
    World,
    detail_slots,
    expected_shape,
    shape,
)

pytestmark = pytest.mark.django_db

REQUEST_NAMES = (
    "sync_prime_contracts",
    "create_prime_contract_change_order",
    "unlink_prime_contract_change_order",
    "reset_prime_contract_change_order",
)
# The cost codes' standard_cost_code_origin_id and long_name_helper come with every cost code
# the sandbox sends (as in create_or_update_job's); the dictionary's examples have neither.
COST_CODE_EXTRAS = {"cost_code.long_name_helper", "cost_code.standard_cost_code_origin_id"}
EXTRA: dict[str, set[str]] = {
    "create_prime_contract_change_order": {
        f"{items}[].{path}"
        for items in ("prime_contract_items", "prime_contract_change_order_items")
        for path in COST_CODE_EXTRAS
    },
    "reset_prime_contract_change_order": {
        f"prime_contract_change_order_line_items[].{path}" for path in COST_CODE_EXTRAS
    },
}
MISSING: dict[str, set[str]] = {}
# The unlink and reset examples show an empty markup_line_items list; the sandbox lists the
# markups (reset: as create_prime_contract_change_order shows them; unlink: id, amount and
# origin_id, what the integrator needs to unsync them), so the keys inside are not compared.
UNCOMPARED = "prime_contract_change_order_line_items[].markup_line_items[]"


def _world() -> tuple[World, ProcoreObject]:
    """A synced job with a prime contract (imported: it has ERP ids) and a change order on it
    whose first line carries a markup."""
    w = World()
    project = project_create(company=w.company, name="Tower")
    ProcoreObject.objects.filter(pk=project.pk).update(origin_id="JOB-1")
    project.refresh_from_db()
    code = ProcoreObject.objects.filter(project=project, item_type="cost_code").first()
    contract = prime_contracts.prime_contract_create(
        company=w.company,
        project=project,
        title="Owner",
        lines=[prime_contracts.PrimeContractLine(code.id, w.cost_types["O"].id, "1000")],
    )
    ProcoreObject.objects.filter(pk=contract.pk).update(origin_id="PC-1")
    contract.refresh_from_db()
    (line,) = ProcoreObject.objects.filter(parent=contract, item_type="line_item")
    change_order = prime_contracts.prime_contract_change_order_create(
        company=w.company,
        prime_contract=contract,
        title="Extra",
        lines=[
            prime_contracts.ChangeOrderLine(
                line.id, "299", markups=(prime_contracts.Markup("Overhead", "15"),)
            )
        ],
    )
    return w, change_order


def _synced(change_order: ProcoreObject) -> ProcoreObject:
    ProcoreObject.objects.filter(pk=change_order.pk).update(origin_id="PCCO-1")
    change_order.refresh_from_db()
    return change_order


MAKERS: dict[str, Callable[[], ErpRequest]] = {
    "sync_prime_contracts": lambda: button_press(
        company=_world()[0].company, button="refresh_prime_contracts"
    )[0],
    "create_prime_contract_change_order": lambda: export_accept(
        export=export_send(obj=_world()[1])
    ),
    "unlink_prime_contract_change_order": lambda: prime_contracts.change_order_unlink(
        change_order=_synced(_world()[1])
    ),
    "reset_prime_contract_change_order": lambda: prime_contracts.change_order_reset(
        change_order=_synced(_world()[1])
    ),
}


@pytest.mark.parametrize("name", REQUEST_NAMES)
def test_request_data_has_the_dictionarys_keys(name):
    request = MAKERS[name]()
    request.refresh_from_db()
    assert request.request_name == name
    actual, expected = shape(request.request_data), expected_shape(name)
    actual = {path for path in actual if not path.startswith(UNCOMPARED)}
    assert {"extra": sorted(actual - expected), "missing": sorted(expected - actual)} == {
        "extra": sorted(EXTRA.get(name, set())),
        "missing": sorted(MISSING.get(name, set())),
    }
    slots = detail_slots(request.request_data)
    assert sorted(slots) == sorted(request.details.values_list("id", flat=True))
