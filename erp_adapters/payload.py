"""Reading values out of a Procore payload, the same way in every adapter: strings arrive as
null, "" or padded, ids as numbers or digit strings, nested objects as null."""

from __future__ import annotations

from typing import Any


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
