"""The Procore API, one typed method per endpoint the portal uses.

Build a client from a Connection row and call it from services; it knows nothing of views,
admin or tasks. Every method goes through :class:`~integrations.procore.transport.Transport`
(token, ``Procore-Company-Id``, rate limits, retries, one ApiAttempt row per attempt) and raises
a classified :class:`~integrations.procore.errors.ProcoreError` on failure.

Which calls are repeated automatically after a timeout, a connection error or a 5xx: GETs, and
calls that set an absolute state keyed by ids the caller supplies (sync upserts where every item
has an ``origin_id`` or ``id``, Request Detail close-outs, External Data, metadata and
configuration PATCHes). Creates (POST), deletes and syncs with items lacking both ids are not:
their error is raised (still classified retryable) for the caller's work row to decide. A 429 is
waited out for every call, since Procore did nothing with the request.

Not wired to any flow yet
-------------------------
These methods are tested (``tests/integrations/procore/``) but no service, handler, task or command calls
them yet; the coming flows will. Keep them, and take a name off this list when a flow calls it
(``tests/integrations/procore/test_client_wiring.py`` checks that the list matches the code).

- Contracts and money (job costs Procore asks to delete): ``delete_erp_job_cost``.
- One at a time what the flows do in bulk (staging, reading Ready to Import, closing out):
  ``create_staged_record``, ``list_staged_records``, ``close_request_detail``.
- Taking hooks and triggers down: ``delete_hook``, ``delete_trigger``,
  ``create_triggers_bulk``, ``delete_triggers_bulk``.
- Legacy staging (companies on the pre-Staged-Records endpoints): ``sync_legacy_staging``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from integrations.breakers import Breaker, procore_breaker
from integrations.procore import paths, ratelimit
from integrations.procore.attempts import AttemptRecorder, DatabaseAttemptRecorder
from integrations.procore.auth import ConnectionTokenProvider, CredentialsTokenProvider
from integrations.procore.batching import SyncResult, sync_in_batches
from integrations.procore.errors import NotFoundError, ProtocolError
from integrations.procore.paging import DEFAULT_PER_PAGE, iter_cursor, iter_pages
from integrations.procore.paths import build
from integrations.procore.ratelimit import RateLimitRegistry
from integrations.procore.transport import DEFAULT_TIMEOUT, ProcoreResponse, RetryPolicy, Transport

Item = dict[str, Any]


@dataclass(frozen=True)
class ErpConnection:
    id: int
    standard_cost_code_list_id: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ErpRequest:
    id: int
    company_id: int | None
    request_name: str
    request_data: dict[str, Any]
    created_at: str | None = None
    updated_at: str | None = None
    integration_app_name: str | None = None


@dataclass(frozen=True)
class RequestDetailClosure:
    """How one ERP Request Detail ends: a status and messages shown to users in the ERP tab."""

    id: int
    status: str
    messages: Sequence[str] = ()

    def __post_init__(self) -> None:
        _check_status(self.status)

    def as_item(self) -> Item:
        return {"id": int(self.id), "status": self.status, "messages": list(self.messages)}


@dataclass
class BulkTriggerResult:
    """Bulk trigger calls answer 200, or 207 with ``{success, failed}`` on partial failure."""

    succeeded: list[Any] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    calls: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def _check_status(status: str) -> None:
    if status not in paths.REQUEST_DETAIL_STATUSES:
        raise ValueError(
            f"request detail status {status!r} is not one of {paths.REQUEST_DETAIL_STATUSES}"
        )


class ProcoreClient:
    """Procore for one company, through the credentials of its Connection row."""

    def __init__(
        self,
        connection: Any,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        session: requests.Session | None = None,
        rate_limits: RateLimitRegistry | None = None,
        recorder: AttemptRecorder | None = None,
        breaker: Breaker | None = None,
        tokens: ConnectionTokenProvider | CredentialsTokenProvider | None = None,
    ) -> None:
        self.connection = connection
        company = connection.company
        if breaker is _NO_BREAKER:
            breaker = None
        elif breaker is None:
            breaker = _default_breaker(company)
        self.company_id = int(company.procore_company_id)
        recorder = recorder if recorder is not None else DatabaseAttemptRecorder()
        self.tokens = tokens or ConnectionTokenProvider(connection, recorder=recorder, clock=clock)
        self.transport = Transport(
            api_url=connection.api_url,
            company_id=self.company_id,
            company_pk=company.pk,
            tokens=self.tokens,
            rate_limit=(rate_limits or ratelimit.DEFAULT_REGISTRY).for_company(
                connection.api_url, self.company_id
            ),
            recorder=recorder,
            session=session,
            timeout=timeout,
            retry=retry,
            sleep=sleep,
            clock=clock,
            rng=rng,
            breaker=breaker,
        )

    @classmethod
    def for_unsaved_credentials(
        cls,
        connection: Any,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        recorder: AttemptRecorder | None = None,
        clock: Callable[[], float] = time.time,
    ) -> ProcoreClient:
        """A client for credentials typed but not saved (``connection`` is an unsaved or edited
        Connection): its token is fetched and kept in memory only, and the company's breaker
        is left alone (a wrong secret being tried says nothing about the saved connection).
        The URLs are checked against ``destinations`` before anything is sent, as always."""
        recorder = recorder if recorder is not None else DatabaseAttemptRecorder()
        return cls(
            connection,
            timeout=timeout,
            retry=retry,
            recorder=recorder,
            clock=clock,
            breaker=_NO_BREAKER,
            tokens=CredentialsTokenProvider(connection, recorder=recorder, clock=clock),
        )

    def __enter__(self) -> ProcoreClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    @property
    def calls(self) -> int:
        """HTTP attempts made so far (for SyncRun.api_calls), token requests excluded."""
        return self.transport.calls

    # -- plumbing ------------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> ProcoreResponse:
        return self.transport.request("GET", path, params=params)

    def _pages(
        self, path: str, params: Mapping[str, Any] | None = None, per_page: int = DEFAULT_PER_PAGE
    ) -> Iterator[Any]:
        return iter_pages(self._get, path, params=params, per_page=per_page)

    def _sync(
        self,
        path: str,
        updates: Sequence[Item],
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        bare_list: bool = False,
        batch_size: int = paths.SYNC_BATCH_SIZE,
    ) -> SyncResult:
        def send(batch: list[Item], safe: bool) -> ProcoreResponse:
            payload: Any = batch if bare_list else {**(body or {}), "updates": batch}
            return self.transport.request(
                "PATCH", path, params=params, json=payload, idempotent=safe
            )

        return sync_in_batches(send, updates, batch_size=batch_size, idempotent=idempotent)

    def _cid(self) -> dict[str, int]:
        return {"company_id": self.company_id}

    # -- companies -----------------------------------------------------------------------------

    def list_companies(self, *, per_page: int = DEFAULT_PER_PAGE) -> Iterator[Item]:
        """Companies where our app (DMSA) is installed; the header is sent here too (§g)."""
        return self._pages(paths.COMPANIES, per_page=per_page)

    # -- ERP connection and metadata (§b.1, §i) ---------------------------------------------

    def create_erp_connection(
        self, *, service_url: str, metadata: Mapping[str, Any]
    ) -> ErpConnection:
        path = build(paths.ERP_CONNECTIONS, company_id=self.company_id)
        data = self.transport.request(
            "POST",
            path,
            json={"connection": {"service_url": service_url, "metadata": dict(metadata)}},
            idempotent=False,
        ).data
        if not isinstance(data, dict) or "id" not in data:
            raise ProtocolError("creating the ERP connection answered without an id", body=data)
        return ErpConnection(
            id=int(data["id"]),
            standard_cost_code_list_id=_int_or_none(data.get("standard_cost_code_list_id")),
            raw=data,
        )

    def update_erp_metadata(self, *, metadata: Mapping[str, Any]) -> Any:
        """NON-PUBLIC path (§i). Replaces the metadata, so repeating it is harmless."""
        path = build(paths.ERP_METADATA, company_id=self.company_id)
        return self.transport.request(
            "PATCH", path, json={"connection": {"metadata": dict(metadata)}}, idempotent=True
        ).data

    # -- ERP requests and their details (§i) ------------------------------------------------

    def get_erp_request(self, request_id: int) -> ErpRequest:
        """NON-PUBLIC path (§i): the payload behind a webhook's ``resource_id``."""
        path = build(paths.ERP_REQUEST, company_id=self.company_id, id=request_id)
        data = self._get(path).data
        if not isinstance(data, dict) or "request_name" not in data:
            raise ProtocolError(
                f"ERP request {request_id} answered without request_name", body=data
            )
        return ErpRequest(
            id=int(data.get("id", request_id)),
            company_id=_int_or_none(data.get("company_id")),
            request_name=str(data["request_name"]),
            request_data=data.get("request_data") or {},
            created_at=data.get("created_at"),
            updated_at=data.get("updated_at"),
            integration_app_name=data.get("integration_app_name"),
        )

    def close_request_detail(
        self, detail_id: int, *, status: str, messages: Sequence[str] = ()
    ) -> Any:
        """NON-PUBLIC path (§i). Sets the detail's final state; repeating it is harmless."""
        _check_status(status)
        path = build(paths.ERP_REQUEST_DETAIL, company_id=self.company_id, id=detail_id)
        body = {"request_detail": {"status": status, "messages": list(messages)}}
        return self.transport.request("PATCH", path, json=body, idempotent=True).data

    def close_request_details(self, closures: Sequence[RequestDetailClosure]) -> SyncResult:
        """NON-PUBLIC path (§i): many close-outs; the body is a bare JSON array."""
        path = build(paths.ERP_REQUEST_DETAILS_SYNC, company_id=self.company_id)
        items = [c.as_item() for c in closures]
        return self._sync(path, items, bare_list=True, idempotent=True)

    # -- External Data (§i) -------------------------------------------------------------------

    def sync_external_data(self, updates: Sequence[Item]) -> SyncResult:
        """NON-PUBLIC path (§i). Items ``{item_type, item_id, origin_id}``; ``origin_id: None``
        unsyncs. Keyed by item_type and item_id, so a repeat sets the same values again."""
        path = build(paths.EXTERNAL_DATA_SYNC, company_id=self.company_id)
        return self._sync(path, updates, idempotent=True)

    # -- Staged records (§i) ------------------------------------------------------------------

    def create_staged_record(self, record: Mapping[str, Any]) -> Item:
        """NON-PUBLIC path (§i). A create: never repeated automatically."""
        path = build(paths.STAGED_RECORDS, company_id=self.company_id)
        return self.transport.request("POST", path, json=dict(record), idempotent=False).data

    def sync_staged_records(self, updates: Sequence[Item]) -> SyncResult:
        """NON-PUBLIC path (§i). List parents before their children (``parent_origin_id``)."""
        path = build(paths.STAGED_RECORDS_SYNC, company_id=self.company_id)
        return self._sync(path, updates)

    def list_staged_records(
        self, *, item_type: str, per_page: int = DEFAULT_PER_PAGE
    ) -> Iterator[Item]:
        """NON-PUBLIC path (§i)."""
        path = build(paths.STAGED_RECORDS, company_id=self.company_id)
        return self._pages(path, {"item_type": item_type}, per_page)

    # -- Core sync endpoints (§b.2) -----------------------------------------------------------

    def sync_standard_cost_codes(
        self, *, standard_cost_code_list_id: int, updates: Sequence[Item]
    ) -> SyncResult:
        body = {**self._cid(), "standard_cost_code_list_id": int(standard_cost_code_list_id)}
        return self._sync(paths.STANDARD_COST_CODES_SYNC, updates, body=body)

    def sync_line_item_types(self, updates: Sequence[Item]) -> SyncResult:
        return self._sync(paths.LINE_ITEM_TYPES_SYNC, updates, body=self._cid())

    def sync_cost_codes(
        self, *, project_id: int, updates: Sequence[Item], sub_job_id: int | None = None
    ) -> SyncResult:
        params = _project_params(project_id, sub_job_id)
        return self._sync(paths.COST_CODES_SYNC, updates, params=params)

    def sync_cost_code_line_item_types(
        self, *, project_id: int, updates: Sequence[Item], sub_job_id: int | None = None
    ) -> SyncResult:
        """Assignments keyed by (cost_code_id, line_item_type_id): a repeat is harmless."""
        params = _project_params(project_id, sub_job_id)
        return self._sync(
            paths.COST_CODE_LINE_ITEM_TYPES_SYNC, updates, params=params, idempotent=True
        )

    def delete_cost_code(self, cost_code_id: int, *, project_id: int) -> bool:
        """Delete a project (or sub job) cost code, with its assignments and job costs. Returns
        False when Procore no longer has it (a repeat after a lost answer)."""
        path = build(paths.COST_CODE, id=cost_code_id)
        return self._delete_if_present(path, {**self._cid(), "project_id": int(project_id)})

    def delete_cost_code_line_item_type(self, assignment_id: int, *, project_id: int) -> bool:
        """Remove a cost type from a cost code; False when Procore no longer has it."""
        path = build(paths.COST_CODE_LINE_ITEM_TYPE, id=assignment_id)
        return self._delete_if_present(path, {**self._cid(), "project_id": int(project_id)})

    def _delete_if_present(self, path: str, params: Mapping[str, Any]) -> bool:
        try:
            self.transport.request("DELETE", path, params=params, idempotent=False)
        except NotFoundError:
            return False
        return True

    def update_project(self, project_id: int, attrs: Mapping[str, Any]) -> Item:
        """The integrator's update of one project (``PATCH /projects/:id``, §b.2); sets values,
        so a repeat is harmless."""
        path = build(paths.PROJECT, id=project_id)
        return self.transport.request(
            "PATCH", path, params=self._cid(), json={"project": dict(attrs)}, idempotent=True
        ).data

    # -- Reading what Procore holds (linking existing records before a first import) ----------

    def list_vendors(self, *, per_page: int = DEFAULT_PER_PAGE) -> Iterator[Item]:
        return self._pages(paths.VENDORS, self._cid(), per_page)

    def list_projects(self, *, per_page: int = DEFAULT_PER_PAGE) -> Iterator[Item]:
        return self._pages(paths.PROJECTS, self._cid(), per_page)

    def list_line_item_types(self, *, per_page: int = DEFAULT_PER_PAGE) -> Iterator[Item]:
        return self._pages(paths.LINE_ITEM_TYPES, self._cid(), per_page)

    def list_standard_cost_codes(
        self, *, standard_cost_code_list_id: int, per_page: int = DEFAULT_PER_PAGE
    ) -> Iterator[Item]:
        params = {"standard_cost_code_list_id": int(standard_cost_code_list_id)}
        return self._pages(paths.STANDARD_COST_CODES, params, per_page)

    def sync_vendors(self, updates: Sequence[Item]) -> SyncResult:
        return self._sync(paths.VENDORS_SYNC, updates, body=self._cid())

    def sync_projects(self, updates: Sequence[Item]) -> SyncResult:
        return self._sync(paths.PROJECTS_SYNC, updates, body=self._cid())

    def sync_sub_jobs(self, *, project_id: int, updates: Sequence[Item]) -> SyncResult:
        params = _project_params(project_id, None)
        return self._sync(paths.SUB_JOBS_SYNC, updates, body=self._cid(), params=params)

    def sync_erp_transactions(self, *, project_id: int, updates: Sequence[Item]) -> SyncResult:
        """Budget write-back ``{id, origin_id, synced}``: keyed by id."""
        body = {**self._cid(), "project_id": int(project_id)}
        return self._sync(paths.ERP_TRANSACTIONS_SYNC, updates, body=body)

    def sync_erp_job_costs(self, *, job_origin_id: str, updates: Sequence[Item]) -> SyncResult:
        """Job costs keyed by (job, cost_code_id, line_item_type_id): a repeat is harmless."""
        body = {**self._cid(), "job_origin_id": job_origin_id}
        return self._sync(paths.ERP_JOB_COSTS_SYNC, updates, body=body, idempotent=True)

    def delete_erp_job_cost(self, job_cost_id: int) -> None:
        path = build(paths.ERP_JOB_COST, id=job_cost_id)
        self.transport.request("DELETE", path, params=self._cid(), idempotent=False)

    def delete_erp_job_cost_if_present(self, job_cost_id: int) -> bool:
        """Like ``delete_erp_job_cost``; False when Procore no longer has it."""
        return self._delete_if_present(build(paths.ERP_JOB_COST, id=job_cost_id), self._cid())

    def sync_invoice_payments(self, updates: Sequence[Item]) -> SyncResult:
        path = build(paths.INVOICE_PAYMENTS_SYNC, company_id=self.company_id)
        return self._sync(path, updates, body=self._cid())

    # -- Requisitions and payments (issue 11) --

    def unlink_invoice_payment(self, invoice_payment_id: int) -> bool:
        """Procore's "Invoice Payments Unlink" (``reset_payment``): the payment stays in Procore,
        no longer tied to the ERP. Sets a state, so a repeat is harmless; False when Procore no
        longer has the payment. The path is not public (``paths.INVOICE_PAYMENT_UNLINK``)."""
        path = build(
            paths.INVOICE_PAYMENT_UNLINK, company_id=self.company_id, id=invoice_payment_id
        )
        try:
            self.transport.request("PATCH", path, params=self._cid(), json={}, idempotent=True)
        except NotFoundError:
            return False
        return True

    def update_project_configuration(
        self, *, project_id: int, configuration: Mapping[str, Any]
    ) -> Any:
        """E.g. ``{"erp_job_cost_transaction_syncing_enabled": True}``; sets values, repeatable."""
        path = build(paths.PROJECT_CONFIGURATION, project_id=project_id)
        body = {"configuration": dict(configuration)}
        return self.transport.request(
            "PATCH", path, params=self._cid(), json=body, idempotent=True
        ).data

    def sync_legacy_staging(self, *, entity: str, updates: Sequence[Item]) -> SyncResult:
        """Pre-Staged-Records staging (``erp_vendors``, ``erp_projects``, …), §a.5."""
        path = build(paths.LEGACY_STAGING_SYNC, entity=entity)
        return self._sync(path, updates, body=self._cid())

    # -- Webhooks (§c.1) ----------------------------------------------------------------------

    def create_hook(
        self,
        *,
        namespace: str,
        destination_url: str,
        destination_headers: Mapping[str, str],
        api_version: str = paths.WEBHOOK_API_VERSION,
    ) -> Item:
        body = {
            **self._cid(),
            "hook": {
                "api_version": api_version,
                "namespace": namespace,
                "destination_url": destination_url,
                "destination_headers": dict(destination_headers),
            },
        }
        return self.transport.request("POST", paths.WEBHOOK_HOOKS, json=body, idempotent=False).data

    def list_hooks(self, *, namespace: str) -> list[Item]:
        params = {**self._cid(), "namespace": namespace}
        return _as_list(self._get(paths.WEBHOOK_HOOKS, params).data, paths.WEBHOOK_HOOKS)

    def update_hook(self, hook_id: int, **hook: Any) -> Item:
        """Fields of the hook to change (destination_url, destination_headers, …)."""
        path = build(paths.WEBHOOK_HOOK, hook_id=hook_id)
        body = {**self._cid(), "hook": hook}
        return self.transport.request("PATCH", path, json=body, idempotent=True).data

    def delete_hook(self, hook_id: int) -> None:
        path = build(paths.WEBHOOK_HOOK, hook_id=hook_id)
        self.transport.request("DELETE", path, params=self._cid(), idempotent=False)

    def create_trigger(
        self,
        hook_id: int,
        *,
        resource_name: str = "ERP Requests",
        event_type: str = "create",
        api_version: str = paths.WEBHOOK_API_VERSION,
    ) -> Item:
        path = build(paths.WEBHOOK_TRIGGERS, hook_id=hook_id)
        body = {
            **self._cid(),
            "api_version": api_version,
            "trigger": {"resource_name": resource_name, "event_type": event_type},
        }
        return self.transport.request("POST", path, json=body, idempotent=False).data

    def list_triggers(self, hook_id: int) -> list[Item]:
        path = build(paths.WEBHOOK_TRIGGERS, hook_id=hook_id)
        return _as_list(self._get(path, self._cid()).data, path)

    def delete_trigger(self, hook_id: int, trigger_id: int) -> None:
        path = build(paths.WEBHOOK_TRIGGER, hook_id=hook_id, trigger_id=trigger_id)
        self.transport.request("DELETE", path, params=self._cid(), idempotent=False)

    def create_triggers_bulk(
        self,
        hook_id: int,
        triggers: Iterable[Mapping[str, str]],
        *,
        api_version: str = paths.WEBHOOK_API_VERSION,
    ) -> BulkTriggerResult:
        """``[{resource_name, event_type}]``, at most 500 per call; 207 means some failed."""
        path = build(paths.WEBHOOK_TRIGGERS_BULK, hook_id=hook_id)
        items = [dict(t) for t in triggers]
        return self._bulk_triggers("POST", path, items, api_version)

    def delete_triggers_bulk(self, hook_id: int, trigger_ids: Iterable[int]) -> BulkTriggerResult:
        path = build(paths.WEBHOOK_TRIGGERS_BULK, hook_id=hook_id)
        return self._bulk_triggers("DELETE", path, [int(i) for i in trigger_ids], None)

    def _bulk_triggers(
        self, method: str, path: str, items: list[Any], api_version: str | None
    ) -> BulkTriggerResult:
        result = BulkTriggerResult()
        for start in range(0, len(items), paths.TRIGGERS_BULK_SIZE):
            body: dict[str, Any] = {
                **self._cid(),
                "triggers": items[start : start + paths.TRIGGERS_BULK_SIZE],
            }
            if api_version:
                body["api_version"] = api_version
            data = self.transport.request(method, path, json=body, idempotent=False).data
            result.calls += 1
            if isinstance(data, dict):
                result.succeeded.extend(data.get("success") or [])
                result.failed.extend(data.get("failed") or [])
            elif isinstance(data, list):
                result.succeeded.extend(data)
        return result

    def iter_deliveries(
        self, hook_id: int, *, status: str | None = None, page_size: int = DEFAULT_PER_PAGE
    ) -> Iterator[Item]:
        """Cursor-paged (``page_start``/``page_size``). The filter's name differs between the docs
        (``filter[status]``) and the SDK (``filters[status]``), so both are sent (§h.8)."""
        path = build(paths.WEBHOOK_DELIVERIES, hook_id=hook_id)
        params: dict[str, Any] = self._cid()
        if status:
            params["filter[status]"] = status
            params["filters[status]"] = status
        return iter_cursor(self._get, path, params=params, page_size=page_size)


_NO_BREAKER: Any = object()  # for_unsaved_credentials: no breaker at all


def _default_breaker(company: Any) -> Breaker | None:
    """The company's Procore breaker, shared by every process through its row."""
    if getattr(company, "pk", None) is None:
        return None
    return procore_breaker(company.pk, getattr(company, "name", ""))


def _project_params(project_id: int, sub_job_id: int | None) -> dict[str, int]:
    params = {"project_id": int(project_id)}
    if sub_job_id is not None:
        params["sub_job_id"] = int(sub_job_id)
    return params


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _as_list(data: Any, path: str) -> list[Item]:
    if data is None:
        return []
    if isinstance(data, list):
        return data
    raise ProtocolError(f"expected a list from {path}", body=data)
