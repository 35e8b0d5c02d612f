"""Delivering webhook events as Procore does (``plan_your_app/webhooks.md``, §c.4):

- a ``POST`` of the event JSON with the hook's ``destination_headers``, 5 s timeout;
- failure (connection error, timeout, non-2xx) pauses *every* delivery to that hook, and the hook
  is retried with exponential backoff from 1 s, doubling, capped at 1 h;
- one success resets the counters and the queue drains in order;
- after 12 h of failures the queue is flushed and its events marked ``discarded``;
- every attempt is recorded, for the deliveries endpoint.

The sandbox server runs :class:`DeliveryRunner` in a thread; tests and scripts call
:func:`deliveries_run_due` (or ``manage.py sandbox deliver``) instead. Hooks are leased, so the
thread and a command running at the same time never send the same delivery twice in parallel.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta
from http import HTTPStatus

import requests
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from procore_sandbox import conf
from procore_sandbox.models import Delivery, DeliveryAttempt, Hook
from procore_sandbox.services.representations import event_payload

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
BODY_EXCERPT = 2000


def deliveries_run_due(*, now: datetime | None = None) -> int:
    """Attempt every delivery that is due; returns how many HTTP attempts were made.

    ``now`` lets tests move the clock forward instead of sleeping through a backoff.
    """
    clock = now or timezone.now()
    due_hooks = (
        Hook.objects.filter(deliveries__status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=clock))
        .values_list("id", flat=True)
        .distinct()
    )
    attempts = 0
    for hook_id in list(due_hooks):
        if not _lease(hook_id, clock):
            continue
        try:
            attempts += _drain(hook_id, now)
        finally:
            Hook.objects.filter(id=hook_id).update(lease_until=None)
    return attempts


def deliveries_pending_count() -> int:
    return Delivery.objects.filter(status=Delivery.Status.PENDING).count()


def _lease(hook_id: int, clock: datetime) -> bool:
    claimed = (
        Hook.objects.filter(id=hook_id)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=clock))
        .update(lease_until=clock + LEASE)
    )
    return claimed == 1


def _drain(hook_id: int, fixed_now: datetime | None) -> int:
    attempts = 0
    session = requests.Session()
    try:
        while True:
            hook = Hook.objects.get(id=hook_id)
            delivery = (
                Delivery.objects.select_related("event")
                .filter(hook=hook, status=Delivery.Status.PENDING)
                .order_by("id")
                .first()
            )
            if delivery is None:
                return attempts
            now = fixed_now or timezone.now()
            if hook.next_attempt_at and hook.next_attempt_at > now:
                return attempts
            attempts += 1
            if not _attempt(session, hook, delivery, fixed_now):
                return attempts
    finally:
        session.close()


def _attempt(
    session: requests.Session, hook: Hook, delivery: Delivery, fixed_now: datetime | None
) -> bool:
    """One POST; returns True when it succeeded (so the queue may go on)."""
    payload = event_payload(delivery.event, api_version=hook.api_version)
    headers = {"Content-Type": "application/json", "User-Agent": "Procore-Sandbox-Webhooks/1.0"}
    headers.update(hook.destination_headers or {})
    timeout = float(conf.get("webhook_timeout"))
    started = fixed_now or timezone.now()
    status_text = body = error = None
    response_headers: dict[str, str] = {}
    ok = False
    try:
        response = session.post(
            hook.destination_url,
            data=json.dumps(payload),
            headers=headers,
            timeout=(timeout, timeout),
            allow_redirects=False,
        )
        status_text = _status_text(response.status_code)
        response_headers = dict(response.headers)
        body = response.text[:BODY_EXCERPT]
        ok = 200 <= response.status_code < 300
        if not ok:
            error = f"Endpoint answered {status_text}"
    except requests.Timeout:
        error = f"Timed out after {timeout:g} seconds"
    except requests.RequestException as exc:
        error = f"Connection failed: {type(exc).__name__}: {exc}"[:BODY_EXCERPT]
    completed = fixed_now or timezone.now()

    with transaction.atomic():
        hook = Hook.objects.select_for_update().get(id=hook.id)
        delivery.attempts += 1
        if ok:
            outcome = DeliveryAttempt.Outcome.OK
            delivery.status = Delivery.Status.OK
            delivery.completed_at = completed
            hook.consecutive_failures = 0
            hook.failing_since = None
            hook.next_attempt_at = None
        else:
            hook.consecutive_failures += 1
            hook.failing_since = hook.failing_since or started
            elapsed = (completed - hook.failing_since).total_seconds()
            if elapsed >= float(conf.get("webhook_discard_after")):
                outcome = DeliveryAttempt.Outcome.FAILED
            else:
                outcome = DeliveryAttempt.Outcome.RETRIED
                hook.next_attempt_at = completed + timedelta(
                    seconds=backoff_seconds(hook.consecutive_failures)
                )
        delivery.save(update_fields=["attempts", "status", "completed_at"])
        DeliveryAttempt.objects.create(
            delivery=delivery,
            hook=hook,
            outcome=outcome,
            response_status=status_text,
            response_headers=response_headers,
            response_body=body,
            response_error=error,
            started_at=started,
            completed_at=completed,
        )
        if outcome == DeliveryAttempt.Outcome.FAILED:
            _discard_queue(hook, completed)
        hook.save(update_fields=["consecutive_failures", "failing_since", "next_attempt_at"])
    if not ok:
        logger.info("webhook delivery to hook %s failed: %s", hook.id, error)
    return ok


def _discard_queue(hook: Hook, now: datetime) -> None:
    """12 hours of failures: flush the queue; a later event starts a fresh cycle."""
    pending = list(Delivery.objects.filter(hook=hook, status=Delivery.Status.PENDING))
    for delivery in pending:
        DeliveryAttempt.objects.create(
            delivery=delivery,
            hook=hook,
            outcome=DeliveryAttempt.Outcome.DISCARDED,
            response_error="Discarded after repeated delivery failures",
            started_at=now,
            completed_at=now,
        )
    Delivery.objects.filter(id__in=[d.id for d in pending]).update(
        status=Delivery.Status.DISCARDED, completed_at=now
    )
    hook.consecutive_failures = 0
    hook.failing_since = None
    hook.next_attempt_at = None


def backoff_seconds(failures: int) -> float:
    """1 s, 2 s, 4 s, ... capped (both configurable)."""
    initial = float(conf.get("webhook_backoff_initial"))
    cap = float(conf.get("webhook_backoff_cap"))
    return min(cap, initial * (2 ** max(0, failures - 1)))


def _status_text(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


class DeliveryRunner(threading.Thread):
    """The sandbox server's delivery loop: wakes when an event is emitted in this process, and
    polls so that events emitted by other processes (``manage.py sandbox ...``) go out too."""

    def __init__(self, *, poll_interval: float | None = None) -> None:
        super().__init__(name="procore-sandbox-deliveries", daemon=True)
        self.poll_interval = poll_interval
        self.stopping = threading.Event()
        self.wake = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                deliveries_run_due()
            except Exception:
                logger.exception("webhook delivery loop failed; retrying")
            finally:
                close_old_connections()
            interval = self.poll_interval or float(conf.get("webhook_poll_interval"))
            self.wake.wait(interval)
            self.wake.clear()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()


_runner: DeliveryRunner | None = None


def runner_start(*, poll_interval: float | None = None) -> DeliveryRunner:
    """Start the process's delivery thread (once)."""
    global _runner
    if _runner is None or not _runner.is_alive():
        _runner = DeliveryRunner(poll_interval=poll_interval)
        _runner.start()
    return _runner


def runner_stop() -> None:
    global _runner
    if _runner is not None:
        _runner.stop()
        _runner.join(timeout=10)
        _runner = None


def runner_wake() -> None:
    if _runner is not None:
        _runner.wake.set()
