"""Work rows: claimed with a lease, retried with backoff, given up on as dead letters."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
from integrations.selectors.work import work_due_ids
from integrations.services import work
from tests.factories import ERPRequestFactory

pytestmark = pytest.mark.django_db


def expire_lease(row) -> None:
    ERPRequest.objects.filter(pk=row.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_claimed_row_cannot_be_claimed_again_until_its_lease_expires():
    row = ERPRequestFactory(state=WorkState.PENDING)
    first = work.work_claim_one(ERPRequest, pk=row.pk)
    assert first is not None and first.state == WorkState.PROCESSING and first.attempts == 1
    assert work.work_claim_one(ERPRequest, pk=row.pk) is None

    expire_lease(row)
    taken_over = work.work_claim_one(ERPRequest, pk=row.pk)
    assert taken_over is not None and taken_over.attempts == 2
    assert taken_over.lease_owner and taken_over.lease_owner != first.lease_owner


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_outcome():
    row = ERPRequestFactory(state=WorkState.PENDING)
    mine = work.work_claim_one(ERPRequest, pk=row.pk)
    expire_lease(row)
    theirs = work.work_claim_one(ERPRequest, pk=row.pk)
    assert work.work_complete(theirs, state=WorkState.SUCCEEDED)
    assert not work.work_complete(mine, state=WorkState.FAILED, error="late")
    assert ERPRequest.objects.get(pk=row.pk).state == WorkState.SUCCEEDED


def test_a_finished_row_is_released_and_not_claimable():
    row = ERPRequestFactory(state=WorkState.PENDING)
    claimed = work.work_claim_one(ERPRequest, pk=row.pk)
    assert work.work_complete(claimed, state=WorkState.SUCCEEDED)
    row.refresh_from_db()
    assert (row.lease_owner, row.lease_expires_at) == ("", None)
    assert work.work_claim_one(ERPRequest, pk=row.pk) is None


def test_retry_is_scheduled_with_growing_jittered_backoff(settings):
    delays = [work.work_backoff(n, rng=random.Random(n)) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        nominal = min(
            timedelta(seconds=settings.WORK_BACKOFF_BASE_SECONDS) * 2 ** (n - 1), work.BACKOFF_CAP
        )
        assert nominal * 0.5 <= delay <= nominal
    assert delays[-1] > delays[0]


def test_retry_later_honours_retry_after_and_is_not_due_before():
    row = ERPRequestFactory(state=WorkState.PENDING)
    claimed = work.work_claim_one(ERPRequest, pk=row.pk)
    state = work.work_retry_later(claimed, error="429", retry_after=600)
    assert state == WorkState.RETRYING
    row.refresh_from_db()
    assert row.next_attempt_at >= timezone.now() + timedelta(seconds=590)
    assert row.last_error == "429"
    assert work.work_claim_one(ERPRequest, pk=row.pk) is None
    assert row.pk not in work_due_ids(ERPRequest)


def test_exhausted_retries_become_a_dead_letter(settings):
    row = ERPRequestFactory(state=WorkState.PENDING, attempts=settings.WORK_MAX_ATTEMPTS - 1)
    claimed = work.work_claim_one(ERPRequest, pk=row.pk)
    assert work.work_retry_later(claimed, error="503") == WorkState.DEAD
    row.refresh_from_db()
    assert row.state == WorkState.DEAD
    assert "Gave up" in row.last_error and "503" in row.last_error


def test_too_old_work_becomes_a_dead_letter():
    row = ERPRequestFactory(state=WorkState.PENDING)
    ERPRequest.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - work.max_age() - timedelta(minutes=1)
    )
    claimed = work.work_claim_one(ERPRequest, pk=row.pk)
    assert work.work_retry_later(claimed, error="timeout") == WorkState.DEAD


def test_redrive_makes_a_dead_letter_due_again():
    row = ERPRequestFactory(state=WorkState.DEAD, attempts=8)
    work.work_redrive(ERPRequest.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert (row.state, row.attempts) == (WorkState.PENDING, 8)  # the history stays counted
    assert row.pk in work_due_ids(ERPRequest)


def test_a_redriven_row_gets_a_fresh_budget_and_a_fresh_age(settings):
    """Retried after its attempts (or its 24 hours) ran out, a row may fail a few times again
    before it is dead again, and its attempts keep counting from where they were."""
    row = ERPRequestFactory(state=WorkState.DEAD, attempts=settings.WORK_MAX_ATTEMPTS)
    ERPRequest.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - work.max_age() - timedelta(hours=1)
    )
    work.work_redrive(ERPRequest.objects.filter(pk=row.pk))
    claimed = work.work_claim_one(ERPRequest, pk=row.pk)
    assert claimed.attempts == settings.WORK_MAX_ATTEMPTS + 1
    assert work.work_retry_later(claimed, error="503") == WorkState.RETRYING
    for _ in range(settings.WORK_MAX_ATTEMPTS - 1):
        ERPRequest.objects.filter(pk=row.pk).update(next_attempt_at=None)
        claimed = work.work_claim_one(ERPRequest, pk=row.pk)
        state = work.work_retry_later(claimed, error="503")
    assert state == WorkState.DEAD
    assert ERPRequest.objects.get(pk=row.pk).attempts == 2 * settings.WORK_MAX_ATTEMPTS


def test_redrive_takes_the_row_from_a_worker_still_holding_it():
    row = ERPRequestFactory(state=WorkState.PENDING)
    held = work.work_claim_one(ERPRequest, pk=row.pk)
    work.work_redrive(ERPRequest.objects.filter(pk=row.pk))
    assert not work.work_complete(held, state=WorkState.FAILED, error="stale holder")
    assert ERPRequest.objects.get(pk=row.pk).state == WorkState.PENDING


def test_resolve_stops_the_sweeper_and_says_who():
    row = ERPRequestFactory(state=WorkState.RETRYING)
    work.work_resolve(ERPRequest.objects.filter(pk=row.pk), note="fixed by hand")
    row.refresh_from_db()
    assert row.state == WorkState.RESOLVED and "fixed by hand" in row.last_error
    assert row.pk not in work_due_ids(ERPRequest)


def test_due_ids_include_expired_leases_but_not_live_ones():
    live = ERPRequestFactory(
        state=WorkState.PROCESSING,
        lease_owner="host:1/aaaaaa",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )
    expired = ERPRequestFactory(
        state=WorkState.PROCESSING,
        lease_owner="host:2/bbbbbb",
        lease_expires_at=timezone.now() - timedelta(minutes=1),
    )
    done = ERPRequestFactory(state=WorkState.SUCCEEDED)
    due = work_due_ids(ERPRequest)
    assert expired.pk in due and live.pk not in due and done.pk not in due
