"""django-q2 tasks: thin entry points that take primary keys and call services.

They are enqueued only through ``integrations/enqueue.py``, which names them by dotted path. The
state of every piece of work lives in our rows, not in the queue: a task that is lost or whose
worker dies changes nothing, because ``sweep_due_work`` (scheduled every minute) finds the row
due again and enqueues it once more. Import runs are resumed by the company's next scheduled
import (or support's "Run import now") instead.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from erp_adapters.base import ERPUnavailable
from integrations.enqueue import enqueue_erp_requests
from integrations.models import Company, SyncRun
from integrations.procore import RetryableError
from integrations.services.dead_letters import dead_letters_heal
from integrations.services.erp_answers import erp_answers_collect
from integrations.services.erp_requests import erp_request_process, request_details_close_out
from integrations.services.leases import Busy
from integrations.services.reconciliation import deliveries_reconcile_all
from integrations.services.retention import retention_purge
from integrations.services.sweeper import sweep
from integrations.services.sync_run_summaries import sync_run_summary
from integrations.services.sync_runs import sync_entity_unavailable, sync_run_start

logger = logging.getLogger(__name__)


def erp_requests_task(erp_request_pks: list[int]) -> list[str | None]:
    """Process each request in turn; one that fails unexpectedly does not hold up the others
    (its lease runs out, and the sweeper hands it out again).

    Imports can take minutes, so once half of django-q2's time limit has gone, the requests not
    yet started go to a new task instead of risking that the limit kills this one halfway.
    """
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
    return request_details_close_out(company_pk=company_pk)


def sweep_due_work() -> dict[str, int]:
    """Enqueue everything that is due: new and retrying requests, expired leases, close-outs."""
    return sweep()


def heal_dead_letters() -> dict[str, int]:
    """Re-drive the dead letters whose Procore or ERP answers again."""
    return dead_letters_heal()


def collect_erp_answers() -> dict[str, int]:
    """Read the answers file-exchange ERPs left in their inboxes; take up what they answer."""
    return erp_answers_collect()


def reconcile_deliveries() -> list[str]:
    """Recover the events of deliveries Procore is failing or has discarded."""
    return [result.summary() for result in deliveries_reconcile_all()]


def purge_old_records() -> dict[str, int]:
    return retention_purge()


def import_task(company_pk: int, entity: str, trigger: str) -> str:
    """Run or resume one import; a summary for django-q2's task list."""
    company = Company.objects.filter(pk=company_pk, is_active=True).first()
    if company is None:
        return f"Skipped: company {company_pk} is gone or inactive."
    try:
        run = sync_run_start(company=company, entity=entity, trigger=trigger)
    except Busy as exc:
        return f"Skipped: {exc}"
    except (RetryableError, ERPUnavailable) as exc:
        logger.warning(
            "%s import paused: %s", entity, exc, extra={"company_id": company.procore_company_id}
        )
        return f"Paused, resumes on the next run: {exc}"
    return sync_run_summary(run)


def scheduled_import(company_pk: int, entity: str) -> str:
    """What each company's import schedule calls; a tick for an entity the company's ERP does
    not keep is skipped with the reason."""
    company = Company.objects.filter(pk=company_pk, is_active=True).first()
    if company is not None:
        reason = sync_entity_unavailable(company=company, entity=entity)
        if reason is not None:
            return f"Skipped: {reason}"
    return import_task(company_pk, entity, SyncRun.Trigger.SCHEDULE)
