"""Every way into the task queue, in one module that knows only django-q2.

Services call these to hand work to a worker; the tasks (``integrations/tasks.py``) are named by
dotted path, never imported, so tasks import services at the top and services never import
tasks. Every enqueue waits for the current transaction to commit: a worker never picks up a
primary key whose row it cannot see yet, and a rolled-back change enqueues nothing.

Enqueueing is only a hint. The state of every piece of work lives in our rows, so a task that
is lost (a broker restart, an enqueue that failed) changes nothing: the sweeper, scheduled
every minute, finds the row due and enqueues it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.db import transaction
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

TASKS = "integrations.tasks"
ERP_REQUESTS_TASK = f"{TASKS}.erp_requests_task"
CLOSE_OUT_TASK = f"{TASKS}.close_out_task"
IMPORT_TASK = f"{TASKS}.import_task"
SCHEDULED_IMPORT_TASK = f"{TASKS}.scheduled_import"
SWEEP_TASK = f"{TASKS}.sweep_due_work"
HEAL_TASK = f"{TASKS}.heal_dead_letters"
RECONCILE_TASK = f"{TASKS}.reconcile_deliveries"
RETENTION_TASK = f"{TASKS}.purge_old_records"
ERP_ANSWERS_TASK = f"{TASKS}.collect_erp_answers"

# A task carries up to this many ERP requests: the sweeper may find hundreds due at once.
ERP_REQUESTS_PER_TASK = 10

_broker: Broker | None = None


def _shared_broker() -> Broker:
    """One broker per process: opening a Redis client per enqueue costs more than the enqueue."""
    global _broker
    if _broker is None:
        _broker = get_broker()
    return _broker


def _after_commit(send: Callable[[], None], what: str) -> None:
    def guarded() -> None:
        try:
            send()
        except Exception:
            # The row is stored and due; the sweeper enqueues it once the broker is back.
            logger.warning("could not enqueue %s; the sweeper will pick it up", what, exc_info=True)

    transaction.on_commit(guarded)


def enqueue_erp_requests(erp_request_pks: Sequence[int]) -> None:
    """Process these ERP requests, a few to a task."""
    pks = [int(pk) for pk in erp_request_pks]
    for start in range(0, len(pks), ERP_REQUESTS_PER_TASK):
        chunk = pks[start : start + ERP_REQUESTS_PER_TASK]
        _after_commit(
            lambda chunk=chunk: async_task(
                ERP_REQUESTS_TASK,
                chunk,
                task_name=f"erp-requests-{chunk[0]}-{len(chunk)}",
                broker=_shared_broker(),
            ),
            f"ERP requests {chunk}",
        )


def enqueue_close_out(company_pk: int) -> None:
    """Send the company's due Request Detail close-outs (and External Data) in bulk."""
    _after_commit(
        lambda: async_task(
            CLOSE_OUT_TASK,
            int(company_pk),
            task_name=f"close-out-{company_pk}",
            broker=_shared_broker(),
        ),
        f"close-outs of company {company_pk}",
    )


def enqueue_import(company_pk: int, entity: str, trigger: str) -> None:
    """Run (or resume) an import of one entity for one company."""
    _after_commit(
        lambda: async_task(
            IMPORT_TASK,
            int(company_pk),
            str(entity),
            str(trigger),
            task_name=f"import-{entity}-{company_pk}",
            broker=_shared_broker(),
        ),
        f"{entity} import of company {company_pk}",
    )
