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


@pytest.mark.django_db(transaction=True)
def test_a_lease_kept_while_work_runs_outlives_its_length_and_reports_a_loss(settings):
    """Work longer than one lease keeps its row (the heartbeat renews it from its own thread and
    connection), and learns at once when support took the row from it."""
    import time

    from integrations.services.leases import lease_kept

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:", ":memory:")
    ):
        pytest.skip("the heartbeat writes from another connection; in-memory SQLite has one")
    settings.WORK_LEASE_SECONDS = 1
    row = ERPRequestFactory(state=WorkState.PENDING)
    (held,) = lease_claim(ERPRequest.objects.filter(pk=row.pk), state=WorkState.PROCESSING)
    with lease_kept([held], every=0.2) as lost:
        time.sleep(1.6)  # longer than the lease
        assert lease_claim(ERPRequest.objects.filter(pk=row.pk)) == []  # still ours
        row.refresh_from_db()
        assert row.lease_expires_at > timezone.now()
        lease_clear(ERPRequest.objects.filter(pk=row.pk))  # support takes it over
        assert lost.wait(timeout=5)
    assert not lease_release(held, state=WorkState.SUCCEEDED)


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_close_outs_are_taken_up_once_its_short_lease_runs_out(settings):
    """A worker claims close-outs and dies (nothing renews its lease): with the default lease
    length short, another worker takes them up seconds later, not minutes."""
    import time

    from integrations.models import ERPRequestDetail
    from integrations.selectors.work import close_out_companies_due
    from integrations.services.work import work_claim
    from tests.factories import ERPRequestDetailFactory

    settings.WORK_LEASE_SECONDS = 1
    detail = ERPRequestDetailFactory(status="success")
    assert work_claim(ERPRequestDetail.objects.filter(pk=detail.pk))  # then the worker dies
    assert close_out_companies_due() == []
    time.sleep(1.2)
    assert close_out_companies_due() == [detail.company_id]
