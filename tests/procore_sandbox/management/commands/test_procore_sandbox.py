"""``manage.py procore_sandbox``: the server (and the sandbox command) refuse to run when the
sandbox is disabled."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_server_refuses_to_start_when_disabled(settings):
    settings.PROCORE_SANDBOX_ENABLED = False
    with pytest.raises(CommandError, match="disabled"):
        call_command("procore_sandbox", "--port", "0")
    with pytest.raises(CommandError, match="disabled"):
        call_command("sandbox", "deliver")
