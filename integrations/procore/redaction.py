"""Masking secrets in free text: bearer tokens and secret-looking key/value pairs.

The Procore client redacts what it stores and logs (``attempts.py``); the project's logging
filter (``portal.logging.RedactSecretsFilter``) applies the same masking to every log line.
Plain Python, no Django, so that logging can use it before the apps are loaded.
"""

from __future__ import annotations

import re

_SECRET_PATTERNS = [
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(
        r"(?i)((?:client_secret|access_token|password|secret)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"
    ),
]


def redact(text: str) -> str:
    """Mask bearer tokens and secret-looking key/value pairs in free text."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1[redacted]", text)
    return text
