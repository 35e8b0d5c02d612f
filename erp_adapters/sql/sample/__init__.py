"""The sample ERP database of docs/adapters.md: its layout (``layout.sql``), its records
(``sample_data.sql``) and the ``sql`` adapter settings that map them (``settings.json``).

``create_sample_database`` lays it out in any database SQLAlchemy reaches (the
``sql_erp_sample`` command writes a SQLite file), so a company can be switched to a real SQL ERP
without one at hand, and the tests and the benchmark use the very layout the docs describe.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import Connection

HERE = Path(__file__).parent
LAYOUT = HERE / "layout.sql"
SAMPLE_DATA = HERE / "sample_data.sql"
SETTINGS = HERE / "settings.json"


def statements(path: Path) -> list[str]:
    """The statements of a committed SQL script (``--`` comments dropped, split on ``;``)."""
    lines = [line for line in path.read_text().splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";\n") if part.strip().rstrip(";")]


def sample_settings(url: str, **overrides: Any) -> dict[str, Any]:
    """The adapter settings that map the sample layout, for the database at ``url``."""
    settings = copy.deepcopy(json.loads(SETTINGS.read_text()))
    settings["url"] = url
    settings.update(overrides)
    return settings


def lay_out(conn: Connection, *, data: bool = True) -> None:
    """Create the sample tables (and records) through an open connection, in its transaction."""
    for statement in statements(LAYOUT) + (statements(SAMPLE_DATA) if data else []):
        conn.exec_driver_sql(statement.rstrip(";"))


def create_sample_database(url: str, *, data: bool = True) -> None:
    """Lay the sample ERP out in the (empty) database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            lay_out(conn, data=data)
    finally:
        engine.dispose()
