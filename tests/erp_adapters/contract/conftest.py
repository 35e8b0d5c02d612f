"""Collects every adapter's ``*_contract_factory`` fixture from ``adapters/`` and runs each
contract test once per factory (see ``erp.py`` for the hook)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from tests.erp_adapters.contract import adapters as _adapters

FACTORY_SUFFIX = "_contract_factory"
FACTORIES: list[str] = []


def _is_fixture(value: object) -> bool:
    # pytest >= 8.4 wraps fixtures in FixtureFunctionDefinition; older ones mark the function.
    return type(value).__name__ == "FixtureFunctionDefinition" or hasattr(
        value, "_pytestfixturefunction"
    )


# Every fixture of every module in adapters/ is visible here (a factory may need helpers, such
# as a database of its own); the ones named *_contract_factory are the adapters under test.
for _info in sorted(pkgutil.iter_modules(_adapters.__path__), key=lambda i: i.name):
    _module = importlib.import_module(f"{_adapters.__name__}.{_info.name}")
    for _name, _value in vars(_module).items():
        if _is_fixture(_value):
            globals()[_name] = _value
            if _name.endswith(FACTORY_SUFFIX):
                FACTORIES.append(_name)


@pytest.fixture(params=FACTORIES, ids=[name.removesuffix(FACTORY_SUFFIX) for name in FACTORIES])
def make_erp(request, db):
    """The factory of one adapter: ``make_erp(books) -> ContractERP``."""
    return request.getfixturevalue(request.param)
