"""The contract every adapter keeps about its health: books that can take exports are ``ok``
with a message a person reads; an unreachable ERP is ``failing``."""

from __future__ import annotations

import pytest

from erp_adapters.base import HealthState, HealthStatus
from tests.erp_adapters.contract.books import sample_books


def test_healthy_books_are_ok(make_erp):
    status = make_erp(sample_books()).adapter.health_check()
    assert isinstance(status, HealthStatus)
    assert status.state is HealthState.OK
    assert status.message.strip()


def test_an_unreachable_erp_is_failing_and_says_so(make_erp):
    unavailable = make_erp(sample_books()).unavailable()
    if unavailable is None:
        pytest.skip("this adapter cannot simulate an unreachable ERP")
    status = unavailable.health_check()
    assert status.state is HealthState.FAILING
    assert status.message.strip()
