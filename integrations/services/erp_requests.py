"""Processing one ERP request: claim it, fetch it, dispatch it, and close out its details.

The webhook gave us only an id. A worker claims the ERPRequest row with a lease, fetches the
request from Procore, runs the handler registered for its ``request_name``, and records how each
Request Detail must be closed out. Close-outs are their own retried work
(``request_details_close_out``) so that a Procore outage after the ERP work is done never makes
us redo the ERP work.

Errors are classified once: the Procore client's ``RetryableError`` and the adapter's
``ERPUnavailable`` retry with backoff; everything the ERP or Procore refuses for good closes the
details ``failed`` with a message an accountant can act on; retries that run out become dead
letters that support staff see in the admin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from erp_adapters.base import (
    AdapterError,
    ConstraintViolation,
    ERPNoAnswer,
    ERPPending,
    ERPUnavailable,
)
from integrations.breakers import CircuitOpen
from integrations.enqueue import enqueue_close_out, enqueue_erp_requests
from integrations.handlers.registry import (
    KNOWN_REQUEST_NAMES,
    HandlerContext,
    Outcome,
    handler_for,
)
from integrations.models import Connection, ERPRequest, ERPRequestDetail
from integrations.models.erp_requests import GaveUpBecause, WorkState
from integrations.procore import (
    ProcoreClient,
    ProcoreError,
    RequestDetailClosure,
    RetryableError,
)
from integrations.services.external_data import external_data_send
from integrations.services.leases import Busy, lease_kept
from integrations.services.notification_events import notification_events_follow
from integrations.services.object_links import (
    object_display_name,
    object_links_apply,
    object_links_mark_synced,
)
from integrations.services.work import (
    max_age,
    work_age_exceeded,
    work_claim,
    work_claim_one,
    work_complete,
    work_defer,
    work_redrive,
    work_resolve,
    work_retry_later,
)
from integrations.work_context import working_on

logger = logging.getLogger(__name__)


def detail_ids_in(request_data: Any) -> list[int]:
    """Every ``request_detail_id`` in a request's data: one for most events, one per item for
    item-level events (``create_standard_cost_codes``, ``delete_cost_codes``, …)."""
    found: list[int] = []

    def walk(value: Any, depth: int) -> None:
        if depth > 3:
            return
        if isinstance(value, dict):
            detail = value.get("request_detail_id")
            if isinstance(detail, int | str) and str(detail).isdigit():
                found.append(int(detail))
            for child in value.values():
                if isinstance(child, dict | list):
                    walk(child, depth + 1)
        elif isinstance(value, list):
            for child in value:
                walk(child, depth + 1)

    walk(request_data, 0)
    return list(dict.fromkeys(found))


def _register_details(row: ERPRequest) -> None:
    for detail_id in detail_ids_in(row.request_data):
        try:
            with transaction.atomic():
                ERPRequestDetail.objects.get_or_create(
                    company_id=row.company_id,
                    procore_detail_id=detail_id,
                    defaults={"erp_request": row},
                )
        except IntegrityError:
            continue


def _fetch(row: ERPRequest, client: ProcoreClient) -> None:
    fetched = client.get_erp_request(row.procore_request_id)
    row.request_name = fetched.request_name[:100]
    row.request_data = fetched.request_data
    row.integration_app_name = (fetched.integration_app_name or "")[:255]
    with transaction.atomic():
        row.save(
            update_fields=["request_name", "request_data", "integration_app_name", "updated_at"]
        )
        _register_details(row)


def _not_handled(row: ERPRequest) -> Outcome:
    if row.request_name in KNOWN_REQUEST_NAMES:
        return Outcome.failed(
            f"This integration does not handle '{row.request_name}' yet; nothing was changed in "
            "the ERP. Please contact your integration support team."
        )
    return Outcome.failed(
        f"'{row.request_name}' is not a request this integration knows; nothing was changed in "
        "the ERP. Please contact your integration support team."
    )


def _record_outcome(row: ERPRequest, outcome: Outcome) -> int:
    """Write the wanted status on each still-open detail; the close-out worker sends them, after
    the External Data updates that mark the exported objects synced."""
    # A handler reports links only for what it created, also when other items of the same
    # request failed (item-level requests): those objects are synced all the same.
    row.external_links = [link.as_update() for link in outcome.external_data]
    row.save(update_fields=["external_links", "updated_at"])
    # The ERP holds these objects for these Procore ids from now on: linked at once, so that an
    # import running before the close-out's write-back updates them in Procore (by id) instead
    # of creating a copy with the same ERP id.
    object_links_mark_synced(
        company_pk=row.company_id,
        links=[
            (
                link.item_type,
                str(link.origin_id),
                int(link.item_id),
                _exported_name(row, link.item_type),
            )
            for link in outcome.external_data
        ],
    )
    # Likewise a handler reports link changes only for what happened (a cost code deleted while
    # its neighbour was refused), so they are recorded whatever the request's status.
    if outcome.object_links:
        object_links_apply(company_pk=row.company_id, changes=outcome.object_links)
    count = 0
    # Every detail but those support resolved by hand: a retried request must replace what the
    # approver saw last time, and sending the same status twice is harmless.
    for detail in ERPRequestDetail.objects.filter(erp_request=row).exclude(
        state=WorkState.RESOLVED
    ):
        status, messages = outcome.for_detail(detail.procore_detail_id)
        detail.status = status
        detail.messages = [m[:1000] for m in messages]
        detail.state = WorkState.PENDING
        detail.attempts = 0
        detail.next_attempt_at = None
        detail.save(
            update_fields=[
                "status",
                "messages",
                "state",
                "attempts",
                "next_attempt_at",
                "updated_at",
            ]
        )
        count += 1
    return count


def _log_extra(row: ERPRequest) -> dict[str, Any]:
    return {
        "company_id": row.company.procore_company_id if row.company_id else None,
        "erp_request_id": row.procore_request_id,
        "request_name": row.request_name,
        "attempt": row.attempts,
    }


def erp_request_process(*, erp_request_id: int, client: ProcoreClient | None = None) -> str | None:
    """Do one attempt at an ERP request. Returns the state written, or None if not claimable."""
    row = work_claim_one(ERPRequest, pk=erp_request_id)
    if row is None:
        return None
    with working_on(erp_request_pk=row.pk), lease_kept([row]):
        return _attempt(row, client)


def _attempt(row: ERPRequest, client: ProcoreClient | None) -> str:
    connection = (
        Connection.objects.select_related("company").filter(company_id=row.company_id).first()
    )
    if connection is None:
        # Nothing can reach Procore for this company: a person must connect it, then retry.
        _end(
            row,
            WorkState.FAILED,
            f"{row.company} has no Procore connection; connect it, then retry this request.",
        )
        return WorkState.FAILED
    row.company = connection.company  # one query for both
    own_client = client is None
    client = client or ProcoreClient(connection)
    ctx = HandlerContext(erp_request=row, connection=connection, client=client)
    try:
        if not row.request_name:
            _fetch(row, client)
        handler = handler_for(row.request_name)
        if handler is None:
            outcome, state = _not_handled(row), WorkState.NOT_HANDLED
        else:
            outcome = _run(handler, ctx)
            state = _state_of(outcome)
            if outcome.external_data and not row.details.exists():
                # No close-out to batch the write-back with: mark the objects synced now,
                # with the same error handling as the rest of the request.
                links = [link.as_update() for link in outcome.external_data]
                _send_external_links(
                    client=client,
                    company_pk=row.company_id,
                    links=links,
                    names=[_exported_name(row, link.get("item_type")) for link in links],
                )
    except (CircuitOpen, Busy) as exc:
        # Not an attempt: the target is paused, or another worker holds what this needs.
        work_defer(row, reason=str(exc), wait_seconds=exc.retry_after or 60)
        logger.info("ERP request waits: %s", exc, extra=_log_extra(row))
        return WorkState.RETRYING
    except (RetryableError, ERPUnavailable) as exc:
        return _retry_later(row, exc, f"{exc}")
    except ConstraintViolation as exc:
        outcome, state = Outcome.failed(*exc.messages), WorkState.FAILED
    except ERPPending as exc:
        # The ERP has it and answers later (a file it imports on its own schedule).
        outcome = Outcome.in_progress(str(exc), check_again_in=exc.check_again_in)
        state = WorkState.WAITING
    except ERPNoAnswer as exc:
        outcome, state = Outcome.stale(str(exc)), WorkState.STALE
    except (ProcoreError, AdapterError) as exc:
        outcome, state = Outcome.failed(str(exc)), WorkState.FAILED
    except Exception as exc:
        # A defect of ours, not the request's: keep the request and retry, so a fix re-drives it.
        logger.exception("ERP request handler crashed", extra=_log_extra(row))
        return _retry_later(
            row,
            exc,
            f"{type(exc).__name__}: {exc}",
            dead_message="The integration hit an internal error on this request; support has "
            "been alerted and can retry it.",
        )
    finally:
        if own_client:
            client.close()
    if state == WorkState.WAITING and work_age_exceeded(row):
        hours = max_age().total_seconds() / 3600
        outcome = Outcome.stale(
            *outcome.messages,
            f"The ERP did not finish this within {hours:.0f} hours; it is closed as stale. "
            "Support can re-drive it once the ERP has processed it.",
        )
        state = WorkState.STALE
    error = "; ".join(outcome.messages) if state != WorkState.SUCCEEDED else ""
    if state in (WorkState.FAILED, WorkState.STALE):
        logger.info("ERP request %s: %s", state, error, extra=_log_extra(row))
    with transaction.atomic():  # one commit for the outcome and the request's new state
        _record_outcome(row, outcome)
        if state == WorkState.WAITING:
            # Not an attempt: the ERP is working on it. Procore shows "in progress" meanwhile.
            work_defer(
                row, reason=error, wait_seconds=outcome.check_again_in, state=WorkState.WAITING
            )
            notification_events_follow(erp_request_pk=row.pk, request_state=state)
        else:
            _end(row, state, error)
        enqueue_close_out(row.company_id)
    return state


_STATE_OF = {
    "success": WorkState.SUCCEEDED,
    "failed": WorkState.FAILED,
    "in_progress": WorkState.WAITING,
    "stale": WorkState.STALE,
}


def _state_of(outcome: Outcome) -> str:
    return _STATE_OF.get(outcome.status, WorkState.FAILED)


def _run(handler: Any, ctx: HandlerContext) -> Outcome:
    """Run the handler; what happened to its ERP calls feeds the ERP's circuit breaker (a
    refusal is an answer, so it counts as the ERP being up)."""
    try:
        outcome = handler(ctx)
    except CircuitOpen:
        raise
    except ERPUnavailable as exc:
        if ctx.adapter_used:
            ctx.erp_breaker.failure(str(exc))
        raise
    except (ConstraintViolation, AdapterError):
        if ctx.adapter_used:
            ctx.erp_breaker.success()
        raise
    if ctx.adapter_used:
        ctx.erp_breaker.success()
    return outcome


def _end(row: ERPRequest, state: str, error: str) -> None:
    """The attempt's final state, and the ledger's events follow it."""
    if work_complete(row, state=state, error=error):
        notification_events_follow(erp_request_pk=row.pk, request_state=state, error=error)


def _retry_later(
    row: ERPRequest, exc: Exception, error: str, *, dead_message: str | None = None
) -> str:
    """Another attempt later; once attempts or age run out, a dead letter that still tells the
    approver: its details close ``failed``."""
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(exc, ERPUnavailable):
        cause = GaveUpBecause.ERP
    elif isinstance(exc, RetryableError):
        cause = GaveUpBecause.PROCORE
    else:
        cause = GaveUpBecause.INTERNAL
    with transaction.atomic():
        written = work_retry_later(row, error=error, retry_after=retry_after, cause=cause)
        if written == WorkState.DEAD:
            _record_outcome(
                row,
                Outcome.failed(
                    dead_message
                    or "The integration could not complete this request after several "
                    f"attempts ({error}). Support has been alerted and can retry it."
                ),
            )
            notification_events_follow(
                erp_request_pk=row.pk, request_state=WorkState.DEAD, error=row.last_error
            )
            enqueue_close_out(row.company_id)
    if written == WorkState.DEAD:
        logger.error("ERP request is a dead letter: %s", error, extra=_log_extra(row))
    else:
        logger.warning("ERP request will be retried: %s", error, extra=_log_extra(row))
    return written


def _details_retry_later(details: list[ERPRequestDetail], *, exc: ProcoreError) -> None:
    """Procore did not answer the close-out: try again later. Those whose retries run out die
    of Procore (``GaveUpBecause.PROCORE``), so the healing sends them once it answers again;
    the ERP work is done and must not be redone."""
    dead = 0
    for detail in details:
        written = work_retry_later(
            detail,
            error=str(exc),
            retry_after=getattr(exc, "retry_after", None),
            cause=GaveUpBecause.PROCORE,
        )
        dead += written == WorkState.DEAD
    if dead:
        logger.error(
            "%s close-out(s) are dead letters: %s",
            dead,
            exc,
            extra={"company_id": details[0].company.procore_company_id},
        )


def request_details_close_out(
    *, company_pk: int, client: ProcoreClient | None = None, limit: int = 1000
) -> int:
    """Send every due close-out of one company in one bulk call. Returns how many were closed.

    Batching across requests is what keeps an export burst near one Procore call per request.
    """
    details = work_claim(
        ERPRequestDetail.objects.filter(company_id=company_pk).exclude(
            status=ERPRequestDetail.Status.OPEN
        ),
        limit=limit,
    )
    if not details:
        return 0
    # A batch of one request's details: its calls are that request's (the admin links them).
    requests = {d.erp_request_id for d in details}
    only = requests.pop() if len(requests) == 1 else None
    with working_on(erp_request_pk=only), lease_kept(details):
        return _close_out(details, company_pk=company_pk, client=client)


def _close_out(
    details: list[ERPRequestDetail], *, company_pk: int, client: ProcoreClient | None
) -> int:
    connection = Connection.objects.select_related("company").get(company_id=company_pk)
    own_client = client is None
    client = client or ProcoreClient(connection)
    try:
        _apply_external_links(details=details, client=client)
        closures = [
            RequestDetailClosure(id=d.procore_detail_id, status=d.status, messages=d.messages)
            for d in details
        ]
        result = client.close_request_details(closures)
    except CircuitOpen as exc:
        for detail in details:
            work_defer(detail, reason=str(exc), wait_seconds=exc.retry_after)
        return 0
    except RetryableError as exc:
        _details_retry_later(details, exc=exc)
        return 0
    except ProcoreError as exc:
        for detail in details:
            work_complete(detail, state=WorkState.FAILED, error=str(exc))
        return 0
    finally:
        if own_client:
            client.close()
    refused = {error.index: error for error in result.errors if error.index is not None}
    closed = 0
    now = timezone.now()
    for index, detail in enumerate(details):
        if index in refused:
            work_complete(detail, state=WorkState.FAILED, error=str(refused[index]))
            continue
        sent = {"at": now.isoformat(), "status": detail.status, "messages": detail.messages}
        if work_complete(
            detail,
            state=WorkState.SUCCEEDED,
            closed_out_at=now,
            history=[*detail.history, sent][-20:],
        ):
            closed += 1
    return closed


def _send_external_links(
    *,
    client: ProcoreClient,
    company_pk: int,
    links: list[dict],
    names: list[str] | None = None,
):
    return external_data_send(client=client, company_pk=company_pk, links=links, names=names)


def _exported_name(erp_request: ERPRequest, item_type: Any) -> str:
    """The exported object's name as Procore sent it (``{"vendor": {"name": …}}``)."""
    data = erp_request.request_data if isinstance(erp_request.request_data, dict) else {}
    return object_display_name(data.get(str(item_type)))


def _apply_external_links(*, details: list[ERPRequestDetail], client: ProcoreClient) -> None:
    """Send the External Data updates of every successful detail's request in one call.

    A link Procore refuses turns its request's details to ``failed`` with the reason, so the
    approver never sees "success" for an object Procore does not show as synced. A retryable
    failure propagates: the caller reschedules the whole close-out.
    """
    requests = ERPRequest.objects.in_bulk(
        {d.erp_request_id for d in details if d.status == ERPRequestDetail.Status.SUCCESS}
    )
    links: list[dict] = []
    owners: list[int] = []
    names: list[str] = []
    seen: set[tuple] = set()
    for request_pk, erp_request in requests.items():
        for link in erp_request.external_links or []:
            key = (link.get("item_type"), link.get("item_id"))
            if key not in seen:
                seen.add(key)
                links.append(link)
                owners.append(request_pk)
                names.append(_exported_name(erp_request, link.get("item_type")))
    if not links:
        return
    company_pk = details[0].company_id
    try:
        result = _send_external_links(
            client=client, company_pk=company_pk, links=links, names=names
        )
    except RetryableError:
        raise  # the caller reschedules every detail
    except ProcoreError as exc:
        failed_requests = {pk: str(exc) for pk in requests}
    else:
        failed_requests = {}
        for error in result.errors:
            if error.index is not None:
                failed_requests.setdefault(owners[error.index], str(error))
    for request_pk, reason in failed_requests.items():
        # The ERP holds the object, but Procore does not show it synced: the request failed,
        # and support sees it so (not "succeeded" beside a failed detail).
        message = f"Procore did not accept the ERP id: {reason}"
        ERPRequest.objects.filter(pk=request_pk).update(
            state=WorkState.FAILED, last_error=message[:4000]
        )
        notification_events_follow(
            erp_request_pk=request_pk, request_state=WorkState.FAILED, error=message
        )
    for detail in details:
        reason = failed_requests.get(detail.erp_request_id)
        if reason is None:
            continue
        detail.status = ERPRequestDetail.Status.FAILED
        detail.messages = [
            *detail.messages,
            f"Procore did not accept the ERP id for this object: {reason}",
        ][:20]
        ERPRequestDetail.objects.filter(pk=detail.pk).update(
            status=detail.status, messages=detail.messages
        )


def erp_request_retry(*, erp_request: ERPRequest) -> None:
    """Support's "retry now": run the request again from the start (the ERP side is idempotent)."""
    work_redrive(ERPRequest.objects.filter(pk=erp_request.pk))
    notification_events_follow(erp_request_pk=erp_request.pk, request_state=WorkState.PENDING)
    enqueue_erp_requests([erp_request.pk])


def request_details_reclose(*, details: Iterable[ERPRequestDetail]) -> int:
    """Support's "re-close-out": send the recorded status and messages to Procore again."""
    chosen = [d for d in details if d.status != ERPRequestDetail.Status.OPEN]
    work_redrive(ERPRequestDetail.objects.filter(pk__in=[d.pk for d in chosen]))
    for company_pk in sorted({d.company_id for d in chosen}):
        enqueue_close_out(company_pk)
    return len(chosen)


class NotResolvable(ValueError):
    """Marking this request resolved would hide what really happened to it."""


def erp_request_mark_resolved(*, erp_request: ERPRequest, note: str) -> None:
    """Support took care of it by hand; the sweeper leaves it alone from now on. A request
    that succeeded (or was resolved already) is refused: its outcome stands as it is."""
    if erp_request.state in (WorkState.SUCCEEDED, WorkState.RESOLVED):
        raise NotResolvable(
            f"ERP request {erp_request.procore_request_id} is {erp_request.get_state_display()} "
            "already; there is nothing to resolve."
        )
    work_resolve(ERPRequest.objects.filter(pk=erp_request.pk), note=note)
    notification_events_follow(erp_request_pk=erp_request.pk, request_state=WorkState.RESOLVED)
