"""The per-company budget shared by the threads of one worker."""

from __future__ import annotations

import random

from integrations.procore.ratelimit import CompanyRateLimit, RateLimitHeaders, parse_retry_after

RNG = random.Random(1)
NOW = 1_000.0


def headers(remaining: int, *, limit: int = 5, reset: float = NOW + 10) -> RateLimitHeaders:
    return RateLimitHeaders(limit=limit, remaining=remaining, reset=int(reset))


def test_a_late_answer_never_gives_back_budget_already_spent():
    state = CompanyRateLimit(low_water_fraction=0)
    for _ in range(3):  # three threads send before any answer is back
        assert state.delay_before_request(NOW, RNG) == 0
    state.observe(headers(4))  # the first answer was counted when only it had arrived
    assert state.remaining == 2  # five allowed, three sent
    state.observe(headers(2))
    state.observe(headers(3))  # overtaken by the one above: ignored
    assert state.remaining == 2
    assert state.delay_before_request(NOW, RNG) == 0
    assert state.delay_before_request(NOW, RNG) == 0
    assert state.delay_before_request(NOW, RNG) > 9  # spent: wait for the reset


def test_other_processes_spending_the_budget_are_seen_in_the_headers():
    state = CompanyRateLimit(low_water_fraction=0)
    state.delay_before_request(NOW, RNG)
    state.observe(headers(0))  # one call of ours, yet Procore counts five
    assert state.remaining == 0
    assert state.delay_before_request(NOW, RNG) >= 10


def test_calls_in_flight_at_the_reset_count_against_the_next_window():
    state = CompanyRateLimit(low_water_fraction=0)
    state.delay_before_request(NOW, RNG)
    state.observe(headers(3, reset=NOW + 1))
    state.delay_before_request(NOW + 0.9, RNG)  # still in flight when the window ends
    assert state.delay_before_request(NOW + 1.0, RNG) == 0
    assert state.remaining == 3  # five, less the one in flight and the one just sent
    state.observe(headers(4, reset=NOW + 1))  # the old window's answer arrives late: stale
    assert state.remaining == 3


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7", now=NOW) == 7
    assert parse_retry_after("Thu, 01 Jan 1970 00:16:50 GMT", now=NOW) == 10
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None
