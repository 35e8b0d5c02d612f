"""The ``sql`` adapter: an ERP reached through its database, configured rather than programmed.

Per entity the settings say where objects are read (a table or view and its columns, or a
read-only query) and where exports are written (an insert into the ERP's import table, or a
stored procedure call), see ``settings.py`` and docs/adapters.md. Any database SQLAlchemy Core
2.x reaches works: PostgreSQL, SQLite, SQL Server (``mssql+pyodbc``), MySQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import Any

from sqlalchemy import text as sql_text
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import DataError, SQLAlchemyError, StatementError

from erp_adapters.base import (
    Adapter,
    Entity,
    EntityAdapter,
    ERPMisconfigured,
    ERPUnavailable,
    HealthState,
    HealthStatus,
    standard_part_of_cost_code_origin_id,
)
from erp_adapters.sql.database import (
    connected,
    engine_for,
    safe_url,
    sqlite_file_missing,
)
from erp_adapters.sql.entities import ENTITY_CLASSES
from erp_adapters.sql.fields import entity_parts, part_fields
from erp_adapters.sql.mapping import Source, Target
from erp_adapters.sql.settings import SETTINGS_SCHEMA
from erp_adapters.sql.writing import as_int, text


class SqlAdapter(Adapter):
    """An ERP database read and written through per-entity mappings (docs/adapters.md)."""

    key = "sql"
    label = "SQL database ERP"
    settings_schema = SETTINGS_SCHEMA

    def __init__(self, settings: Mapping[str, Any]) -> None:
        super().__init__(settings)
        self.url: str = self.settings["url"]
        self.fetch_size: int = self.settings["fetch_size"]
        configured = self.settings.get("entities") or {}
        self._entities: dict[Entity, EntityAdapter[Any]] = {
            cls.entity: cls(self) for cls in ENTITY_CLASSES if str(cls.entity) in configured
        }
        self._bound: dict[tuple[Entity, str], Source | Target] = {}

    def entities(self) -> Mapping[Entity, EntityAdapter[Any]]:
        return self._entities

    @cached_property
    def engine(self) -> Engine:
        missing = sqlite_file_missing(self.url)
        if missing:
            raise ERPMisconfigured(
                f"The SQLite database file {missing} does not exist (setting 'url')."
            )
        return engine_for(
            self.url,
            self.settings.get("password"),
            connect_timeout=self.settings["connect_timeout"],
        )

    # -- mappings ---------------------------------------------------------------------------------

    def _config(self, entity: Entity, part: str) -> Mapping[str, Any]:
        config = (self.settings.get("entities") or {}).get(str(entity), {}).get(part)
        if not config:
            raise ERPMisconfigured(
                f"The setting 'entities.{entity}.{part}' is missing: the SQL adapter does not "
                f"know where {str(entity).replace('_', ' ')} are kept."
            )
        return config

    def source(self, entity: Entity, part: str = "list") -> Source:
        key = (entity, part)
        if key not in self._bound:
            fields = part_fields(entity, part)
            self._bound[key] = Source(
                entity, f"entities.{entity}.{part}", fields, self._config(entity, part)
            )
        return self._bound[key]  # type: ignore[return-value]

    def target(self, entity: Entity, part: str = "create") -> Target:
        key = (entity, part)
        if key not in self._bound:
            fields = part_fields(entity, part)
            self._bound[key] = Target(
                entity, f"entities.{entity}.{part}", fields, self._config(entity, part)
            )
        return self._bound[key]  # type: ignore[return-value]

    # -- lookups shared by the entities' checks ---------------------------------------------------

    def _find(self, conn: Connection, where: Source | Target, name: str, value: Any) -> Row | None:
        """``where.find`` that treats a value the column cannot hold (a text id against an
        integer or UUID column) as not found, without spoiling the transaction."""
        if value in (None, ""):
            return None
        if isinstance(where, Target) and where.procedure:
            return None
        try:
            with conn.begin_nested():
                return where.find(conn, name, value)
        except (DataError, StatementError) as exc:
            if isinstance(exc, DataError) or "invalid" in str(exc).lower():
                return None
            raise

    def lookup(
        self, conn: Connection, entity: Entity, ref: Mapping[str, Any], *, code: str = ""
    ) -> Row | None:
        """The ERP's row for a payload's reference: by origin id, then by the Procore id it was
        exported with, then by code; in the listing, then in the import table."""
        places = [self.source(entity, "list"), self.target(entity, "create")]
        origin_id = text(ref.get("origin_id"))
        for place in places:
            found = self._find(conn, place, "origin_id", origin_id)
            if found is not None:
                return found
        procore_id = as_int(ref.get("id"))
        if procore_id is not None:
            found = self._find(conn, places[1], "procore_id", procore_id)
            if found is not None:
                return found
        for place in places:
            found = self._find(conn, place, "origin_code", code)
            if found is not None:
                return found
        return None

    def cost_code(self, conn: Connection, ref: Mapping[str, Any]) -> Row | None:
        """A line's or job's cost code: Procore's project cost code origin id is
        ``<job>|<cost code>``; its standard cost code's ids and full code are the fallbacks."""
        origin_id = standard_part_of_cost_code_origin_id(text(ref.get("origin_id")))
        for candidate in (origin_id, text(ref.get("standard_cost_code_origin_id"))):
            if candidate:
                found = self.lookup(conn, Entity.STANDARD_COST_CODES, {"origin_id": candidate})
                if found is not None:
                    return found
        code = text(ref.get("full_code")) or text(ref.get("sortable_code"))
        return self.lookup(
            conn,
            Entity.STANDARD_COST_CODES,
            {"id": ref.get("standard_cost_code_id")},
            code=code,
        )

    # -- health -----------------------------------------------------------------------------------

    def health_check(self) -> HealthStatus:
        """The database answers, and every mapped table, column and query is there."""
        where = safe_url(self.url)
        try:
            engine = self.engine
            with connected(engine, what="checking the health", setting="url", url=self.url) as conn:
                conn.execute(sql_text("SELECT 1"))
                problems, tables = self._check_mappings(conn)
                conn.rollback()
        except ERPUnavailable as exc:
            return HealthStatus(HealthState.FAILING, str(exc), {"url": where})
        details = {"url": where, "entities": sorted(str(e) for e in self._entities)}
        if problems:
            return HealthStatus(
                HealthState.FAILING,
                f"The ERP database at {where} answers, but "
                + (
                    "a mapping does not fit it: "
                    if len(problems) == 1
                    else f"{len(problems)} mappings do not fit it: "
                )
                + " ".join(problems),
                {**details, "problems": problems},
            )
        if not self._entities:
            return HealthStatus(
                HealthState.DEGRADED,
                f"The ERP database at {where} answers, but no entity is mapped (setting "
                "'entities').",
                details,
            )
        return HealthStatus(
            HealthState.OK,
            f"The ERP database at {where} answers; {len(tables)} mapped tables and queries "
            f"found for {', '.join(str(e).replace('_', ' ') for e in self._entities)}.",
            details,
        )

    def _check_mappings(self, conn: Connection) -> tuple[list[str], list[str]]:
        problems: list[str] = []
        checked: list[str] = []
        for entity, handler in self._entities.items():
            # Entities with parts of their own (job costs, budgets) say which they map.
            mapped = getattr(handler, "mappings", None)
            places = (
                mapped()
                if mapped is not None
                else [
                    self.source(entity, part)
                    if part.startswith("list")
                    else self.target(entity, part)
                    for part in entity_parts(entity)
                ]
            )
            for place in places:
                try:
                    with conn.begin_nested():
                        place.bind(conn)
                    checked.append(place.describe())
                except ERPMisconfigured as exc:
                    problems.append(str(exc))
                except SQLAlchemyError as exc:
                    from erp_adapters.sql.database import translate

                    problems.append(
                        str(
                            translate(
                                exc,
                                what=f"checking {str(entity).replace('_', ' ')}",
                                setting=place.setting,
                                url=self.url,
                            )
                        )
                    )
        return problems, checked
