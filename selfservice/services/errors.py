"""Retrying what failed, as a company admin: a request from Procore, or the refused objects of
an entity (sent again with its next import)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from integrations.enqueue import enqueue_import
from integrations.models import Company, ERPRequest, ImportEntity, SyncRun
from integrations.services.audit import audit_record
from integrations.services.erp_requests import erp_request_retry
from integrations.services.sync_runs import sync_refusals_reset
from selfservice.selectors.dashboard import ERROR_STATES


class NothingToRetry(ValueError):
    """The request is no longer failed (someone retried it, or it succeeded meanwhile)."""


def erp_request_retry_by_member(
    *, user: AbstractBaseUser, company: Company, erp_request: ERPRequest
) -> None:
    """Run a failed, dead or stale request of the company again from the start, and record who
    asked. Raises ``NothingToRetry`` for a request in any other state."""
    if erp_request.company_id != company.pk:
        raise ValueError("The request belongs to another company.")
    with transaction.atomic():
        locked = ERPRequest.objects.select_for_update().filter(pk=erp_request.pk).first()
        if locked is None or locked.state not in ERROR_STATES:
            state = locked.get_state_display().lower() if locked else "gone"
            raise NothingToRetry(
                f"Request {erp_request.procore_request_id} is {state} now; there is nothing "
                "to retry."
            )
        erp_request_retry(erp_request=locked)
        audit_record(
            action="action",
            instance=locked,
            actor=user,
            company=company,
            changes={"action": "retry now", "via": "self-service"},
        )


def failed_items_resend(*, user: AbstractBaseUser, company: Company, entity: str) -> int:
    """Send the objects of ``entity`` that Procore refused again, with an import queued now.
    Returns how many objects will be sent again."""
    if entity not in ImportEntity.values:
        raise ValueError(f"{entity!r} is not an entity the portal imports.")
    with transaction.atomic():
        count = sync_refusals_reset(company=company, entity=entity)
        enqueue_import(company.pk, entity, SyncRun.Trigger.SELF_SERVICE)
        audit_record(
            action="action",
            instance=company,
            actor=user,
            changes={"action": "send refused items again", "entity": entity, "items": count},
        )
    return count
