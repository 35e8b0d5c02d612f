"""Bar charts drawn on the server as inline SVG: shapes computed here, drawn by
``selfservice/includes/bar_chart.html``. No script, no image service, readable without either."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

WIDTH = 420
HEIGHT = 150
LEFT = 36  # room for the scale
BOTTOM = 18  # room for the labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass
class Chart:
    title: str
    width: int = WIDTH
    height: int = HEIGHT
    top_value: int = 0
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = True

    @property
    def plot_bottom(self) -> int:
        return self.height - BOTTOM

    @property
    def left(self) -> int:
        return LEFT


def _nice_top(value: int) -> int:
    """A round number at least ``value`` for the scale (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def stacked_bars(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
    unit: str = "",
    label_every: int = 1,
) -> Chart:
    """One bar per label, the series stacked bottom to top. ``series`` is
    ``(name, css class, values)``; each value's tooltip reads "<label>: <value> <name>"."""
    chart = Chart(title=title, legend=[(name, css) for name, css, _ in series])
    count = len(labels)
    if not count:
        return chart
    totals = [sum(values[i] for _, _, values in series) for i in range(count)]
    chart.top_value = _nice_top(max(totals))
    chart.empty = not any(totals)
    plot_height = chart.plot_bottom - 8
    slot = (chart.width - LEFT) / count
    bar_width = max(2.0, slot * 0.7)
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar_width) / 2
        base = float(chart.plot_bottom)
        for name, css, values in series:
            value = values[i]
            if value <= 0:
                continue
            height = plot_height * value / chart.top_value
            base -= height
            suffix = f" {unit}" if unit else ""
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(base, 1),
                    round(bar_width, 1),
                    round(height, 1),
                    css,
                    f"{label}: {value:,}{suffix} {name}".strip(),
                )
            )
        if i % label_every == 0:
            chart.labels.append((round(x + bar_width / 2, 1), label))
    return chart


def dashboard_charts(
    *,
    events: Sequence[tuple[date, int]],
    outcomes: Sequence[tuple[date, int, int]],
    runs: Sequence[Any],
) -> list[Chart]:
    """The dashboard's three charts: events received per day, requests succeeded and failed
    per day, and how long the latest finished imports took (``runs`` newest first)."""
    day = "%d %b"
    finished = [r for r in reversed(runs) if r.started_at and r.finished_at][-14:]
    durations = [max(0, round((r.finished_at - r.started_at).total_seconds())) for r in finished]
    return [
        stacked_bars(
            title="Events received per day",
            labels=[d.strftime(day) for d, _ in events],
            series=[("events", "bar-events", [n for _, n in events])],
            label_every=2,
        ),
        stacked_bars(
            title="Requests completed per day",
            labels=[d.strftime(day) for d, _, _ in outcomes],
            series=[
                ("succeeded", "bar-ok", [ok for _, ok, _ in outcomes]),
                ("failed", "bar-failed", [bad for _, _, bad in outcomes]),
            ],
            label_every=2,
        ),
        stacked_bars(
            title="Import durations (latest runs)",
            labels=[f"#{r.pk}" for r in finished],
            series=[("seconds", "bar-duration", durations)],
            label_every=max(1, len(finished) // 7),
        ),
    ]
