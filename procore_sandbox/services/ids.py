"""Identifiers that look like Procore's: 64-bit event ids and 26-character ULIDs."""

from __future__ import annotations

import secrets
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ulid(*, now: float | None = None) -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32 (ulid/spec)."""
    millis = int((time.time() if now is None else now) * 1000)
    value = (millis << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_event_id() -> int:
    """A positive 63-bit integer, like Procore's event ids (e.g. 5982324300946918154)."""
    return secrets.randbelow(2**63 - 2**62) + 2**62


def new_user_id() -> int:
    return secrets.randbelow(9_000_000) + 1_000_000


def new_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)
