"""The client's free-text redaction, which the project's log filter uses too."""

from __future__ import annotations

import pytest

from integrations.procore.redaction import redact


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Authorization: Bearer abc.def-ghi", "Authorization: Bearer [redacted]"),
        ("client_secret=s3cr3t&grant_type=x", "client_secret=[redacted]&grant_type=x"),
        ('{"access_token": "tok-123", "ok": 1}', '{"access_token": "[redacted]", "ok": 1}'),
        ("password: hunter2, user: a", "password: [redacted], user: a"),
        ("nothing secret here", "nothing secret here"),
    ],
)
def test_redact_masks_tokens_and_secret_pairs(text, expected):
    assert redact(text) == expected


def test_the_log_filter_uses_the_clients_redaction():
    import portal.logging

    assert portal.logging.redact is redact
