"""Dead letters: re-driven by a person, or by themselves once what they died of answers."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from integrations.models import CircuitBreaker, ERPRequest
from integrations.models.erp_requests import GaveUpBecause, WorkState
from integrations.procore import RetryableError
from integrations.selectors.dead_letters import (
    dead_letter_counts_by_company,
    dead_letters_count,
)
from integrations.services.dead_letters import dead_letters_heal, dead_letters_redrive
from integrations.services.erp_requests import request_details_close_out
from tests.factories import (
    ConnectionFactory,
    ERPRequestDetailFactory,
    ERPRequestFactory,
    NotificationEventFactory,
)

pytestmark = pytest.mark.django_db


def dead(company, cause, **fields):
    request = ERPRequestFactory(
        company=company,
        state=WorkState.DEAD,
        attempts=8,
        gave_up_because=cause,
        completed_at=timezone.now() - timedelta(hours=1),
        last_error="Gave up (too many attempts, 8 attempts): Procore did not answer in time",
        **fields,
    )
    NotificationEventFactory(
        company=company, erp_request=request, resource_id=request.procore_request_id, state="failed"
    )
    return request


def test_a_person_re_drives_dead_letters_and_their_events_wait_again(
    django_capture_on_commit_callbacks,
):
    connection = ConnectionFactory()
    one = dead(connection.company, GaveUpBecause.INTERNAL)
    alive = ERPRequestFactory(company=connection.company, state=WorkState.SUCCEEDED)
    with (
        mock.patch("integrations.services.dead_letters.enqueue_erp_requests") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        count = dead_letters_redrive(requests=ERPRequest.objects.all())
    assert count == 1
    one.refresh_from_db()
    alive.refresh_from_db()
    assert (one.state, one.attempts, one.gave_up_because) == (WorkState.PENDING, 8, "")
    assert one.attempts_before_redrive == 8 and one.redriven_at is not None
    assert alive.state == WorkState.SUCCEEDED  # only dead letters are touched
    assert one.events.get().state == "received"
    enqueue.assert_called_once_with([one.pk])


def test_counts_per_company():
    a, b = ConnectionFactory(), ConnectionFactory()
    dead(a.company, GaveUpBecause.PROCORE)
    dead(a.company, GaveUpBecause.ERP)
    dead(b.company, GaveUpBecause.INTERNAL)
    assert dead_letters_count() == 3
    assert dead_letters_count(company_id=a.company_id) == 2
    assert dead_letter_counts_by_company() == {a.company_id: 2, b.company_id: 1}


def test_healing_re_drives_what_died_of_a_target_that_answers_again():
    connection = ConnectionFactory()
    procore = dead(connection.company, GaveUpBecause.PROCORE)
    erp = dead(connection.company, GaveUpBecause.ERP)
    internal = dead(connection.company, GaveUpBecause.INTERNAL)

    counts = dead_letters_heal(check=lambda c: True)

    assert (counts["procore"], counts["erp"]) == (1, 1)
    for row in (procore, erp, internal):
        row.refresh_from_db()
    assert procore.state == erp.state == WorkState.PENDING
    assert internal.state == WorkState.DEAD  # a person decides after a fix


def test_healing_leaves_them_dead_while_the_target_is_still_down():
    connection = ConnectionFactory()
    procore = dead(connection.company, GaveUpBecause.PROCORE)
    assert dead_letters_heal(check=lambda c: False)["procore"] == 0
    procore.refresh_from_db()
    assert procore.state == WorkState.DEAD


def test_a_procore_that_answered_since_they_died_heals_them_without_asking(monkeypatch):
    connection = ConnectionFactory()
    procore = dead(connection.company, GaveUpBecause.PROCORE)
    CircuitBreaker.objects.create(
        key=f"procore:{connection.company_id}",
        company=connection.company,
        target="procore",
        state="closed",
        last_success_at=timezone.now(),
    )

    def no_call(**kwargs):
        raise AssertionError("no check needed: Procore answered a call since they died")

    monkeypatch.setattr("integrations.services.dead_letters.connection_check", no_call)
    assert dead_letters_heal()["procore"] == 1
    procore.refresh_from_db()
    assert procore.state == WorkState.PENDING


def test_healing_asks_the_erp_its_health():
    connection = ConnectionFactory(adapter_key="demo", adapter_settings={"tenant": "books"})
    erp = dead(connection.company, GaveUpBecause.ERP)
    assert dead_letters_heal()["erp"] == 1  # the demo ERP answers
    erp.refresh_from_db()
    assert erp.state == WorkState.PENDING

    offline = ConnectionFactory(
        adapter_key="demo", adapter_settings={"tenant": "books", "offline": True}
    )
    still = dead(offline.company, GaveUpBecause.ERP)
    assert dead_letters_heal()["erp"] == 0
    still.refresh_from_db()
    assert still.state == WorkState.DEAD


class ProcoreDown:
    """A Procore client whose calls never get an answer."""

    def close_request_details(self, closures):
        raise RetryableError("Procore did not answer in time")

    def sync_external_data(self, links):
        raise RetryableError("Procore did not answer in time")

    def close(self):
        pass


def test_close_outs_that_died_while_procore_was_down_heal_once_it_answers(
    settings, django_capture_on_commit_callbacks
):
    """Found while writing the soak's "nothing dead" check (bench/soak.py): a close-out whose
    retries ran out during an outage died with no cause, so the healing never sent it and the
    approver's Request Detail stayed "in progress" although the ERP work was done."""
    settings.WORK_MAX_ATTEMPTS = 1
    connection = ConnectionFactory()
    request = ERPRequestFactory(company=connection.company, state=WorkState.SUCCEEDED)
    detail = ERPRequestDetailFactory(erp_request=request, status="success")
    assert request_details_close_out(company_pk=connection.company_id, client=ProcoreDown()) == 0
    detail.refresh_from_db()
    assert (detail.state, detail.gave_up_because) == (WorkState.DEAD, GaveUpBecause.PROCORE)

    with (
        mock.patch("integrations.services.dead_letters.enqueue_close_out") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        counts = dead_letters_heal(check=lambda c: True)

    assert counts["close_outs"] == 1
    detail.refresh_from_db()
    assert detail.state == WorkState.PENDING and detail.next_attempt_at is None
    assert (detail.status, detail.gave_up_because) == ("success", "")  # still to send as it was
    enqueue.assert_called_once_with(connection.company_id)
    request.refresh_from_db()
    assert request.state == WorkState.SUCCEEDED  # the ERP work is not done again
