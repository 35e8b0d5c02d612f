"""Import runs: the one unfinished run of an entity, the run a request started, the latest."""

from __future__ import annotations

from django.utils import timezone

from integrations.models import Company, ERPRequest, SyncRun
from integrations.models.leases import lease_free


def sync_run_unfinished(*, company_id: int, entity: str) -> SyncRun | None:
    """The entity's unfinished (pending or running) run, held or not; there is at most one."""
    return (
        SyncRun.objects.filter(company_id=company_id, entity=entity, state__in=SyncRun.UNFINISHED)
        .order_by("-id")
        .first()
    )


def sync_run_resumable(*, company: Company, entity: str) -> SyncRun | None:
    """The entity's unfinished run if nobody is working on it (its lease is free or ran out)."""
    return (
        SyncRun.objects.filter(
            lease_free(timezone.now()),
            company=company,
            entity=entity,
            state__in=SyncRun.UNFINISHED,
        )
        .order_by("-id")
        .first()
    )


def sync_run_of_request(*, erp_request: ERPRequest, entity: str) -> SyncRun | None:
    """The run a ``sync_*`` ERP request started, finished or not."""
    return SyncRun.objects.filter(erp_request=erp_request, entity=entity).order_by("-id").first()


def sync_run_latest(*, company_id: int, entity: str) -> SyncRun | None:
    """The entity's newest run, whatever its state (the admin's "last run", a paused command)."""
    return SyncRun.objects.filter(company_id=company_id, entity=entity).order_by("-id").first()
