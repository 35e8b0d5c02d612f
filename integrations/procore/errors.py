"""How a failed call to Procore is classified, decided once here and used everywhere.

The sync engine and the ERP request workers only ask two questions of a failure: may it work if
tried again later (and when), and what should an accountant or a support person read. Every
exception the client raises is a :class:`ProcoreError` that answers both.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from integrations.breakers import CircuitOpen


class ErrorKind(enum.StrEnum):
    """The few kinds of failure that callers act on differently."""

    RATE_LIMITED = "rate_limited"  # 429, or our own pacing refused to wait that long
    UNAVAILABLE = "unavailable"  # 503 heavy-load throttling, other 5xx
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"  # DNS, refused, reset
    BAD_CREDENTIALS = "bad_credentials"  # token endpoint refused us, or 401 twice
    FORBIDDEN = "forbidden"  # 403: permission missing, app not installed in the company
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # 409: duplicate or origin_id conflict
    VALIDATION = "validation"  # 422 and other 4xx: a business rule said no
    CONFIGURATION = "configuration"  # our side: bad base URL, plain HTTP to a public host
    PROTOCOL = "protocol"  # Procore answered something we cannot read


RETRYABLE_KINDS = frozenset(
    {ErrorKind.RATE_LIMITED, ErrorKind.UNAVAILABLE, ErrorKind.TIMEOUT, ErrorKind.UNREACHABLE}
)


class ProcoreError(Exception):
    """A call to Procore failed; carries what support needs to chase it with Procore."""

    kind: ErrorKind = ErrorKind.PROTOCOL

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str = "",
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id
        self.method = method
        self.path = path
        self.retry_after = retry_after
        self.body = body
        # Set by batched sync calls when a later batch fails: what the earlier batches achieved
        # (a SyncResult) and how many input items they covered.
        self.partial: Any = None
        self.done: int | None = None

    @property
    def retryable(self) -> bool:
        return self.kind in RETRYABLE_KINDS

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if where:
            parts.append(where)
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return " | ".join(parts)


class RetryableError(ProcoreError):
    """Worth trying again later; ``retry_after`` (seconds) says when, if Procore told us."""


class PermanentError(ProcoreError):
    """Trying again unchanged will fail the same way."""


class RateLimitedError(RetryableError):
    kind = ErrorKind.RATE_LIMITED


class UnavailableError(RetryableError):
    kind = ErrorKind.UNAVAILABLE


class RequestTimeoutError(RetryableError):
    kind = ErrorKind.TIMEOUT


class UnreachableError(RetryableError):
    kind = ErrorKind.UNREACHABLE


class ProcorePaused(RetryableError, CircuitOpen):
    """Calls to this company's Procore are paused by its circuit breaker after repeated
    failures; nothing was sent. The work waits ``retry_after`` seconds without counting an
    attempt (``integrations/breakers.py``)."""

    kind = ErrorKind.UNAVAILABLE


class BadCredentialsError(PermanentError):
    kind = ErrorKind.BAD_CREDENTIALS


class ForbiddenError(PermanentError):
    kind = ErrorKind.FORBIDDEN


class NotFoundError(PermanentError):
    kind = ErrorKind.NOT_FOUND


class ConflictError(PermanentError):
    kind = ErrorKind.CONFLICT


class ValidationError(PermanentError):
    kind = ErrorKind.VALIDATION


class ConfigurationError(PermanentError):
    kind = ErrorKind.CONFIGURATION


class ProtocolError(PermanentError):
    kind = ErrorKind.PROTOCOL


_PERMANENT_BY_STATUS: dict[int, type[PermanentError]] = {
    401: BadCredentialsError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    422: ValidationError,
}


def error_for_status(status: int) -> type[ProcoreError]:
    """The exception class for an HTTP status that the client will not (or no longer) retry."""
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return UnavailableError
    return _PERMANENT_BY_STATUS.get(status, ValidationError)


def is_retryable(exc: BaseException) -> bool:
    """True when the failure may go away by itself; anything that is not ours is not retryable."""
    return isinstance(exc, ProcoreError) and exc.retryable


def describe_connection_error(exc: BaseException) -> str:
    """A short reason for a failed connection, for people (refused, unknown host, …)."""
    text = str(exc)
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "Temporary failure in name resolution" in text:
        return "host name could not be resolved"
    if "SSL" in text or "certificate" in text:
        return "TLS handshake failed"
    if "reset by peer" in text or "RemoteDisconnected" in text:
        return "connection reset"
    return f"connection error: {type(exc).__name__}"


def procore_message(body: Any, fallback: str) -> str:
    """Procore's own words from an error body, which come in several shapes."""
    if isinstance(body, dict):
        for key in ("message", "error_description", "error", "errors"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
            if isinstance(value, dict) and value:
                return "; ".join(f"{k}: {_join(v)}" for k, v in value.items())
            if isinstance(value, list) and value:
                return _join(value)
    if isinstance(body, str) and body.strip():
        return body.strip()[:500]
    return fallback


def _join(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class SyncItemError:
    """One input of a sync call that Procore refused, and why (from the 200 body's ``errors``).

    ``index`` is the position in the caller's full input list (across batches), or ``None`` when
    the echoed attributes matched no input, which happens only if Procore changed the echo.
    """

    index: int | None
    item: dict[str, Any]
    reasons: dict[str, list[str]] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """One line an accountant can read, e.g. ``origin_id: has already been taken``."""
        if not self.reasons:
            return "Procore rejected this item without giving a reason"
        return "; ".join(f"{key}: {', '.join(msgs)}" for key, msgs in self.reasons.items())

    def __str__(self) -> str:
        # Wherever a refusal is shown or stored, people read this line, never the dataclass.
        return self.message
