"""Changing the sandbox's knobs at run time (the ``configure`` action and the settings page)."""

from __future__ import annotations

from typing import Any

from procore_sandbox import conf
from procore_sandbox.models import SandboxSetting
from procore_sandbox.services.errors import SandboxError


def knob_set(*, name: str, value: Any) -> Any:
    """Store an override; a running sandbox server reads it on its next request."""
    try:
        clean = conf.coerce(name, value)
    except conf.UnknownSetting:
        raise SandboxError(
            f"Unknown setting {name!r}; one of {', '.join(conf.DEFAULTS)}."
        ) from None
    except (TypeError, ValueError):
        raise SandboxError(f"{name} must be a number, not {value!r}.") from None
    if clean < 0:
        raise SandboxError(f"{name} cannot be negative.")
    SandboxSetting.objects.update_or_create(name=name, defaults={"value": clean})
    return clean


def knob_reset(*, name: str | None = None) -> None:
    """Drop one override (or all): back to settings.PROCORE_SANDBOX and the defaults."""
    rows = SandboxSetting.objects.all()
    if name is not None:
        if name not in conf.DEFAULTS:
            raise SandboxError(f"Unknown setting {name!r}.")
        rows = rows.filter(name=name)
    rows.delete()


def knobs_overridden() -> set[str]:
    return set(SandboxSetting.objects.values_list("name", flat=True))
