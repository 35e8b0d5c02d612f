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
from erp_adapters.registry import (
    adapter_settings_merge,
    available_adapters,
    get_adapter,
    secret_setting_names,
    validate_adapter_settings,
    write_only_settings,
)


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
    assert set(available_adapters()) == {"demo", "files", "paper", "sql"}
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


# -- Secret settings ---------------------------------------------------------------------------


def test_write_only_settings_are_the_ones_the_schema_marks(secret_adapter):
    # A property holding a secret anywhere beneath it is secret as a whole.
    assert write_only_settings(secret_adapter) == {"api_key", "login"}
    assert write_only_settings("demo") == frozenset()


def test_what_cannot_be_classified_counts_as_secret(secret_adapter):
    stored = {"tenant": "acme", "api_key": "k-123456789", "colour": "red"}
    assert secret_setting_names(secret_adapter, stored) == {"api_key", "colour"}
    assert secret_setting_names("demo", {"tenant": "acme", "password": "x"}) == {"password"}
    assert secret_setting_names("no-such-erp", {"tenant": "acme"}) == {"tenant"}


def test_an_edit_keeps_the_secret_settings_it_leaves_out_or_blank(secret_adapter):
    stored = {"tenant": "acme", "page_size": 10, "api_key": "k-stored-123"}
    merge = adapter_settings_merge
    assert merge(secret_adapter, stored, {"tenant": "other"}) == {
        "tenant": "other",
        "api_key": "k-stored-123",
    }
    assert merge(secret_adapter, stored, {"api_key": ""})["api_key"] == "k-stored-123"
    assert merge(secret_adapter, stored, {"api_key": "k-new-4567"})["api_key"] == "k-new-4567"
    assert "api_key" not in merge(secret_adapter, stored, {"api_key": None})
    assert merge(secret_adapter, {}, {"api_key": ""}) == {}


def test_a_secret_setting_that_fails_its_schema_is_described_without_its_value(secret_adapter):
    with pytest.raises(AdapterSettingsError) as caught:
        validate_adapter_settings(
            secret_adapter,
            {"api_key": "short", "login": {"password": ["pw-in-a-list"]}, "page_size": 0},
        )
    text = str(caught.value)
    assert "short" not in text and "pw-in-a-list" not in text
    assert "api_key: the value does not satisfy the schema's 'minLength' rule" in text
    assert "(expected: the ERP's API key, 8 characters or more)" in text
    assert "login.password: the value does not satisfy the schema's 'type' rule" in text
    assert "page_size: 0 is less than the minimum of 1" in text  # not secret: said in full
    with pytest.raises(AdapterSettingsError, match="not a setting") as caught:
        validate_adapter_settings("demo", {"password": "hunter2-erp"})
    assert "hunter2" not in str(caught.value)
    with pytest.raises(AdapterSettingsError) as caught:
        validate_adapter_settings(secret_adapter, ["k-in-a-list-99"])
    assert "k-in-a-list" not in str(caught.value)
