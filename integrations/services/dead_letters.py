"""Re-driving dead letters: by a person (one, a company's, or all), or by themselves once what
they died of answers again.

Close-outs die too: a Request Detail whose close-out Procore did not answer until its retries
ran out. Its ERP work is done, so healing only sends the close-out again (``close_outs``).

A request becomes a dead letter when its retries run out (``work.py``); what it died of is kept
(``gave_up_because``: Procore or the ERP unreachable, or an internal error). Requests that died
because Procore or the ERP did not answer are re-driven automatically as soon as that target
answers again (``dead_letters_heal``, scheduled); those that died of an internal error wait for
a person, since running them again unchanged would fail the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from erp_adapters.base import AdapterError, HealthState
from erp_adapters.registry import get_adapter
from integrations.enqueue import enqueue_close_out, enqueue_erp_requests
from integrations.models import CircuitBreaker, Connection, ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import GaveUpBecause, WorkState
from integrations.selectors.connections import connection_for_company
from integrations.services.connections import CheckOutcome, connection_check
from integrations.services.notification_events import notification_events_follow
from integrations.services.work import work_redrive

logger = logging.getLogger(__name__)


def dead_letters_redrive(*, requests: QuerySet[ERPRequest]) -> int:
    """Make these dead letters due now (attempts reset) and hand them to the workers. Requests
    that are not dead are left alone. Returns how many were re-driven."""
    pks = list(requests.filter(state=WorkState.DEAD).values_list("pk", flat=True))
    if not pks:
        return 0
    with transaction.atomic():
        work_redrive(ERPRequest.objects.filter(pk__in=pks, state=WorkState.DEAD))
        for pk in pks:
            notification_events_follow(erp_request_pk=pk, request_state=WorkState.PENDING)
        enqueue_erp_requests(pks)
    return len(pks)


def dead_close_outs_redrive(*, company_pk: int) -> int:
    """Send again the company's close-outs that died because Procore did not answer: the status
    and messages they hold go to Procore as they are; the ERP work is not redone."""
    with transaction.atomic():
        count = work_redrive(_dead_close_outs().filter(company_id=company_pk))
        if count:
            enqueue_close_out(company_pk)
    return count


def _dead_close_outs() -> QuerySet[ERPRequestDetail]:
    return ERPRequestDetail.objects.filter(
        state=WorkState.DEAD, gave_up_because=GaveUpBecause.PROCORE
    )


def dead_letters_heal(*, check: Callable[[Connection], bool] | None = None) -> dict[str, int]:
    """Re-drive the dead letters whose target answers again: for each company with requests
    (or close-outs) that died because Procore (or its ERP) did not answer, ask that target once
    (the Procore connection check, the adapter's health check) and, if it answers, re-drive
    them.

    A company whose Procore answered a call since its requests died (its breaker says so) is
    re-driven without asking again. Requests that died of an internal error wait for a person.
    Returns counts per cause, and of close-outs sent again.
    """
    counts = {"procore": 0, "erp": 0, "close_outs": 0, "companies_checked": 0}
    waiting = (
        ERPRequest.objects.filter(
            state=WorkState.DEAD,
            gave_up_because__in=(GaveUpBecause.PROCORE, GaveUpBecause.ERP),
        )
        .order_by()
        .values_list("company_id", "gave_up_because")
        .distinct()
    )
    by_company: dict[int, set[str]] = {}
    for company_pk, cause in waiting:
        by_company.setdefault(company_pk, set()).add(cause)
    for company_pk in _dead_close_outs().order_by().values_list("company_id", flat=True).distinct():
        by_company.setdefault(company_pk, set()).add(GaveUpBecause.PROCORE)
    for company_pk, causes in sorted(by_company.items()):
        connection = connection_for_company(company_id=company_pk)
        if connection is None:
            continue
        counts["companies_checked"] += 1
        for cause in sorted(causes):
            if _answers_again(connection, cause, check):
                dead = ERPRequest.objects.filter(
                    company_id=company_pk, state=WorkState.DEAD, gave_up_because=cause
                )
                redriven = dead_letters_redrive(requests=dead)
                counts[cause] += redriven
                close_outs = 0
                if cause == GaveUpBecause.PROCORE:
                    close_outs = dead_close_outs_redrive(company_pk=company_pk)
                    counts["close_outs"] += close_outs
                logger.warning(
                    "%s answers again: re-drove %s dead letter(s) and %s close-out(s)",
                    "Procore" if cause == GaveUpBecause.PROCORE else "The ERP",
                    redriven,
                    close_outs,
                    extra={"company_id": connection.company.procore_company_id},
                )
    return counts


def _answers_again(
    connection: Connection, cause: str, check: Callable[[Connection], bool] | None
) -> bool:
    if check is not None:
        return check(connection)
    if cause == GaveUpBecause.PROCORE:
        breaker = CircuitBreaker.objects.filter(key=f"procore:{connection.company_id}").first()
        died = max(
            filter(
                None,
                (
                    _last_death(
                        ERPRequest.objects.filter(
                            company_id=connection.company_id,
                            state=WorkState.DEAD,
                            gave_up_because=GaveUpBecause.PROCORE,
                        )
                    ),
                    _last_death(_dead_close_outs().filter(company_id=connection.company_id)),
                ),
            ),
            default=None,
        )
        if (
            breaker is not None
            and breaker.state == CircuitBreaker.State.CLOSED
            and breaker.last_success_at
            and died
            and breaker.last_success_at > died
        ):
            return True
        return connection_check(connection=connection, check_erp=False).outcome == CheckOutcome.OK
    try:
        adapter = get_adapter(connection.adapter_key, connection.adapter_settings)
        # Degraded (books incomplete, say) still answers: what died of silence may go again.
        return adapter.health_check().state != HealthState.FAILING
    except AdapterError:
        return False


def _last_death(rows: QuerySet) -> Any:
    return rows.order_by("-completed_at").values_list("completed_at", flat=True).first()
