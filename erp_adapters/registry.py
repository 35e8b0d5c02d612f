"""Adapters by key, with their settings checked against each adapter's own JSON Schema.

``Connection.adapter_key`` names an adapter here; ``Connection.adapter_settings`` must pass its
schema. Adapters are imported lazily by dotted path, so importing the registry never imports an
adapter's models. A deployment adds its own adapters with the ``ERP_ADAPTERS`` setting
(``{"key": "package.module.ClassName"}``), without editing this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.utils.module_loading import import_string
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from erp_adapters.base import Adapter, AdapterSettingsError, UnknownAdapter

BUILTIN_ADAPTERS: dict[str, str] = {
    "demo": "erp_adapters.demo.adapter.DemoAdapter",
}


def _adapter_paths() -> dict[str, str]:
    return {**BUILTIN_ADAPTERS, **getattr(django_settings, "ERP_ADAPTERS", {})}


def available_adapters() -> dict[str, type[Adapter]]:
    """Every registered adapter class by key, sorted by key (for forms and the admin)."""
    return {key: adapter_class(key) for key in sorted(_adapter_paths())}


def adapter_class(key: str) -> type[Adapter]:
    paths = _adapter_paths()
    if key not in paths:
        known = ", ".join(sorted(paths)) or "none"
        raise UnknownAdapter(f"No ERP adapter is registered as {key!r} (known: {known}).")
    cls = import_string(paths[key])
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UnknownAdapter(f"{paths[key]} (registered as {key!r}) is not an ERP adapter class.")
    return cls


def _describe(error: ValidationError, schema: Mapping[str, Any]) -> list[str]:
    """One sentence per problem: where, what, and what the schema expects there."""
    where = ".".join(str(part) for part in error.absolute_path) or "settings"
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = sorted(error.schema.get("properties", {}))
        unexpected = sorted(set(error.instance) - set(known))
        prefix = "" if where == "settings" else f"{where}."
        return [
            f"{prefix}{name}: is not a setting of this adapter (known: {', '.join(known)})"
            for name in unexpected
        ]
    hint = ""
    if error.absolute_path:
        prop = schema.get("properties", {}).get(str(error.absolute_path[0]), {})
        if prop.get("description"):
            hint = f" (expected: {prop['description']})"
    return [f"{where}: {error.message}{hint}"]


def validate_adapter_settings(key: str, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings with the schema's top-level defaults filled in, or ``AdapterSettingsError``
    listing every problem at once (so a form can show them all)."""
    cls = adapter_class(key)
    schema = cls.settings_schema
    value: Any = {} if settings is None else settings
    if not isinstance(value, Mapping):
        raise AdapterSettingsError(key, [f"settings: must be a JSON object, not {value!r}"])
    value = dict(value)
    errors = sorted(
        Draft202012Validator(schema).iter_errors(value),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if errors:
        raise AdapterSettingsError(key, [line for e in errors for line in _describe(e, schema)])
    for name, prop in schema.get("properties", {}).items():
        if name not in value and "default" in prop:
            value[name] = prop["default"]
    return value


def get_adapter(key: str, settings: Mapping[str, Any] | None) -> Adapter:
    """The adapter registered as ``key``, configured with validated ``settings``."""
    cls = adapter_class(key)
    return cls(validate_adapter_settings(key, settings))
