"""What listing and writing need of the sql adapter: its engine and where each entity lives.

A protocol, so that ``listing`` and ``writing`` depend on this small shape rather than on
``adapter`` (which builds on them): the imports run one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy.engine import Connection, Engine, Row

from erp_adapters.base import Entity
from erp_adapters.sql.mapping import Source, Target


class SqlBooks(Protocol):
    settings: Mapping[str, Any]
    url: str

    @property
    def engine(self) -> Engine: ...

    def source(self, entity: Entity, part: str = "list") -> Source: ...

    def target(self, entity: Entity, part: str = "create") -> Target: ...

    def lookup(
        self, conn: Connection, entity: Entity, ref: Mapping[str, Any], *, code: str = ""
    ) -> Row | None: ...

    def cost_code(self, conn: Connection, ref: Mapping[str, Any]) -> Row | None: ...
