"""sql_erp_sample: the sample SQL ERP written as a SQLite file, ready for the sql adapter."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from erp_adapters.registry import get_adapter
from erp_adapters.sql.database import dispose_engines


def test_writes_the_sample_and_prints_settings_that_work(tmp_path):
    path = tmp_path / "erp.sqlite3"
    out = StringIO()
    call_command("sql_erp_sample", str(path), stdout=out)
    printed = out.getvalue()
    settings = json.loads(printed[printed.index("{") :])
    adapter = get_adapter("sql", settings)
    try:
        assert adapter.health_check().ok
        assert sum(1 for _ in adapter.vendors.list()) == 40
        assert sum(1 for _ in adapter.standard_cost_codes.list()) == 92
        commitments = list(adapter.commitments.list())
        assert len(commitments) == 6 and all(len(c.children) == 3 for c in commitments)
        assert sum(1 for _ in adapter.commitment_change_orders.list()) == 3
    finally:
        dispose_engines()


def test_refuses_to_overwrite_unless_asked(tmp_path):
    path = tmp_path / "erp.sqlite3"
    call_command("sql_erp_sample", str(path), "--empty", stdout=StringIO())
    with pytest.raises(CommandError, match="pass --replace"):
        call_command("sql_erp_sample", str(path), stdout=StringIO())
    call_command("sql_erp_sample", str(path), "--replace", stdout=StringIO())
