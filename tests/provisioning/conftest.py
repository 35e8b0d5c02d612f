"""A portal company connected to the local Procore sandbox, served over real HTTP: the shared
``sandbox_connection`` of tests/conftest.py under the name these tests use."""

from __future__ import annotations

import pytest

from tests.conftest import SANDBOX_CLIENT_ID as CLIENT_ID
from tests.conftest import SANDBOX_CLIENT_SECRET as CLIENT_SECRET
from tests.conftest import SANDBOX_WEBHOOK_SECRET as WEBHOOK_SECRET

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "WEBHOOK_SECRET"]


@pytest.fixture
def connection(sandbox_connection):
    return sandbox_connection
