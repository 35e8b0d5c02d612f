"""Reaching the ERP's database: one engine per URL and password, and every driver error turned
into the adapter error the engine acts on, with a message that names the entity and the setting.

- cannot connect, timed out, connection dropped, deadlock, database busy: ``ERPUnavailable``
  (retried with backoff);
- wrong password, a table, column or procedure that does not exist, a query the database cannot
  run: ``ERPMisconfigured`` (retried too, so no export is lost, while the health check shows the
  message until the settings are corrected);
- a row the database refuses (constraint, value too long): ``ConstraintViolation``, raised by the
  writer, which alone knows which export it was.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    NoSuchTableError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout

from erp_adapters.base import ERPMisconfigured, ERPUnavailable

_engines: dict[tuple[str, str, int], Engine] = {}
_engines_lock = threading.Lock()
MAX_ENGINES = 64

_MISSING = re.compile(
    r"no such (table|column|function)|has no column named|does not exist|undefined"
    r"|invalid object name|invalid column name|unknown column|doesn't exist|could not find",
    re.IGNORECASE,
)
_LOGIN = re.compile(
    r"password authentication failed|authentication failed|access denied|login failed"
    r"|no password supplied|role .* does not exist",
    re.IGNORECASE,
)
_SYNTAX = re.compile(r"syntax error|near \"|incorrect syntax", re.IGNORECASE)
_WRITES = re.compile(r"read-only transaction|readonly database|read only", re.IGNORECASE)


def safe_url(url: str | URL) -> str:
    """The URL as it may be shown: never a password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def engine_for(url: str, password: str | None, *, connect_timeout: int) -> Engine:
    """One pooled engine per (URL, password, timeout), shared by every adapter built from the
    same settings (the engine builds an adapter per request)."""
    key = (url, password or "", connect_timeout)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            if len(_engines) >= MAX_ENGINES:
                _engines.pop(next(iter(_engines))).dispose()
            engine = _engines[key] = _create(url, password, connect_timeout)
        return engine


def _forget_pools_after_fork() -> None:
    """A forked worker (django-q2 forks its workers) must not use its parent's pooled
    connections: each engine's pool starts empty in the child, the parent's stay its own."""
    for engine in _engines.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_pools_after_fork)


def dispose_engines() -> None:
    """Close every pooled connection (tests, and a worker that forks)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def _create(url: str, password: str | None, connect_timeout: int) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ERPMisconfigured(
            f"The setting 'url' is not a database URL ({safe_url(url)})."
        ) from None
    if password:
        parsed = parsed.set(password=password)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        connect_args["timeout"] = connect_timeout
    elif backend == "postgresql" or backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = connect_timeout
    elif backend == "mssql":
        connect_args["timeout"] = connect_timeout
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            pool_recycle=1800,
            connect_args=connect_args,
            **({} if backend == "sqlite" else {"pool_timeout": connect_timeout}),
        )
    except (NoSuchModuleError, ImportError) as exc:
        raise ERPMisconfigured(
            f"The setting 'url' names a database driver that is not installed "
            f"({parsed.drivername}): {exc}."
        ) from None


def sqlite_file_missing(url: str) -> str | None:
    """SQLite creates a missing file on connect: an empty ERP would look healthy. The path,
    when the URL names a file that is not there."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return None if Path(parsed.database).exists() else parsed.database


def describe(exc: BaseException) -> str:
    """The driver's own words, first line, without the SQL or parameters."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    return text.rstrip(".")


def translate(exc: SQLAlchemyError, *, what: str, setting: str, url: str) -> ERPUnavailable:
    """The adapter error for a database error met while doing ``what`` (e.g. "listing vendors")
    with the mapping at ``setting`` (e.g. "entities.vendors.list")."""
    detail = describe(exc)
    where = safe_url(url)
    if isinstance(exc, NoSuchTableError):
        return ERPMisconfigured(
            f"While {what}: the ERP database has no table {detail} (check the setting '{setting}')."
        )
    if _LOGIN.search(detail):
        return ERPMisconfigured(
            f"While {what}: the ERP database at {where} refused the login ({detail}); "
            "check the settings 'url' (user) and 'password'."
        )
    if _MISSING.search(detail):
        return ERPMisconfigured(
            f"While {what}: {detail} in the ERP database (check the setting '{setting}')."
        )
    if _WRITES.search(detail):
        return ERPMisconfigured(
            f"While {what}: the mapped query tries to write ({detail}); a listing only reads. "
            f"Check the setting '{setting}'."
        )
    if _SYNTAX.search(detail):
        return ERPMisconfigured(
            f"While {what}: the ERP database cannot run the mapped SQL ({detail}); "
            f"check the setting '{setting}'."
        )
    if isinstance(exc, PoolTimeout) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return ERPUnavailable(f"While {what}: the ERP database at {where} did not answer.")
    return ERPUnavailable(
        f"While {what}: the ERP database at {where} did not answer ({detail}); the work is retried."
    )


@contextmanager
def connected(engine: Engine, *, what: str, setting: str, url: str) -> Iterator[Connection]:
    """A connection; any database error on the way in or inside becomes an adapter error
    (``ConstraintViolation`` raised inside passes through)."""
    try:
        with engine.connect() as conn:
            yield conn
    except SQLAlchemyError as exc:
        raise translate(exc, what=what, setting=setting, url=url) from exc
