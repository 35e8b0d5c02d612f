"""OAuth client credentials against Procore's login host, with the token cached per connection.

A token lives for ``expires_in`` seconds from ``created_at`` (5400 s today, announced to shrink),
and Procore gives no refresh token for this grant, so we ask again shortly before it runs out or
when the API answers 401. Two workers must not fetch at once for one connection: the second one
waits on a lock and then reuses what the first one stored (encrypted) on the connection row.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import requests
from django.db import connection as db_connection
from django.db import transaction
from django.utils import timezone
from oauthlib.oauth2 import BackendApplicationClient
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests_oauthlib import OAuth2Session

from integrations.procore import paths
from integrations.procore.attempts import AttemptRecord, AttemptRecorder, excerpt, scrub
from integrations.procore.destinations import check_base_url, is_loopback_url
from integrations.procore.errors import (
    BadCredentialsError,
    ConfigurationError,
    ProcoreError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    UnavailableError,
    UnreachableError,
    describe_connection_error,
    procore_message,
)
from integrations.procore.ratelimit import RateLimitHeaders, parse_retry_after

# Ask for a new token this long before the current one expires.
EXPIRY_MARGIN_SECONDS = 60
# When Procore leaves out expires_in, assume the shortest lifetime it has announced (15 min).
FALLBACK_LIFETIME_SECONDS = 900
TOKEN_TIMEOUT = (5.0, 20.0)

_ENV_LOCK = threading.Lock()
_PROCESS_LOCKS: dict[int, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


@contextlib.contextmanager
def _transport_allowed(url: str) -> Iterator[None]:
    """Let oauthlib talk plain HTTP to a loopback URL, and to nothing else.

    oauthlib reads ``OAUTHLIB_INSECURE_TRANSPORT`` from the environment; it is set only around a
    token request to a URL that ``destinations.check_base_url`` has already confined to
    loopback.
    """
    if not url.startswith("http://"):
        yield
        return
    if not is_loopback_url(url):
        raise ConfigurationError(f"refusing a token request over plain HTTP to {url!r}")
    with _ENV_LOCK:
        previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
            else:
                os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = previous


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_at: datetime

    def __repr__(self) -> str:  # never print the token itself
        return f"Token(expires_at={self.expires_at.isoformat()})"


def token_expiry(payload: dict[str, Any], *, now: float) -> datetime:
    """When a token stops working: ``created_at + expires_in``, never later than now + lifetime.

    Procore may hand back a token it issued earlier (its ``created_at`` is then in the past);
    a server clock ahead of ours must not stretch the lifetime either.
    """
    try:
        lifetime = float(payload.get("expires_in") or FALLBACK_LIFETIME_SECONDS)
    except (TypeError, ValueError):
        lifetime = FALLBACK_LIFETIME_SECONDS
    issued = now
    created = payload.get("created_at")
    if created is not None:
        with contextlib.suppress(TypeError, ValueError):
            issued = min(float(created), now)
    return datetime.fromtimestamp(issued + lifetime, tz=UTC)


def fetch_token(
    *,
    login_url: str,
    client_id: str,
    client_secret: str,
    recorder: AttemptRecorder | None,
    company_pk: int | None = None,
    clock: Callable[[], float] = time.time,
    timeout: float | tuple[float, float] = TOKEN_TIMEOUT,
) -> Token:
    """One client-credentials token request; raises a classified :class:`ProcoreError`."""
    login_url = check_base_url(login_url, what="login URL")
    if not client_id or not client_secret:
        raise BadCredentialsError("the connection has no client id or client secret")
    token_url = login_url + paths.OAUTH_TOKEN
    started = time.monotonic()
    secrets = (client_id, client_secret)
    recorded = False

    def record(response: requests.Response | None, error: str = "") -> None:
        nonlocal recorded
        recorded = True
        if recorder is None:
            return
        rl = RateLimitHeaders.from_headers(response.headers if response is not None else {})
        recorder.record(
            AttemptRecord(
                company_pk=company_pk,
                method="POST",
                path=paths.OAUTH_TOKEN,
                attempt=1,
                duration_ms=int((time.monotonic() - started) * 1000),
                status_code=response.status_code if response is not None else None,
                error=error,
                request_id=_request_id(response),
                rate_limit_limit=rl.limit,
                rate_limit_remaining=rl.remaining,
                rate_limit_reset=rl.reset,
                request_excerpt=excerpt(
                    response.request.body
                    if response is not None
                    else "grant_type=client_credentials",
                    secrets=secrets,
                    content_type="application/x-www-form-urlencoded",
                ),
                response_excerpt=excerpt(
                    response.text if response is not None else "", secrets=secrets
                ),
            )
        )

    def check_response(response: requests.Response) -> requests.Response:
        record(response)
        if response.status_code >= 300:
            raise _token_error(response, secrets)
        return response

    session = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
    session.register_compliance_hook("access_token_response", check_response)
    try:
        with _transport_allowed(token_url):
            payload = session.fetch_token(
                token_url=token_url,
                client_id=client_id,
                client_secret=client_secret,
                include_client_id=True,
                timeout=timeout,
            )
    except ProcoreError:
        raise
    except requests.Timeout:
        record(None, error="timeout")
        raise RequestTimeoutError(
            f"the login host {login_url} did not answer in time", method="POST", path=token_url
        ) from None
    except requests.ConnectionError as exc:
        reason = describe_connection_error(exc)
        record(None, error=reason)
        raise UnreachableError(
            f"cannot reach the login host {login_url} ({reason})", method="POST", path=token_url
        ) from None
    except (OAuth2Error, ValueError) as exc:
        # A 2xx whose body is not a token (oauthlib says why, without echoing the secret).
        if not recorded:
            record(None, error="unreadable token response")
        raise ProtocolError(
            f"the login host answered without a usable token ({type(exc).__name__})",
            method="POST",
            path=paths.OAUTH_TOKEN,
        ) from None
    finally:
        session.close()
    access_token = payload.get("access_token")
    if not access_token:
        raise ProtocolError("the login host answered without an access token")
    return Token(access_token=access_token, expires_at=token_expiry(payload, now=clock()))


def _request_id(response: requests.Response | None) -> str:
    if response is None:
        return ""
    return response.headers.get("X-Request-Id", "")


def _token_error(response: requests.Response, secrets: tuple[str, ...]) -> ProcoreError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    body = scrub(body, secrets)
    status = response.status_code
    common = {
        "status": status,
        "request_id": _request_id(response),
        "method": "POST",
        "path": paths.OAUTH_TOKEN,
    }
    retry = parse_retry_after(response.headers.get("Retry-After"), now=time.time())
    if status == 429:
        return RateLimitedError("the login host is rate limiting us", retry_after=retry, **common)
    if status >= 500:
        message = procore_message(body, "the login host failed")
        return UnavailableError(message, retry_after=retry, **common)
    if status in (400, 401, 403):
        reason = procore_message(body, "invalid client")
        return BadCredentialsError(
            f"Procore refused the client id and secret ({reason})", body=body, **common
        )
    return ProtocolError(procore_message(body, "unexpected answer from the login host"), **common)


class _BufferedRecorder:
    def __init__(self) -> None:
        self.records: list[AttemptRecord] = []

    def record(self, attempt: AttemptRecord) -> None:
        self.records.append(attempt)

    def flush_to(self, recorder: AttemptRecorder | None) -> None:
        if recorder is not None:
            for attempt in self.records:
                recorder.record(attempt)


class ConnectionTokenProvider:
    """The access token of one Connection row, cached encrypted on that row."""

    def __init__(
        self,
        connection: Any,
        *,
        recorder: AttemptRecorder | None,
        clock: Callable[[], float] = time.time,
        timeout: float | tuple[float, float] = TOKEN_TIMEOUT,
    ) -> None:
        self._connection = connection
        self._recorder = recorder
        self._clock = clock
        self._timeout = timeout

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential of the connection, masked wherever it shows up in a record."""
        c = self._connection
        values = (
            c.client_id,
            c.client_secret,
            c.access_token,
            c.webhook_secret,
            c.webhook_secret_previous,
        )
        return tuple(s for s in values if s)

    def token(self) -> str:
        c = self._connection
        if self._usable(c.access_token, c.token_expires_at):
            return c.access_token
        return self.refresh(rejected=None)

    def refresh(self, *, rejected: str | None = None, force: bool = False) -> str:
        """A token other than ``rejected``: one another worker just stored, or a new one.

        ``force`` always asks the login host (a connection check must prove the stored
        credentials still work, which a cached token cannot).
        """
        # Attempts are written after the lock's transaction ends, so that a refused token
        # request still leaves its row for support staff on PostgreSQL.
        buffered = _BufferedRecorder()
        try:
            token = self._refresh_locked(rejected, force, buffered)
        finally:
            buffered.flush_to(self._recorder)
        self._connection.access_token = token.access_token
        self._connection.token_expires_at = token.expires_at
        return token.access_token

    def _refresh_locked(
        self, rejected: str | None, force: bool, recorder: AttemptRecorder
    ) -> Token:
        with self._locked_row() as row:
            if (
                not force
                and row.access_token
                and row.access_token != rejected
                and self._usable(row.access_token, row.token_expires_at)
            ):
                token = Token(row.access_token, row.token_expires_at)
                changed_at = row.access_token_changed_at
            else:
                token = fetch_token(
                    login_url=row.login_url,
                    client_id=row.client_id,
                    client_secret=row.client_secret,
                    recorder=recorder,
                    company_pk=row.company_id,
                    clock=self._clock,
                    timeout=self._timeout,
                )
                # The time it changed goes with it (pages show "set · changed …", never it).
                changed_at = timezone.now()
                type(row).objects.filter(pk=row.pk).update(
                    access_token=token.access_token,
                    token_expires_at=token.expires_at,
                    access_token_changed_at=changed_at,
                )
        # A later full save of the caller's row must not put back an older time.
        self._connection.access_token_changed_at = changed_at
        return token

    @property
    def expires_at(self) -> datetime | None:
        return self._connection.token_expires_at

    def _usable(self, token: str, expires_at: datetime | None) -> bool:
        if not token or expires_at is None:
            return False
        return expires_at.timestamp() - EXPIRY_MARGIN_SECONDS > self._clock()

    @contextlib.contextmanager
    def _locked_row(self) -> Iterator[Any]:
        model = type(self._connection)
        pk = self._connection.pk
        if db_connection.features.has_select_for_update:
            # PostgreSQL: the row lock serialises workers on every machine.
            with transaction.atomic():
                yield model.objects.select_for_update().get(pk=pk)
            return
        # SQLite (one machine): a process-local lock; the row is re-read inside it.
        with _PROCESS_LOCKS_GUARD:
            lock = _PROCESS_LOCKS.setdefault(pk, threading.Lock())
        with lock:
            yield model.objects.get(pk=pk)


class CredentialsTokenProvider:
    """The access token of credentials not saved yet (a person testing them before saving):
    fetched from the login host like any token, kept in memory only, never written anywhere.

    ``connection`` is an unsaved (or edited, not yet saved) Connection: its ``login_url``,
    ``client_id`` and ``client_secret`` are the ones tried."""

    def __init__(
        self,
        connection: Any,
        *,
        recorder: AttemptRecorder | None,
        clock: Callable[[], float] = time.time,
        timeout: float | tuple[float, float] = TOKEN_TIMEOUT,
    ) -> None:
        self._connection = connection
        self._recorder = recorder
        self._clock = clock
        self._timeout = timeout
        self._token: Token | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        c = self._connection
        values = (c.client_id, c.client_secret, self._token.access_token if self._token else "")
        return tuple(s for s in values if s)

    def token(self) -> str:
        t = self._token
        if t is not None and t.expires_at.timestamp() - EXPIRY_MARGIN_SECONDS > self._clock():
            return t.access_token
        return self.refresh(rejected=None)

    def refresh(self, *, rejected: str | None = None, force: bool = False) -> str:
        c = self._connection
        self._token = fetch_token(
            login_url=c.login_url,
            client_id=c.client_id,
            client_secret=c.client_secret,
            recorder=self._recorder,
            company_pk=c.company.pk if c.company_id else None,
            clock=self._clock,
            timeout=self._timeout,
        )
        return self._token.access_token

    @property
    def expires_at(self) -> datetime | None:
        return self._token.expires_at if self._token else None
