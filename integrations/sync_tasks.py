"""django-q2 entry points for import runs: take primary keys, call services, return a summary.

A run that pauses on a Procore or ERP outage stays resumable in our rows; the next tick of the
company's schedule (or support's "run now") resumes it, so nothing here retries by itself.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django_q.tasks import async_task

from erp_adapters.base import ERPUnavailable
from integrations.models import Company, SyncRun
from integrations.procore import RetryableError
from integrations.services.sync_runs import ImportBusy, sync_run_start, sync_run_summary

logger = logging.getLogger(__name__)


def enqueue_import(company_pk: int, entity: str, trigger: str = SyncRun.Trigger.ADMIN) -> None:
    """Queue an import once the current transaction commits."""
    transaction.on_commit(
        lambda: async_task(
            "integrations.sync_tasks.import_task",
            company_pk,
            str(entity),
            str(trigger),
            task_name=f"import-{entity}-{company_pk}",
        )
    )


def import_task(company_pk: int, entity: str, trigger: str) -> str:
    company = Company.objects.filter(pk=company_pk, is_active=True).first()
    if company is None:
        return f"Skipped: company {company_pk} is gone or inactive."
    try:
        run = sync_run_start(company=company, entity=entity, trigger=trigger)
    except ImportBusy as exc:
        return f"Skipped: {exc}"
    except (RetryableError, ERPUnavailable) as exc:
        logger.warning(
            "%s import paused: %s",
            entity,
            exc,
            extra={"company_id": company.procore_company_id},
        )
        return f"Paused, resumes on the next run: {exc}"
    return sync_run_summary(run)


def scheduled_import(company_pk: int, entity: str) -> str:
    """What each company's import schedule calls."""
    return import_task(company_pk, entity, SyncRun.Trigger.SCHEDULE)
