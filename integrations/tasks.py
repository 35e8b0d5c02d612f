"""django-q2 tasks: thin entry points that take primary keys and call services.

The state of every piece of work lives in our rows, not in the queue: a task that is lost or
whose worker dies changes nothing, because ``sweep_due_work`` (scheduled every minute) finds
the row due again and enqueues it once more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from django.conf import settings
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

_broker: Broker | None = None


def _shared_broker() -> Broker:
    """One broker per process: opening a Redis client per enqueue costs more than the enqueue."""
    global _broker
    if _broker is None:
        _broker = get_broker()
    return _broker


ERP_REQUESTS_PER_TASK = 10


def enqueue_erp_requests(erp_request_pks: Sequence[int]) -> None:
    """One task per ten ERP requests: signing and sending a task costs more CPU than storing a
    webhook, so a batch of deliveries is handed over in a few tasks instead of one each."""
    pks = list(erp_request_pks)
    for start in range(0, len(pks), ERP_REQUESTS_PER_TASK):
        chunk = pks[start : start + ERP_REQUESTS_PER_TASK]
        async_task(
            "integrations.tasks.erp_requests_task",
            chunk,
            task_name=f"erp-requests-{chunk[0]}-{len(chunk)}",
            broker=_shared_broker(),
        )


def enqueue_close_out(company_pk: int) -> None:
    async_task("integrations.tasks.close_out_task", company_pk, broker=_shared_broker())


def erp_requests_task(erp_request_pks: list[int]) -> list[str | None]:
    """Process each request in turn; one that fails unexpectedly does not hold up the others
    (its lease runs out, and the sweeper hands it out again).

    Imports can take minutes, so once half of django-q2's time limit has gone, the requests not
    yet started go to a new task instead of risking that the limit kills this one halfway.
    """
    from integrations.services.erp_requests import erp_request_process

    give_up_starting_at = time.monotonic() + settings.Q_CLUSTER["timeout"] / 2
    states: list[str | None] = []
    for position, pk in enumerate(erp_request_pks):
        if position and time.monotonic() > give_up_starting_at:
            enqueue_erp_requests(erp_request_pks[position:])
            break
        try:
            states.append(erp_request_process(erp_request_id=pk))
        except Exception:
            logger.exception("ERP request %s: processing raised", pk)
            states.append(None)
    return states


def close_out_task(company_pk: int) -> int:
    from integrations.services.erp_requests import request_details_close_out

    return request_details_close_out(company_pk=company_pk)


def sweep_due_work() -> dict[str, int]:
    """Enqueue everything that is due: new and retrying requests, expired leases, close-outs."""
    from integrations.services.sweeper import sweep

    return sweep(enqueue_requests=enqueue_erp_requests, enqueue_close_out=enqueue_close_out)
