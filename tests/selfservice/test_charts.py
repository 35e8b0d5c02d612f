import pytest

from selfservice.charts import _nice_top, stacked_bars


def test_bars_stack_and_scale_to_a_round_top():
    chart = stacked_bars(
        title="t",
        labels=["a", "b"],
        series=[("ok", "bar-ok", [3, 10]), ("failed", "bar-failed", [1, 0])],
    )
    assert chart.top_value == 10 and not chart.empty
    ok_a, failed_a, ok_b = chart.bars
    assert failed_a.y + failed_a.height == pytest.approx(ok_a.y, abs=0.11)  # failed on top of ok
    assert ok_b.height > ok_a.height + failed_a.height
    assert ok_b.y == pytest.approx(chart.plot_bottom - ok_b.height, abs=0.11)
    assert [b.title for b in chart.bars] == ["a: 3 ok", "a: 1 failed", "b: 10 ok"]


def test_an_empty_series_says_so():
    chart = stacked_bars(title="t", labels=["a"], series=[("x", "c", [0])])
    assert chart.empty and chart.bars == []
    assert stacked_bars(title="t", labels=[], series=[]).empty


def test_round_tops():
    assert [_nice_top(v) for v in (0, 1, 3, 7, 10, 11, 240, 5001)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        500,
        10000,
    ]


def test_dashboard_charts_take_the_latest_finished_runs_oldest_first():
    from datetime import UTC, date, datetime, timedelta
    from types import SimpleNamespace

    from selfservice.charts import dashboard_charts

    start = datetime(2026, 11, 1, tzinfo=UTC)
    runs = [  # newest first, as the dashboard reads them
        SimpleNamespace(pk=3, started_at=start, finished_at=None),  # still running
        SimpleNamespace(pk=2, started_at=start, finished_at=start + timedelta(seconds=90)),
        SimpleNamespace(pk=1, started_at=start, finished_at=start + timedelta(seconds=30)),
    ]
    events, outcomes, durations = dashboard_charts(
        events=[(date(2026, 11, 1), 4)], outcomes=[(date(2026, 11, 1), 3, 1)], runs=runs
    )
    assert [b.title for b in durations.bars] == ["#1: 30 seconds", "#2: 90 seconds"]
    assert [b.title for b in outcomes.bars] == ["01 Nov: 3 succeeded", "01 Nov: 1 failed"]
    assert events.top_value == 5
