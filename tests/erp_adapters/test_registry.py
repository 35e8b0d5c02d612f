from __future__ import annotations

from collections.abc import Mapping

import pytest
from jsonschema import Draft202012Validator

from erp_adapters.base import (
    Adapter,
    AdapterSettingsError,
    Entity,
    EntityAdapter,
    EntityNotSupported,
    HealthState,
    HealthStatus,
    UnknownAdapter,
)
from erp_adapters.demo.adapter import DemoAdapter
from erp_adapters.registry import available_adapters, get_adapter, validate_adapter_settings


class PaperLedger(Adapter):
    """A deployment's own adapter, registered through the ERP_ADAPTERS setting."""

    key = "paper"
    label = "Paper ledger"
    settings_schema = {
        "type": "object",
        "properties": {"binder": {"type": "string", "default": "A"}},
        "additionalProperties": False,
    }

    def entities(self) -> Mapping[Entity, EntityAdapter]:
        return {}

    def health_check(self) -> HealthStatus:
        return HealthStatus(HealthState.OK, "Binder on the shelf.")


def test_demo_adapter_is_registered_with_a_valid_schema():
    adapters = available_adapters()
    assert adapters["demo"] is DemoAdapter
    for cls in adapters.values():
        Draft202012Validator.check_schema(cls.settings_schema)


def test_missing_settings_take_the_schema_defaults(db):
    adapter = get_adapter("demo", {})
    assert adapter.settings == {"tenant": "demo", "page_size": 1000, "offline": False}
    assert get_adapter("demo", None).settings["tenant"] == "demo"
    assert get_adapter("demo", {"tenant": "acme"}).tenant == "acme"


def test_unknown_key_names_the_known_ones():
    with pytest.raises(UnknownAdapter, match=r"'sage300'.*known: demo"):
        get_adapter("sage300", {})


def test_bad_settings_list_every_problem_clearly():
    with pytest.raises(AdapterSettingsError) as caught:
        get_adapter("demo", {"tenant": "Acme Corp", "page_size": 0, "colour": "red"})
    error = caught.value
    assert str(error).startswith("Settings for the 'demo' ERP adapter are not valid: ")
    assert len(error.problems) == 3
    text = " | ".join(error.problems)
    assert "colour: is not a setting of this adapter (known: offline, page_size, tenant)" in text
    assert "page_size: 0 is less than the minimum of 1" in text
    assert "tenant: 'Acme Corp' does not match" in text
    assert "lowercase letters" in text  # the schema's own description, as a hint


def test_settings_must_be_an_object():
    with pytest.raises(AdapterSettingsError, match="must be a JSON object"):
        validate_adapter_settings("demo", ["acme"])


def test_wrong_type_is_reported_with_its_path():
    with pytest.raises(AdapterSettingsError) as caught:
        validate_adapter_settings("demo", {"offline": "yes"})
    assert caught.value.problems[0].startswith("offline: 'yes' is not of type 'boolean'")


def test_a_deployment_registers_its_own_adapter(settings):
    settings.ERP_ADAPTERS = {"paper": f"{__name__}.PaperLedger"}
    adapter = get_adapter("paper", {})
    assert isinstance(adapter, PaperLedger)
    assert adapter.settings == {"binder": "A"}
    assert set(available_adapters()) == {"demo", "paper"}
    with pytest.raises(EntityNotSupported, match="Paper ledger does not handle vendors"):
        adapter.vendors  # noqa: B018


def test_a_registered_path_that_is_not_an_adapter_is_refused(settings):
    settings.ERP_ADAPTERS = {"broken": "erp_adapters.registry.get_adapter"}
    with pytest.raises(UnknownAdapter, match="is not an ERP adapter class"):
        get_adapter("broken", {})


def test_demo_supports_every_entity(db):
    adapter = get_adapter("demo", {})
    assert all(adapter.supports(entity) for entity in Entity)
    assert adapter.entity("vendors") is adapter.vendors
    with pytest.raises(EntityNotSupported):
        adapter.entity("invoices")
