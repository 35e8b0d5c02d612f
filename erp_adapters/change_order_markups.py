"""A prime contract change order line's markups, read the same way by every adapter.

Procore sends a line's ``amount`` with its markups in it, its own amount as ``extended_amount``,
and each markup (``markup_line_items``) with its amount and where it posts. The ERPs keep the
line's own amount and the markups as rows of their own, so the line's own amount is its amount
less its markups, exactly (``erp_adapters.money``), and a line whose own amount Procore states
differently is refused rather than booked wrong.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from erp_adapters.money import NotAnAmount, amount, shown, to_erp, total


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def amount_or_none(value: Any) -> Decimal | None:
    try:
        return amount(value)
    except NotAnAmount:
        return None


def markups_of(item: dict[str, Any]) -> list[dict[str, Any]]:
    """The markups applied to one change order line (``markup_line_items``)."""
    return [_as_dict(m) for m in item.get("markup_line_items") or []]


def line_base(item: dict[str, Any]) -> Decimal | None:
    """A line's own amount, before markups: its amount less its markups (None when they are
    not amounts; the adapter's checks say so)."""
    line_amount = amount_or_none(item.get("amount"))
    markups = [amount_or_none(m.get("amount")) for m in markups_of(item)]
    if line_amount is None or any(m is None for m in markups):
        return None
    return line_amount - total(markups)  # type: ignore[arg-type]


def base_mismatch(label: str, item: dict[str, Any]) -> str | None:
    """The sentence for a marked-up line whose own amount (``extended_amount``) is not its
    amount less its markups; None when it adds up (or there is nothing to compare)."""
    extended = item.get("extended_amount")
    base = line_base(item)
    if not markups_of(item) or extended in (None, "") or base is None:
        return None
    own = amount_or_none(extended)
    line_amount = amount_or_none(item.get("amount")) or Decimal(0)
    if own is None or to_erp(own) == to_erp(base):
        return None
    return (
        f"{label}: its amount {shown(line_amount)} is not its own amount {shown(own)} plus its "
        f"markups {shown(line_amount - base)}."
    )
