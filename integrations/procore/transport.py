"""One HTTP call to Procore, done properly: headers, pacing, retries, classification, a record.

Everything that is true of every call lives here, so the typed endpoint methods in ``client.py``
only say which path, which body and whether repeating the call is harmless.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from integrations.backoff import backoff_delay
from integrations.breakers import Breaker, CircuitOpen
from integrations.procore.attempts import AttemptRecord, AttemptRecorder, excerpt, scrub
from integrations.procore.auth import ConnectionTokenProvider
from integrations.procore.destinations import check_base_url
from integrations.procore.errors import (
    ProcoreError,
    ProcorePaused,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    RetryableError,
    UnreachableError,
    describe_connection_error,
    error_for_status,
    procore_message,
)
from integrations.procore.ratelimit import (
    CompanyRateLimit,
    RateLimitHeaders,
    parse_retry_after,
)

# (connect, read) seconds; every call has one. A call that times out is not repeated within the
# call (the work row retries later, with backoff), so a company whose Procore hangs holds a
# worker for one read timeout per call, and its circuit breaker opens after a few.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 20.0)
USER_AGENT = "erp-portal/0.1 (+procore-erp-integration)"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries before it hands the failure back to the caller.

    Waits longer than ``max_wait`` are not slept through: the call raises a retryable error with
    ``retry_after`` so the work row can be rescheduled instead of holding a worker hostage.
    """

    max_retries: int = 4  # connection errors and 5xx, on calls safe to repeat (not timeouts)
    max_throttle_waits: int = 6  # 429 answers waited out, on any call
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_wait: float = 60.0
    throttle_jitter: float = 0.25  # up to this share of a 429 wait (at most 1 s) is added

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """For interactive checks: report at once rather than wait."""
        return cls(max_retries=0, max_throttle_waits=0, max_wait=0.0)


@dataclass
class ProcoreResponse:
    status: int
    data: Any
    headers: Mapping[str, str]
    request_id: str
    links: dict[str, dict[str, str]] = field(default_factory=dict)


class Transport:
    """Sends requests for one company with its token, its rate-limit budget and its recorder."""

    def __init__(
        self,
        *,
        api_url: str,
        company_id: int,
        company_pk: int | None,
        tokens: ConnectionTokenProvider,
        rate_limit: CompanyRateLimit,
        recorder: AttemptRecorder | None,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        breaker: Breaker | None = None,
    ) -> None:
        # Checked before every call rather than here, so that a URL the policy refuses fails
        # a call (a ConfigurationError the caller handles like any other refusal) instead of
        # building the client, and a policy changed since cannot be outlived by a client.
        self.api_url = api_url.rstrip("/")
        self._breaker = breaker
        self.company_id = int(company_id)
        self._company_pk = company_pk
        self._tokens = tokens
        self._rate_limit = rate_limit
        self._recorder = recorder
        self._session = session or requests.Session()
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self.calls = 0

    def close(self) -> None:
        self._session.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> ProcoreResponse:
        """Send one logical call, retrying only what is safe to retry; raise a ProcoreError.

        Nothing is sent, not even a token request, when the API URL is not one the
        credentials may go to (``destinations.check_base_url``)."""
        method = method.upper()
        check_base_url(self.api_url, what="the API URL")
        url = self._url(path)
        safe = (method == "GET") if idempotent is None else idempotent
        shown_path = _shown_path(url, params)
        retries = throttled = 0
        refreshed = False
        attempt = 0
        while True:
            self._check_breaker(method, shown_path)
            self._pace(method, shown_path)
            try:
                token = self._tokens.token()
            except BaseException as exc:
                self._rate_limit.observe(RateLimitHeaders())  # hand the reserved slot back
                if isinstance(exc, RetryableError) and exc.status != 429:
                    self._breaker_failed(exc)
                raise
            attempt += 1
            self.calls += 1
            started = time.monotonic()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self._headers(token),
                    timeout=self._timeout,
                    allow_redirects=False,
                )
            except requests.Timeout:
                self._rate_limit.observe(RateLimitHeaders())
                self._record(method, shown_path, attempt, started, json, error="timeout")
                error: ProcoreError = RequestTimeoutError(
                    "Procore did not answer in time", method=method, path=shown_path
                )
            except requests.ConnectionError as exc:
                self._rate_limit.observe(RateLimitHeaders())
                reason = describe_connection_error(exc)
                self._record(method, shown_path, attempt, started, json, error=reason)
                error = UnreachableError(
                    f"cannot reach {self.api_url} ({reason})", method=method, path=shown_path
                )
            else:
                result = self._handle(response, method, shown_path, attempt, started, json)
                if isinstance(result, ProcoreResponse) or result.status < 500:
                    self._breaker_ok()  # Procore answered (even a refusal is an answer)
                else:
                    self._breaker_failed(result)
                if isinstance(result, ProcoreResponse):
                    return result
                error = result
                if error.status == 401 and not refreshed:
                    refreshed = True
                    self._tokens.refresh(rejected=token)
                    continue
                if isinstance(error, RateLimitedError):
                    wait = error.retry_after or 0.0
                    if throttled < self._retry.max_throttle_waits and wait <= self._retry.max_wait:
                        throttled += 1
                        self._sleep(wait)
                        continue
                    raise error
            if not isinstance(error, ProcoreError) or error.status is None:
                self._breaker_failed(error)  # a timeout or no connection: no answer at all
            # Connection errors and 5xx: only when sending it twice cannot do harm. A timeout is
            # not repeated here: it already held the worker for a whole read timeout.
            if (
                safe
                and error.retryable
                and not isinstance(error, RequestTimeoutError)
                and retries < self._retry.max_retries
            ):
                retries += 1
                delay = backoff_delay(
                    retries,
                    base=self._retry.backoff_base,
                    cap=self._retry.backoff_cap,
                    rng=self._rng,
                )
                if error.retry_after is not None:
                    delay = max(delay, error.retry_after)
                if delay <= self._retry.max_wait:
                    self._sleep(delay)
                    continue
            raise error

    # -- pieces ------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            # Links from Procore's paging headers: follow them only to our own API host, since
            # the bearer token goes along.
            if _origin(path) != _origin(self.api_url):
                raise ProtocolError(f"Procore linked to another host: {path!r}")
            return path
        if not path.startswith("/"):
            raise ValueError(f"paths start with '/': {path!r}")
        return self.api_url + path

    def _headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Procore-Company-Id": str(self.company_id),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }

    def _check_breaker(self, method: str, path: str) -> None:
        if self._breaker is None:
            return
        try:
            self._breaker.before_call()
        except CircuitOpen as exc:
            raise ProcorePaused(
                str(exc), method=method, path=path, retry_after=exc.retry_after
            ) from None

    def _breaker_ok(self) -> None:
        if self._breaker is not None:
            self._breaker.success()

    def _breaker_failed(self, error: ProcoreError) -> None:
        if self._breaker is not None:
            self._breaker.failure(str(error))

    def _pace(self, method: str, path: str) -> None:
        while True:
            delay = self._rate_limit.delay_before_request(self._clock(), self._rng)
            if delay <= 0:
                return
            if delay > self._retry.max_wait:
                raise RateLimitedError(
                    f"Procore's rate limit for company {self.company_id} is used up for "
                    f"{delay:.0f} s; not waiting that long",
                    method=method,
                    path=path,
                    retry_after=delay,
                )
            self._sleep(delay)

    def _handle(
        self,
        response: requests.Response,
        method: str,
        path: str,
        attempt: int,
        started: float,
        sent: Any,
    ) -> ProcoreResponse | ProcoreError:
        rate = RateLimitHeaders.from_headers(response.headers)
        self._rate_limit.observe(rate)
        request_id = response.headers.get("X-Request-Id", "")
        body = _decode(response)
        self._record(
            method,
            path,
            attempt,
            started,
            sent,
            status=response.status_code,
            request_id=request_id,
            rate=rate,
            received=body if body is not None else response.text,
        )
        status = response.status_code
        if 200 <= status < 300:
            return ProcoreResponse(
                status=status,
                data=body,
                headers=response.headers,
                request_id=request_id,
                links=dict(response.links),
            )
        body = scrub(body, self._tokens.secrets)
        common = {
            "status": status,
            "request_id": request_id,
            "method": method,
            "path": path,
            "body": body,
        }
        now = self._clock()
        retry_after = parse_retry_after(response.headers.get("Retry-After"), now=now)
        if status == 429:
            if retry_after is None and rate.reset is not None:
                retry_after = max(0.0, rate.reset - now)
            if retry_after is None:
                retry_after = backoff_delay(
                    1, base=self._retry.backoff_base * 2, cap=self._retry.backoff_cap, rng=self._rng
                )
            retry_after += self._rng.uniform(0, min(1.0, retry_after * self._retry.throttle_jitter))
            self._rate_limit.block_until(now + retry_after)
            return RateLimitedError(
                procore_message(body, "rate limit exceeded"), retry_after=retry_after, **common
            )
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            return ProtocolError(f"unexpected redirect to {location}", **common)
        cls = error_for_status(status)
        fallback = f"Procore answered {status} {response.reason or ''}".strip()
        return cls(procore_message(body, fallback), retry_after=retry_after, **common)

    def _record(
        self,
        method: str,
        path: str,
        attempt: int,
        started: float,
        sent: Any,
        *,
        status: int | None = None,
        error: str = "",
        request_id: str = "",
        rate: RateLimitHeaders | None = None,
        received: Any = None,
    ) -> None:
        if self._recorder is None:
            return
        rate = rate or RateLimitHeaders()
        secrets = self._tokens.secrets
        self._recorder.record(
            AttemptRecord(
                company_pk=self._company_pk,
                method=method,
                path=path,
                attempt=attempt,
                duration_ms=int((time.monotonic() - started) * 1000),
                status_code=status,
                error=error,
                request_id=request_id,
                rate_limit_limit=rate.limit,
                rate_limit_remaining=rate.remaining,
                rate_limit_reset=rate.reset,
                request_excerpt=excerpt(sent, secrets=secrets),
                response_excerpt=excerpt(received, secrets=secrets),
            )
        )


def _decode(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return (parts.scheme, (parts.hostname or "").lower(), parts.port)


def _shown_path(url: str, params: Mapping[str, Any] | None) -> str:
    parts = urlsplit(url)
    shown = parts.path
    query = parts.query
    if params:
        extra = "&".join(f"{k}={v}" for k, v in params.items() if v is not None)
        query = f"{query}&{extra}" if query else extra
    return f"{shown}?{query}" if query else shown
