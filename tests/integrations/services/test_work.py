"""Leases, retries and dead letters: the rows that make lost tasks and killed workers harmless."""

import random
import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.services import work
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def test_a_claimed_row_cannot_be_claimed_again_until_its_lease_expires():
    row = ERPRequestFactory(state=WorkState.PENDING)
    first = work.work_claim(ERPRequest, pk=row.pk, owner="w1")
    assert first is not None and first.state == WorkState.PROCESSING and first.attempts == 1
    assert work.work_claim(ERPRequest, pk=row.pk, owner="w2") is None

    ERPRequest.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    taken_over = work.work_claim(ERPRequest, pk=row.pk, owner="w2")
    assert taken_over is not None and taken_over.lease_owner == "w2" and taken_over.attempts == 2


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome():
    row = ERPRequestFactory(state=WorkState.PENDING)
    mine = work.work_claim(ERPRequest, pk=row.pk, owner="slow")
    ERPRequest.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    theirs = work.work_claim(ERPRequest, pk=row.pk, owner="fast")
    assert work.work_complete(theirs, owner="fast", state=WorkState.SUCCEEDED)
    assert not work.work_complete(mine, owner="slow", state=WorkState.FAILED, error="late")
    assert ERPRequest.objects.get(pk=row.pk).state == WorkState.SUCCEEDED


def test_retry_is_scheduled_with_growing_jittered_backoff():
    delays = [work.backoff_delay(n, rng=random.Random(n)) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        nominal = min(work.BACKOFF_BASE * 2 ** (n - 1), work.BACKOFF_CAP)
        assert nominal * 0.5 <= delay <= nominal
    assert delays[-1] > delays[0]


def test_retry_later_honours_retry_after_and_is_not_due_before():
    row = ERPRequestFactory(state=WorkState.PENDING)
    claimed = work.work_claim(ERPRequest, pk=row.pk, owner="w")
    state = work.work_retry_later(claimed, owner="w", error="429", retry_after=600)
    assert state == WorkState.RETRYING
    row.refresh_from_db()
    assert row.next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert row.last_error == "429"
    assert work.work_claim(ERPRequest, pk=row.pk, owner="w") is None
    assert row.pk not in work.work_due_ids(ERPRequest)


def test_exhausted_retries_become_a_dead_letter():
    row = ERPRequestFactory(state=WorkState.PENDING, attempts=work.MAX_ATTEMPTS - 1)
    claimed = work.work_claim(ERPRequest, pk=row.pk, owner="w")
    assert work.work_retry_later(claimed, owner="w", error="503") == WorkState.DEAD
    row.refresh_from_db()
    assert row.state == WorkState.DEAD
    assert "Gave up" in row.last_error and "503" in row.last_error


def test_too_old_work_becomes_a_dead_letter():
    row = ERPRequestFactory(state=WorkState.PENDING)
    ERPRequest.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - work.MAX_AGE - timedelta(minutes=1)
    )
    claimed = work.work_claim(ERPRequest, pk=row.pk, owner="w")
    assert work.work_retry_later(claimed, owner="w", error="timeout") == WorkState.DEAD


def test_redrive_makes_a_dead_letter_due_again():
    row = ERPRequestFactory(state=WorkState.DEAD, attempts=8)
    work.work_redrive(row)
    row.refresh_from_db()
    assert (row.state, row.attempts) == (WorkState.PENDING, 0)
    assert row.pk in work.work_due_ids(ERPRequest)


def test_due_ids_include_expired_leases_but_not_live_ones():
    live = ERPRequestFactory(
        state=WorkState.PROCESSING, lease_expires_at=timezone.now() + timedelta(minutes=5)
    )
    expired = ERPRequestFactory(
        state=WorkState.PROCESSING, lease_expires_at=timezone.now() - timedelta(minutes=1)
    )
    done = ERPRequestFactory(state=WorkState.SUCCEEDED)
    due = work.work_due_ids(ERPRequest)
    assert expired.pk in due and live.pk not in due and done.pk not in due


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_claim_once():
    """Many threads, each with its own database connection, race for the same rows."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("in-memory SQLite is one connection; the race is proven on PostgreSQL")
    rows = [ERPRequestFactory(state=WorkState.PENDING) for _ in range(20)]
    wins: list[tuple[str, int]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        try:
            barrier.wait()
            for row in rows:
                if work.work_claim(ERPRequest, pk=row.pk, owner=name) is not None:
                    with lock:
                        wins.append((name, row.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    claimed = [pk for _, pk in wins]
    assert sorted(claimed) == sorted(r.pk for r in rows)  # each row exactly once
    assert ERPRequest.objects.filter(attempts=1, state=WorkState.PROCESSING).count() == 20
