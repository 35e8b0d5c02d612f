"""The SQL adapter's own tests run on the sample layout, in a SQLite file and in a schema of
the PostgreSQL database these tests own (``erp_sql_fixture``, never the portal's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from erp_adapters.base import Adapter
from erp_adapters.registry import get_adapter
from erp_adapters.sql.sample import sample_settings
from tests.erp_adapters.contract.adapters.sql import (  # noqa: F401 - fixtures
    erp_postgres_database,
    postgres_erp_schema,
    seeded_erp_url,
)
from tests.erp_adapters.contract.books import sample_books


@pytest.fixture(params=["sqlite", "postgres"])
def erp_url(request, tmp_path) -> Iterator[str]:
    """An ERP database with the sample layout and the contract's sample books."""
    yield from seeded_erp_url(request, tmp_path, sample_books())


@pytest.fixture
def sql_adapter(erp_url) -> Callable[..., Adapter]:
    """``sql_adapter(**overrides)``: the adapter on ``erp_url`` with the sample mappings."""

    def make(**overrides) -> Adapter:
        return get_adapter("sql", sample_settings(erp_url, fetch_size=10, **overrides))

    return make
