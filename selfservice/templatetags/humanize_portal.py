"""Small template filters of the portal's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def capped(value: int, cap: int) -> str:
    """A count read with a cap: "1,000+" above it, "1,234" style otherwise."""
    if value > cap:
        return f"{cap:,}+"
    return f"{value:,}"


@register.filter
def pair(first: Any, second: Any) -> tuple[Any, Any]:
    """Two values to loop over in a template."""
    return (first, second)


@register.filter
def took(run: Any) -> str:
    """How long a finished run took: "42 s", "3 min 5 s", "1 h 2 min"; empty before it ends."""
    if not (getattr(run, "started_at", None) and getattr(run, "finished_at", None)):
        return ""
    seconds = max(0, round((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def minutes(delta: Any) -> str:
    """A lockout's length in words: "15 minutes", "1 minute"."""
    try:
        count = max(1, round(delta.total_seconds() / 60))
    except AttributeError:
        return "a few minutes"
    return f"{count} minute{'s' if count != 1 else ''}"
