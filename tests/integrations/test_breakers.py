"""Circuit breakers: a target that keeps failing is left alone for a while, one probe at a time
brings it back, and every process sees the same breaker."""

from __future__ import annotations

import pytest

from integrations.breakers import (
    Breaker,
    BreakerPolicy,
    CircuitOpen,
    DatabaseBreakerStorage,
    MemoryBreakerStorage,
)
from integrations.models import CircuitBreaker
from tests.factories import CompanyFactory

POLICY = BreakerPolicy(threshold=3, cooldown=30.0, max_cooldown=100.0, probe_timeout=60.0)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def storages():
    return ["memory", "database"]


@pytest.fixture
def make_breaker(db):
    def make(kind: str, clock: Clock, key: str = "procore:1") -> Breaker:
        if kind == "memory":
            storage = MemoryBreakerStorage()
        else:
            company = CompanyFactory()
            key = f"procore:{company.pk}"
            storage = DatabaseBreakerStorage(company.pk, "procore")
        return Breaker(
            key=key, label="Procore for Acme", storage=storage, policy=POLICY, clock=clock
        )

    return make


@pytest.mark.parametrize("kind", storages())
def test_it_opens_after_the_threshold_and_refuses_with_the_wait(make_breaker, kind):
    clock = Clock()
    breaker = make_breaker(kind, clock)
    for _ in range(2):
        breaker.before_call()
        breaker.failure("timeout")
    breaker.before_call()  # two failures: still closed
    breaker.failure("timeout")
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert 29 <= refused.value.retry_after <= 30
    assert "Procore for Acme has failed repeatedly" in str(refused.value)


@pytest.mark.parametrize("kind", storages())
def test_a_success_in_between_starts_the_count_again(make_breaker, kind):
    clock = Clock()
    breaker = make_breaker(kind, clock)
    breaker.failure("x")
    breaker.failure("x")
    breaker.success()
    breaker.failure("x")
    breaker.failure("x")
    breaker.before_call()  # two in a row, not four


@pytest.mark.parametrize("kind", storages())
def test_after_the_cooldown_one_probe_goes_and_its_outcome_decides(make_breaker, kind):
    clock = Clock()
    breaker = make_breaker(kind, clock)
    for _ in range(3):
        breaker.failure("down")
    clock.now += 31
    breaker.before_call()  # this caller probes
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # the others wait for the probe
    breaker.failure("still down")  # the probe failed: open again, for longer
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert 59 <= refused.value.retry_after <= 60
    clock.now += 61
    breaker.before_call()  # the next probe
    breaker.success()
    breaker.before_call()
    breaker.before_call()  # closed: everyone goes again


@pytest.mark.parametrize("kind", storages())
def test_a_prober_that_died_lets_another_probe_after_a_while(make_breaker, kind):
    clock = Clock()
    breaker = make_breaker(kind, clock)
    for _ in range(3):
        breaker.failure("down")
    clock.now += 31
    breaker.before_call()  # probes, then its process dies without reporting
    with pytest.raises(CircuitOpen):
        breaker.before_call()
    clock.now += 61
    breaker.before_call()


@pytest.mark.django_db
def test_the_database_breaker_is_one_row_that_support_can_read():
    company = CompanyFactory(name="Acme")
    clock = Clock()
    one = Breaker(
        key=f"procore:{company.pk}",
        label="x",
        storage=DatabaseBreakerStorage(company.pk, "procore"),
        policy=POLICY,
        clock=clock,
    )
    other_process = Breaker(
        key=f"procore:{company.pk}",
        label="x",
        storage=DatabaseBreakerStorage(company.pk, "procore"),
        policy=POLICY,
        clock=clock,
    )
    for _ in range(3):
        one.failure("Procore did not answer in time")
    with pytest.raises(CircuitOpen):
        other_process.before_call()
    row = CircuitBreaker.objects.get(company=company)
    assert (row.state, row.target, row.consecutive_failures, row.opened_count) == (
        "open",
        "procore",
        3,
        1,
    )
    assert row.last_error == "Procore did not answer in time"
