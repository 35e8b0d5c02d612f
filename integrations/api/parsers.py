"""Reading a webhook body strictly: whatever Procore (or anyone) sends, a clear 400, never a 500.

JSON that Python accepts can still crash later code or be refused by PostgreSQL's ``jsonb``:
numbers beyond a float (``1e400``), ``NaN``, strings with a lone surrogate or a NUL, and nesting
deep enough to exhaust the interpreter's stack. Each is refused here with the reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 64 * 1024
MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = 413
    default_detail = f"Body is larger than {MAX_BODY_BYTES} bytes."
    default_code = "too_large"


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _check(value: Any, depth: int = 0) -> None:
    """Strings storable as UTF-8 and in ``jsonb``, and bounded nesting."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nesting is deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, child in value.items():
            _check_text(key)
            _check(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            _check(child, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise ValueError("a string contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string contains a lone surrogate (\\ud800–\\udfff)") from None


def parse_event_body(body: bytes) -> Any:
    """The decoded JSON, or ``ValueError`` saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("the body is not UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError:
        raise ValueError(f"nesting is deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc.msg} at position {exc.pos})") from None
    _check(data)
    return data


class LengthRequired(APIException):
    status_code = 411
    default_detail = (
        "Send the body with a Content-Length, or chunked through a server that reads chunked "
        "bodies (gunicorn does)."
    )
    default_code = "length_required"


def chunked_body(request: Any) -> bytes | None:
    """The body of a request sent with ``Transfer-Encoding: chunked``, or None if it was not.

    Django reads only ``Content-Length`` bytes, so a chunked body looks empty to it. gunicorn
    de-chunks it and says so with ``wsgi.input_terminated`` (the input ends where the body
    does): read it from there, still at most 64 KiB. A server that gives no such promise gets
    411 rather than a body read past its end.
    """
    meta = request.META
    if "chunked" not in meta.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    if meta.get("CONTENT_LENGTH"):
        return None  # Django reads it as usual
    if not meta.get("wsgi.input_terminated"):
        raise LengthRequired()
    body = meta["wsgi.input"].read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        raise BodyTooLarge()
    return body


def event_payload(request: Any) -> Any:
    """The decoded body: DRF's parsing, or the chunked body read and checked the same way."""
    body = chunked_body(request)
    if body is None:
        return request.data
    try:
        return parse_event_body(body)
    except ValueError as exc:
        raise ParseError(f"Body refused: {exc}.") from None


class WebhookEventParser(JSONParser):
    """JSON of at most 64 KiB, checked as ``parse_event_body`` says."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and str(declared).isdigit() and int(declared) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        body = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        if len(body) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        try:
            return parse_event_body(body)
        except ValueError as exc:
            raise ParseError(f"Body refused: {exc}.") from None
