"""The hook between the contract suite and one adapter.

An adapter joins the suite with one module in ``tests/erp_adapters/contract/adapters/``
holding one or more pytest fixtures whose names end in ``_contract_factory`` (``conftest.py``
finds them; no list to edit). Each fixture returns a factory: called with a ``Books`` it stores
those records in a fresh ERP of its kind and returns a ``ContractERP`` wrapping an adapter
configured on it. For example::

    @pytest.fixture
    def demo_contract_factory(db) -> Callable[[Books], ContractERP]:
        def make(books: Books) -> ContractERP:
            tenant = seed_demo_tables(books)
            return ContractERP(get_adapter("demo", {"tenant": tenant}))
        return make

Subclass ``ContractERP`` when the adapter needs to act as its ERP between calls (a file
exchange whose ERP answers later overrides ``create``), or can simulate an unreachable ERP
(override ``unavailable``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from erp_adapters.base import Adapter, CreateResult, Entity, ERPObject


class ContractERP:
    """One seeded ERP and the adapter configured on it."""

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter

    def listed(self, entity: Entity) -> list[ERPObject]:
        """Everything the adapter lists for ``entity`` (the tests keep their books small)."""
        return list(self.adapter.entity(entity).list())

    def create(self, entity: Entity, payload: dict[str, Any]) -> CreateResult:
        """Create an export and return the final result. An adapter whose ERP answers later
        (a file drop) overrides this to play the ERP's part before returning."""
        return self.adapter.entity(entity).create(payload)

    def unavailable(self) -> Adapter | None:
        """The same adapter configured so that its ERP cannot be reached (the demo's offline
        switch, a database port nobody listens on), or None when it cannot be simulated."""
        return None

    def void(self, entity: Entity, origin_id: str) -> None:
        """The ERP's accountant voids a document it holds (``origin_id``), as the ERP's own
        screens do; the unlink tests then ask the adapter where it stands."""
        raise NotImplementedError(f"{type(self).__name__} cannot void {entity}")

    # -- Payment applications and company-level direct costs --------------------------------------

    def booked(self, entity: Entity, origin_id: str) -> tuple[Decimal, list[Decimal]]:
        """What the ERP's books hold of an exported pay application or direct cost: its total
        (a pay application's: billed this period) and each line's amount, as stored."""
        raise NotImplementedError
