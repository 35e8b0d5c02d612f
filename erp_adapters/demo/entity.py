"""What every demo ERP entity shares (the tenant, the offline switch, idempotent creates) and
the line helpers documents with lines share; kept apart from ``adapter`` so the section modules
(prime contracts, payment applications and direct costs, requisitions) can build on it while
``adapter`` imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Model

from erp_adapters.base import (
    Adapter,
    ConstraintViolation,
    CreateResult,
    Entity,
    ERPObject,
    ERPUnavailable,
    ExternalLink,
)
from erp_adapters.demo.checks import Lookup, as_dict, as_int, parse_decimal, text

RowT = TypeVar("RowT", bound=Model)


class DemoEntity:
    """What the demo's entities share: the tenant, the offline switch, idempotent inserts."""

    entity: Entity
    model: type[Model]

    def __init__(self, adapter: Adapter) -> None:
        self.adapter = adapter
        self.tenant: str = adapter.settings["tenant"]
        self.page_size: int = adapter.settings["page_size"]

    @contextmanager
    def reachable(self) -> Iterator[None]:
        """Every call goes through here: the offline switch and database outages become the
        retryable ``ERPUnavailable``; nothing else is translated."""
        if self.adapter.settings["offline"]:
            raise ERPUnavailable("The demo ERP is offline (its 'offline' setting is on).")
        try:
            yield
        except OperationalError as exc:
            raise ERPUnavailable(f"The demo ERP's database did not answer: {exc}") from exc

    def existing(self, procore_id: int | None) -> Any:
        if procore_id is None:
            return None
        return self.model.objects.filter(tenant=self.tenant, procore_id=procore_id).first()

    def insert_once(
        self, procore_id: int, build: Callable[[], RowT], payload: Any
    ) -> tuple[RowT, bool]:
        """``build()`` in a savepoint; on a unique-constraint failure, the row another worker
        created for the same Procore id, or the rule the failure broke."""
        try:
            with transaction.atomic():
                return build(), True
        except IntegrityError:
            winner = self.existing(procore_id)
            if winner is not None:
                return winner, False
            problems = self.check_create(payload) or [
                f"The ERP refused the {self.model._meta.verbose_name}: another record with "
                "the same code was created at the same moment. Export it again."
            ]
            raise ConstraintViolation(problems) from None

    def require_procore_id(self, value: Any, what: str) -> int:
        procore_id = as_int(value)
        if procore_id is None:
            raise ConstraintViolation([f"The export carries no Procore id for the {what}."])
        return procore_id

    lister: Callable[..., Iterator[ERPObject]]

    def list(self) -> Iterator[ERPObject]:
        """Stream the ERP's objects a page at a time (no cursor held between pages)."""
        with self.reachable():
            yield from self.lister(self.tenant, page_size=self.page_size)

    # -- creating an exported object once -------------------------------------------------------
    # Subclasses name where the object sits in the payload (``payload_key``; None when the
    # payload is the object) and what to call it, and provide ``rules`` (the ERP's checks),
    # ``build`` (the rows) and ``result`` (the External Data links).
    payload_key: str | None = None
    what: str = "object"

    def header(self, payload: Any) -> dict[str, Any]:
        data = as_dict(payload)
        return as_dict(data.get(self.payload_key)) if self.payload_key else data

    def rules(self, payload: Any) -> Any:
        raise NotImplementedError

    def check_create(self, payload: Any) -> list[str]:
        """Nothing to say about an object the ERP already holds for this Procore id: creating
        it again returns it, so a retried export closes as success."""
        with self.reachable():
            if self.existing(as_int(self.header(payload).get("id"))) is not None:
                return []
            return list(self.rules(payload))

    def create(self, payload: Any) -> CreateResult:
        with self.reachable():
            procore_id = self.require_procore_id(self.header(payload).get("id"), self.what)
            row = self.existing(procore_id)
            if row is not None:
                return self.result(row, created=False)
            problems = self.check_create(payload)
            if problems:
                raise ConstraintViolation(problems)
            row, created = self.insert_once(
                procore_id, lambda: self.build(payload, procore_id), payload
            )
            return self.result(row, created=created)

    def build(self, payload: Any, procore_id: int) -> Any:
        raise NotImplementedError

    def result(self, row: Any, *, created: bool) -> CreateResult:
        raise NotImplementedError


def line_values(item: dict[str, Any], lookup: Lookup, position: int) -> dict[str, Any]:
    """A checked payload line as ERP line columns (check_lines has vouched for every value)."""
    return {
        "procore_id": as_int(item.get("id")),
        "position": as_int(item.get("position")) or position,
        "description": text(item.get("description")),
        "cost_code": lookup.cost_code(as_dict(item.get("cost_code"))),
        "cost_type": lookup.cost_type(as_dict(item.get("line_item_type"))),
        "quantity": parse_decimal(item.get("quantity")),
        "unit_cost": parse_decimal(item.get("unit_cost")),
        "uom": text(item.get("uom")),
        "amount": parse_decimal(item.get("amount")),
    }


def line_links(lines: Iterable[Any]) -> tuple[ExternalLink, ...]:
    """The External Data links of a document's lines that came from Procore."""
    return tuple(
        ExternalLink("line_item", line.procore_id, str(line.guid))
        for line in lines
        if line.procore_id is not None
    )
