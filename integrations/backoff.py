"""How long to wait before trying again: one formula for every retry in the portal.

Used by the Procore client between attempts of one call and by the work rows between attempts
of one unit of work, so it lives below both and imports nothing of either.
"""

from __future__ import annotations

import random


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, capped, with "equal jitter".

    Half of the delay is fixed and half random, so retries of many rows or callers that failed
    together spread out instead of arriving together again, and no retry comes sooner than half
    the nominal delay.
    """
    rng = rng or random.Random()
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + rng.uniform(0, ceiling / 2)
