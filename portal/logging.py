"""Structured logs: JSON in production, with the context fields support staff filter on."""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from integrations.procore.redaction import redact

CONTEXT_FIELDS = ("company_id", "erp_request_id", "request_name", "attempt", "sync_run_id")


class RedactSecretsFilter(logging.Filter):
    """Last line of defence: nothing that looks like a token reaches a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(_BaseJsonFormatter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("fmt", "%(asctime)s %(levelname)s %(name)s %(message)s")
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)
