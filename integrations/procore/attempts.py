"""One record per outbound attempt, redacted before it is stored or logged.

Support staff read these rows in the admin to see what was sent to Procore and what came back,
so they hold excerpts, never a token, a client secret or a webhook bearer secret.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from integrations.procore.redaction import redact as redact_text
from integrations.work_context import work_context

logger = logging.getLogger("integrations.procore")

EXCERPT_LIMIT = 2000
REDACTED = "[redacted]"
# Keys whose values are credentials wherever they appear in a JSON or form body.
_SECRET_KEY = re.compile(
    r"(?i)(?:^|_)(?:token|secret|password|authorization|api_key|client_id|credentials?)$"
)


@dataclass(frozen=True)
class AttemptRecord:
    company_pk: int | None
    method: str
    path: str
    attempt: int
    duration_ms: int
    status_code: int | None = None
    error: str = ""
    request_id: str = ""
    rate_limit_limit: int | None = None
    rate_limit_remaining: int | None = None
    rate_limit_reset: int | None = None
    request_excerpt: str = ""
    response_excerpt: str = ""


class AttemptRecorder(Protocol):
    def record(self, attempt: AttemptRecord) -> None: ...


class DatabaseAttemptRecorder:
    """Writes an ``ApiAttempt`` row and a log line; a failure to record never fails the call.

    The row names the ERP request or import run being worked on (``work_context``), so support
    walks from either to the calls it made."""

    def record(self, attempt: AttemptRecord) -> None:
        from integrations.models import ApiAttempt

        _log(attempt)
        context = work_context()
        try:
            ApiAttempt.objects.create(
                company_id=attempt.company_pk,
                erp_request_id=context.erp_request_pk,
                sync_run_id=context.sync_run_pk,
                method=attempt.method[:8],
                path=attempt.path[:500],
                status_code=attempt.status_code,
                error=attempt.error[:255],
                duration_ms=attempt.duration_ms,
                attempt=min(attempt.attempt, 32767),
                request_id=attempt.request_id[:100],
                rate_limit_limit=attempt.rate_limit_limit,
                rate_limit_remaining=attempt.rate_limit_remaining,
                rate_limit_reset=attempt.rate_limit_reset,
                request_excerpt=attempt.request_excerpt,
                response_excerpt=attempt.response_excerpt,
            )
        except Exception:  # the call itself succeeded or failed on its own merits
            logger.exception("could not store the API attempt record for %s", attempt.path)


def _log(attempt: AttemptRecord) -> None:
    failed = attempt.error or attempt.status_code is None or attempt.status_code >= 400
    logger.log(
        logging.WARNING if failed else logging.DEBUG,
        "procore %s %s -> %s in %d ms (attempt %d, request id %s, rate limit %s/%s)",
        attempt.method,
        attempt.path,
        attempt.status_code or attempt.error,
        attempt.duration_ms,
        attempt.attempt,
        attempt.request_id or "-",
        attempt.rate_limit_remaining,
        attempt.rate_limit_limit,
        extra={"company_id": attempt.company_pk, "attempt": attempt.attempt},
    )


def redact_value(value: Any) -> Any:
    """Replace the values of credential-named keys, at any depth."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else redact_value(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value


def scrub(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a decoded body or a message that is safe to keep on an exception or log.

    Credential-named keys lose their values, bearer tokens are masked in free text, and every
    known secret value is masked wherever it still appears (Procore echoing what it was sent).
    """
    secrets = [s for s in secrets if s and len(s) >= 4]
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and _SECRET_KEY.search(k) else scrub(v, secrets))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [scrub(v, secrets) for v in value]
    if isinstance(value, str):
        text = redact_text(value)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text
    return value


def excerpt(
    body: Any, *, secrets: Iterable[str] = (), content_type: str = "", limit: int = EXCERPT_LIMIT
) -> str:
    """A short, redacted rendering of a request or response body for support staff.

    Structured bodies lose credential-named keys; then every known secret value is masked
    wherever it still appears (a secret echoed in an error message, say).
    """
    if body is None or body == b"" or body == "":
        return ""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        parsed: Any = None
        stripped = body.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = None
        elif "x-www-form-urlencoded" in content_type:
            parsed = dict(parse_qsl(body, keep_blank_values=True))
        text = (
            json.dumps(redact_value(parsed), default=str)
            if parsed is not None
            else redact_text(body)
        )
    else:
        text = json.dumps(redact_value(body), default=str)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text) - limit} more characters)"
    return text
