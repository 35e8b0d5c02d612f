"""Money, the one place amounts are read, rounded and written.

Procore sends amounts as decimal strings ("1087.80"), sometimes as JSON numbers; an ERP keeps
them to a fixed number of places with its own rounding rule. Every amount that crosses the
portal goes through here, so a document whose lines sum to its header in Procore sums to the
same total in the ERP: amounts are ``Decimal`` end to end, a JSON number is read through its
shortest decimal representation (never as a binary float), and rounding happens once, when an
amount is written into the ERP (``to_erp``), never on the way.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

ROUNDING_RULES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


class NotAnAmount(ValueError):
    """A value that is not an amount; the message names the field as the accountant knows it."""


@dataclass(frozen=True, slots=True)
class Precision:
    """How an ERP keeps money: ``places`` after the point, and how halves are rounded
    (``half_up``: away from zero, what most accounting systems do; ``half_even``: banker's)."""

    places: int = 2
    rounding: str = "half_up"

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.places)


CENTS = Precision()


def amount(value: Any, *, field: str = "amount", blank: Decimal | None = Decimal(0)) -> Decimal:
    """``value`` as an exact Decimal: a string, an int, a Decimal, or a JSON number (read through
    ``repr``, which is the shortest decimal that round-trips, so ``0.1`` is ``Decimal("0.1")``).
    ``None`` and ``""`` are ``blank`` (zero unless told); anything else raises ``NotAnAmount``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if blank is None:
            raise NotAnAmount(f"{field} is missing.")
        return blank
    if isinstance(value, bool):
        raise NotAnAmount(f"{field} must be an amount, not {value!r}.")
    if isinstance(value, float):
        value = repr(value)
    try:
        number = (
            Decimal(str(value).strip().replace(",", ""))
            if isinstance(value, str)
            else (Decimal(value))
        )
    except (InvalidOperation, ValueError, TypeError):
        raise NotAnAmount(f"{field} must be an amount, not {value!r}.") from None
    if not number.is_finite():
        raise NotAnAmount(f"{field} must be an amount, not {value!r}.")
    return number


def to_erp(value: Decimal, precision: Precision = CENTS) -> Decimal:
    """Round once, as the ERP stores it."""
    return value.quantize(precision.quantum, rounding=ROUNDING_RULES[precision.rounding])


def total(values: Iterable[Decimal]) -> Decimal:
    """An exact sum (``sum`` of Decimals starts from the int 0, which is exact too, but this
    says what is meant)."""
    result = Decimal(0)
    for value in values:
        result += value
    return result


def as_text(value: Decimal, precision: Precision = CENTS) -> str:
    """An amount as JSON carries it to Procore: a plain decimal string, no exponent."""
    return f"{to_erp(value, precision):f}"


def shown(value: Decimal, precision: Precision = CENTS) -> str:
    """An amount as an accountant reads it in a message: ``12,345.60``."""
    return f"{to_erp(value, precision):,.{precision.places}f}"
