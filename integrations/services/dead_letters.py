"""Re-driving dead letters: by a person (one, a company's, or all), or by themselves once what
they died of answers again.

A request becomes a dead letter when its retries run out (``work.py``); what it died of is kept
(``gave_up_because``: Procore or the ERP unreachable, or an internal error). Requests that died
because Procore or the ERP did not answer are re-driven automatically as soon as that target
answers again (``dead_letters_heal``, scheduled); those that died of an internal error wait for
a person, since running them again unchanged would fail the same way.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import QuerySet

from integrations.enqueue import enqueue_erp_requests
from integrations.models import ERPRequest
from integrations.models.erp_requests import WorkState
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
