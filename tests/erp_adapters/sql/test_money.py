"""Money in the SQL adapter, on SQLite and PostgreSQL: amounts written as the ERP keeps them
(rounded once, half up, by erp_adapters/money.py, not by whatever the database does), and an
amount that is no number refused with the line named before anything is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from erp_adapters.base import ConstraintViolation
from tests.erp_adapters.contract.books import sample_books
from tests.erp_adapters.contract.entities import commitment_export


def stored(url: str, sql: str) -> list[tuple]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_amounts_are_stored_rounded_once_half_up(erp_url, sql_adapter):
    payload = commitment_export(sample_books())
    first, second = payload["commitment_items"]
    first.update(amount="0.125", quantity="3", unit_cost=0.041666)
    second.update(amount=1087.805)  # a JSON number: 1087.805, not the float's 1087.80499…
    payload["commitment"]["retainage_percent"] = "5.555"
    payload["commitment"].pop("grand_total", None)  # rounding, not the total, under test here
    assert sql_adapter().commitments.create(payload).created is True
    lines = stored(
        erp_url,
        "SELECT amount, quantity, unit_cost FROM commitment_lines "
        "WHERE procore_id IN (177, 178) ORDER BY line_no",
    )
    # SQLite hands NUMERIC back as floats: compared through their shortest decimal.
    as_decimals = [tuple(Decimal(repr(v) if isinstance(v, float) else v) for v in r) for r in lines]
    assert as_decimals == [
        (Decimal("0.13"), Decimal("3"), Decimal("0.0417")),
        (Decimal("1087.81"), Decimal("0"), Decimal("0")),
    ]
    ((retainage,),) = stored(erp_url, "SELECT retainage FROM commitments WHERE procore_id = 41")
    assert Decimal(repr(retainage) if isinstance(retainage, float) else retainage) == Decimal(
        "5.56"
    )


def test_an_amount_that_is_no_number_is_refused_naming_the_line(erp_url, sql_adapter):
    payload = commitment_export(sample_books())
    payload["commitment_items"][1]["amount"] = "12.5x"
    payload["commitment"]["retainage_percent"] = "ten"
    adapter = sql_adapter()
    problems = adapter.commitments.check_create(payload)
    assert "Line 2 amount '12.5x' is not a number." in problems
    assert "Retainage 'ten' is not a number." in problems
    with pytest.raises(ConstraintViolation):
        adapter.commitments.create(payload)
    assert stored(erp_url, "SELECT COUNT(*) FROM commitments WHERE procore_id = 41") == [(0,)]
