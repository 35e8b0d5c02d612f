"""Faults on demand, so the portal's retry paths can be tested: a share of 500s, a share of 503s
with ``Retry-After`` (Procore's heavy-load throttling), and added latency."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from procore_sandbox import conf


@dataclass(frozen=True)
class Fault:
    status: int
    retry_after: int | None = None


def fault_roll(*, rng: random.Random | None = None) -> Fault | None:
    """Sleep for the configured latency, then maybe pick a failure for this request."""
    values = conf.snapshot()
    latency_ms = int(values["latency_ms"])
    if latency_ms > 0:
        time.sleep(latency_ms / 1000)
    roll = (rng or random).random()
    share_500 = float(values["fault_500_share"])
    share_503 = float(values["fault_503_share"])
    if roll < share_500:
        return Fault(status=500)
    if roll < share_500 + share_503:
        return Fault(status=503, retry_after=int(values["fault_503_retry_after"]))
    return None
