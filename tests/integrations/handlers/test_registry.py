"""Handlers are found by name: one module per section of the events dictionary, each
registering its own names, discovered when the app is ready."""

import importlib
import pkgutil

import pytest

import integrations.handlers
from integrations.handlers.registry import (
    KNOWN_REQUEST_NAMES,
    SECTIONS,
    handled_request_names,
    handler_for,
    register,
)


def test_the_app_registers_every_handler_module_without_the_engine_importing_them():
    assert {"create_vendor", "sync_vendors", "create_vendor_in_procore"} <= handled_request_names()
    assert {"sync_standard_cost_codes", "sync_standard_categories", "sync_metadata"} <= (
        handled_request_names()
    )
    for name in handled_request_names():
        assert handler_for(name).__module__ == f"integrations.handlers.{_section(name)}"


def test_every_handler_module_is_named_for_a_section_or_is_shared():
    modules = {m.name for m in pkgutil.iter_modules(integrations.handlers.__path__)}
    assert modules - set(SECTIONS) <= {"registry", "imports", "job_exports", "document_unlinks"}


def test_sections_cover_every_request_name_once():
    names = [name for section in SECTIONS.values() for name in section]
    assert len(names) == len(set(names)) == len(KNOWN_REQUEST_NAMES) == 52


def test_a_name_outside_the_dictionary_is_refused():
    with pytest.raises(ValueError, match="not a request name"):
        register("create_invoice")(lambda ctx: None)


def test_a_name_registered_outside_its_section_module_is_refused():
    def create_vendor(ctx):  # defined in this test module, not integrations.handlers.vendors
        return None

    with pytest.raises(ValueError, match=r"belongs in integrations\.handlers\.vendors"):
        register("create_vendor")(create_vendor)


def test_a_name_registered_twice_is_refused():
    module = importlib.import_module("integrations.handlers.vendors")

    def again(ctx):
        return None

    again.__module__ = module.__name__
    with pytest.raises(ValueError, match="already has a handler"):
        register("create_vendor")(again)


def _section(name: str) -> str:
    return next(key for key, names in SECTIONS.items() if name in names)
