"""A commitment's lines against its total in Procore, for the adapters that write documents into
books of their own (``sql``, ``files``; the demo ERP keeps the same rule in
``demo/commitments.py``, in the same words).

Each line is rounded once as the ERP keeps it (``money.to_erp``); if those cents do not add up
to the total Procore shows, the books and Procore would disagree on what is owed, so the export
is refused with both figures instead of being written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from erp_adapters import money


def lines_total_problem(grand_total: Any, line_amounts: Iterable[Any]) -> str | None:
    """The sentence refusing the document, or None when its lines add up (or Procore sent no
    total, or a line is no amount: that line is refused on its own)."""
    if grand_total in (None, ""):
        return None
    try:
        expected = money.to_erp(money.amount(grand_total))
    except money.NotAnAmount:
        return f"The commitment's total '{grand_total}' is not an amount."
    try:
        booked = money.total(money.to_erp(money.amount(value)) for value in line_amounts)
    except money.NotAnAmount:
        return None
    if booked == expected:
        return None
    return (
        f"The lines add up to {money.shown(booked)} in the ERP (each rounded to the cent), but "
        f"the commitment's total in Procore is {money.shown(expected)}; correct the line amounts "
        "in Procore and export it again."
    )
