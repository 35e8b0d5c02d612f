"""django-q2 tasks: thin entry points that take primary keys and call services.

The state of every piece of work lives in our rows, not in the queue: a task that is lost or
whose worker dies changes nothing, because ``sweep_due_work`` (scheduled every minute) finds
the row due again and enqueues it once more.
"""

from __future__ import annotations

import logging

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


def enqueue_erp_request(erp_request_pk: int) -> None:
    async_task(
        "integrations.tasks.erp_request_task",
        erp_request_pk,
        task_name=f"erp-request-{erp_request_pk}",
        broker=_shared_broker(),
    )


def enqueue_close_out(company_pk: int) -> None:
    async_task("integrations.tasks.close_out_task", company_pk, broker=_shared_broker())


def erp_request_task(erp_request_pk: int) -> str | None:
    from integrations.services.erp_requests import erp_request_process

    return erp_request_process(erp_request_id=erp_request_pk)


def close_out_task(company_pk: int) -> int:
    from integrations.services.erp_requests import request_details_close_out

    return request_details_close_out(company_pk=company_pk)


def sweep_due_work() -> dict[str, int]:
    """Enqueue everything that is due: new and retrying requests, expired leases, close-outs."""
    from integrations.services.sweeper import sweep

    return sweep(enqueue_request=enqueue_erp_request, enqueue_close_out=enqueue_close_out)
