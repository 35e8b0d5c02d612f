"""What a company's own users may ask for (from the API for scripts, or the portal's pages):
retry a request, run an import. Each is audited with who asked. The caller has resolved the
company through ``selectors.memberships`` and checked the company admin role."""

from __future__ import annotations

from typing import Any

from integrations.enqueue import enqueue_import
from integrations.models import Company, ERPRequest, SyncRun
from integrations.models.erp_requests import WorkState
from integrations.selectors.connections import connection_for_company
from integrations.services.audit import audit_record
from integrations.services.erp_requests import erp_request_retry
from integrations.services.sync_entities import entity_spec
from integrations.services.sync_runs import sync_run_create

RETRYABLE = (
    WorkState.FAILED,
    WorkState.DEAD,
    WorkState.STALE,
    WorkState.NOT_HANDLED,
    WorkState.RETRYING,
)


class ActionRefused(ValueError):
    """The action cannot be done now; the message says why and what to do."""


def erp_request_retry_requested(
    *, company: Company, erp_request: ERPRequest, actor: Any, actor_label: str = ""
) -> ERPRequest:
    """Run a failed request again from the start (the ERP side is idempotent)."""
    if erp_request.company_id != company.pk:
        raise ActionRefused("That request is not one of this company's.")
    if erp_request.state not in RETRYABLE:
        raise ActionRefused(
            f"Request {erp_request.procore_request_id} is {erp_request.get_state_display()}; "
            "only failed, stale, dead or waiting requests can be retried."
        )
    erp_request_retry(erp_request=erp_request)
    audit_record(
        action="action",
        instance=erp_request,
        changes={"action": "retry now"},
        actor=actor,
        actor_label=actor_label,
        company=company,
    )
    erp_request.refresh_from_db()
    return erp_request


def sync_run_requested(
    *, company: Company, entity: str, actor: Any, actor_label: str = ""
) -> SyncRun:
    """Queue an import of ``entity`` now (or the unfinished one, resumed); the run to follow."""
    try:
        spec = entity_spec(entity)
    except ValueError as exc:
        raise ActionRefused(str(exc)) from None
    if connection_for_company(company_id=company.pk) is None:
        raise ActionRefused(f"{company} is not connected yet: connect it, then run an import.")
    run = sync_run_create(company=company, entity=spec.entity, trigger=SyncRun.Trigger.SELF_SERVICE)
    enqueue_import(company.pk, spec.entity, SyncRun.Trigger.SELF_SERVICE)
    audit_record(
        action="action",
        instance=run,
        changes={"action": "run import now", "entity": spec.entity},
        actor=actor,
        actor_label=actor_label,
        company=company,
    )
    return run
