"""The sandbox's knobs: defaults, overridden by ``settings.PROCORE_SANDBOX``, overridden again by
rows written with ``manage.py sandbox configure`` (so a running server can be made flaky or strict
without a restart).

Values are read per request; nothing here is cached between requests on purpose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # OAuth (procore-erp-api.md §d): tokens live 5400 s.
    "token_expires_in": 5400,
    # Rate limits (§e): an hourly and a spike window per app and company. Procore's examples say
    # 600/h and 25 per 10 s; the legacy default was 3600/h per company. Headers are the truth.
    "rate_limit_hourly": 3600,
    "rate_limit_hour_window": 3600,
    "rate_limit_spike": 100,
    "rate_limit_spike_window": 10,
    # Faults for tests: shares of requests answered 500 / 503 (with Retry-After), added latency.
    "fault_500_share": 0.0,
    "fault_503_share": 0.0,
    "fault_503_retry_after": 5,
    "latency_ms": 0,
    # Sync actions: at most this many items per call (§b.2).
    "sync_batch_limit": 1000,
    # Webhooks (§c.4): 5 s timeout, backoff from 1 s doubling up to 1 h, discard after 12 h.
    "webhook_timeout": 5.0,
    "webhook_backoff_initial": 1.0,
    "webhook_backoff_cap": 3600.0,
    "webhook_discard_after": 43200.0,
    "webhook_duplicate_share": 0.0,
    "webhook_poll_interval": 0.5,
}

_FLOATS = {
    "fault_500_share",
    "fault_503_share",
    "webhook_timeout",
    "webhook_backoff_initial",
    "webhook_backoff_cap",
    "webhook_discard_after",
    "webhook_duplicate_share",
    "webhook_poll_interval",
}


class UnknownSetting(KeyError):
    """A name that is not one of the sandbox's knobs."""


def enabled() -> bool:
    return bool(getattr(settings, "PROCORE_SANDBOX_ENABLED", False))


def coerce(name: str, value: Any) -> Any:
    """Turn a value (often a command-line string) into the knob's type."""
    if name not in DEFAULTS:
        raise UnknownSetting(name)
    if name in _FLOATS:
        return float(value)
    return int(float(value))


def snapshot() -> dict[str, Any]:
    """Every knob's current value: defaults < settings.PROCORE_SANDBOX < stored overrides."""
    from procore_sandbox.models import SandboxSetting

    values = dict(DEFAULTS)
    values.update(getattr(settings, "PROCORE_SANDBOX", {}) or {})
    for row in SandboxSetting.objects.all():
        if row.name in DEFAULTS:
            values[row.name] = row.value
    return values


def get(name: str) -> Any:
    if name not in DEFAULTS:
        raise UnknownSetting(name)
    return snapshot()[name]
