"""One lease for every work row: taken by one worker only, renewed, given back, or lost."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.services.leases import (
    LeaseLost,
    lease_claim,
    lease_clear,
    lease_release,
    lease_renew,
    lease_write,
)
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_a_claim_takes_only_free_rows_and_writes_the_updates_with_the_lease():
    free = ERPRequestFactory(state=WorkState.PENDING)
    held = ERPRequestFactory(
        state=WorkState.PROCESSING,
        lease_owner="other:1/abcdef",
        lease_expires_at=timezone.now() + timedelta(minutes=1),
    )
    taken = lease_claim(ERPRequest.objects.all(), limit=10, state=WorkState.PROCESSING)
    assert [row.pk for row in taken] == [free.pk]
    assert taken[0].state == WorkState.PROCESSING
    assert taken[0].lease_expires_at > timezone.now()
    held.refresh_from_db()
    assert held.lease_owner == "other:1/abcdef"


def test_a_row_that_stopped_qualifying_is_not_taken():
    row = ERPRequestFactory(state=WorkState.SUCCEEDED)
    assert lease_claim(ERPRequest.objects.filter(pk=row.pk, state=WorkState.PENDING)) == []


def test_the_lease_length_comes_from_the_settings(settings):
    settings.WORK_LEASE_SECONDS = 20
    row = ERPRequestFactory()
    (taken,) = lease_claim(ERPRequest.objects.filter(pk=row.pk))
    remaining = taken.lease_expires_at - timezone.now()
    assert timedelta(seconds=15) < remaining <= timedelta(seconds=20)


def test_renewing_extends_the_lease_and_a_lost_lease_says_so(settings):
    settings.WORK_LEASE_SECONDS = 60
    row = ERPRequestFactory()
    (mine,) = lease_claim(ERPRequest.objects.filter(pk=row.pk))
    ERPRequest.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() + timedelta(seconds=1)
    )
    lease_renew(mine)
    row.refresh_from_db()
    assert row.lease_expires_at > timezone.now() + timedelta(seconds=50)

    lease_clear(ERPRequest.objects.filter(pk=row.pk))  # support took it over
    with pytest.raises(LeaseLost):
        lease_renew(mine)
    with pytest.raises(LeaseLost):
        lease_write(mine, last_error="late")
    assert not lease_release(mine, state=WorkState.FAILED)
    row.refresh_from_db()
    assert row.last_error == "" and row.state != WorkState.FAILED


@pytest.mark.django_db(transaction=True)
def test_workers_racing_for_the_same_rows_each_take_a_row_once():
    """Threads, each with its own database connection, race for the same rows."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("in-memory SQLite is one connection; the race is proven on PostgreSQL")
    rows = [ERPRequestFactory(state=WorkState.PENDING) for _ in range(20)]
    wins: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4, timeout=30)

    def worker() -> None:
        try:
            barrier.wait()
            for row in rows:
                for taken in lease_claim(
                    ERPRequest.objects.filter(pk=row.pk), state=WorkState.PROCESSING
                ):
                    with lock:
                        wins.append(taken.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert sorted(wins) == sorted(r.pk for r in rows)  # each row exactly once
    assert ERPRequest.objects.exclude(lease_owner="").count() == 20
