"""Which units of work are due now (the sweeper and ``process_pending`` read these)."""

from __future__ import annotations

from django.utils import timezone

from integrations.models import ERPRequestDetail
from integrations.models.erp_requests import LeasedWork, work_due
from integrations.models.leases import lease_free


def work_due_ids(model: type[LeasedWork], *, limit: int = 500) -> list[int]:
    """Primary keys of rows due now and held by nobody, oldest due first."""
    now = timezone.now()
    return list(
        model.objects.filter(work_due(now), lease_free(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )


def close_outs_due():
    """Request Details whose status is decided and whose close-out is due."""
    now = timezone.now()
    return ERPRequestDetail.objects.filter(work_due(now), lease_free(now)).exclude(
        status=ERPRequestDetail.Status.OPEN
    )


def close_out_companies_due() -> list[int]:
    """Companies (primary keys) with at least one close-out due."""
    return list(close_outs_due().values_list("company_id", flat=True).distinct())
