"""Taking up exports whose ERP has answered: the late answers of file-exchange ERPs.

An adapter whose ERP answers later (``Adapter.answers_later``: the files adapter) leaves the
Request Detail ``in_progress`` (``ERPPending``) and its ERP request ``waiting``, to be asked
again now and then. On a schedule, ``erp_answers_collect`` asks each such company's adapter for
the answers that arrived (acknowledgement files in its inbox, each read once and moved aside)
and makes the requests they answer due at once, so the approver sees the ERP's id or its
refusal within a minute rather than at the next check. A request already closed ``stale`` is
re-driven too: a late "success" still closes it.

The answers themselves stay with the adapter (its own rows), so a worker that dies here, or a
restart between the answer and the request's next attempt, loses nothing: the request's own
next check finds the answer anyway.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from erp_adapters.base import AdapterError, ERPUnavailable, UnknownAdapter
from erp_adapters.registry import adapter_class, adapter_keys, get_adapter
from integrations.enqueue import enqueue_erp_requests
from integrations.models import Connection, ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import WorkState
from integrations.services.erp_requests import erp_request_retry

logger = logging.getLogger(__name__)


def _keys_answering_later() -> list[str]:
    """The registered adapters whose ERP answers later; one that cannot be loaded is left out
    (its connections' requests fail on their own, saying why)."""
    keys = []
    for key in adapter_keys():
        try:
            if adapter_class(key).answers_later:
                keys.append(key)
        except (UnknownAdapter, ImportError):
            logger.warning("ERP adapter %r cannot be loaded; its answers are not collected", key)
    return keys


def erp_answers_collect() -> dict[str, int]:
    """Collect every company's late ERP answers and take up the requests they answer."""
    totals = {"companies": 0, "answers": 0, "requests": 0}
    connections = Connection.objects.select_related("company").filter(
        adapter_key__in=_keys_answering_later(), company__is_active=True
    )
    for connection in connections:
        totals["companies"] += 1
        try:
            taken = erp_answers_collect_for(connection=connection)
        except (ERPUnavailable, AdapterError) as exc:
            logger.warning(
                "could not collect the ERP's answers: %s",
                exc,
                extra={"company_id": connection.company.procore_company_id},
            )
            continue
        totals["answers"] += taken[0]
        totals["requests"] += taken[1]
    return totals


def erp_answers_collect_for(*, connection: Connection) -> tuple[int, int]:
    """(answers read, requests taken up) for one company."""
    if not adapter_class(connection.adapter_key).answers_later:
        return 0, 0
    adapter = get_adapter(connection.adapter_key, connection.adapter_settings)
    answers = adapter.answers_collect()
    detail_ids = {a.request_detail_id for a in answers if a.request_detail_id is not None}
    if not detail_ids:
        return len(answers), 0
    request_pks = set(
        ERPRequestDetail.objects.filter(
            company_id=connection.company_id, procore_detail_id__in=detail_ids
        ).values_list("erp_request_id", flat=True)
    )
    requests = ERPRequest.objects.filter(pk__in=request_pks)
    waiting = list(requests.filter(state=WorkState.WAITING).values_list("pk", flat=True))
    if waiting:
        # Not a re-drive: the request is still in its first life, just due now.
        ERPRequest.objects.filter(pk__in=waiting, state=WorkState.WAITING).update(
            next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        enqueue_erp_requests(waiting)
    stale = list(requests.filter(state=WorkState.STALE))
    for erp_request in stale:
        erp_request_retry(erp_request=erp_request)
    return len(answers), len(waiting) + len(stale)
