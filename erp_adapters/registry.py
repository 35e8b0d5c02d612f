"""Adapters by key, with their settings checked against each adapter's own JSON Schema.

``Connection.adapter_key`` names an adapter here; ``Connection.adapter_settings`` must pass its
schema. Adapters are imported lazily by dotted path, so importing the registry never imports an
adapter's models. A third party ships an adapter as its own package, found through the
``erp_portal.adapters`` entry-point group; a deployment may also name classes in the
``ERP_ADAPTERS`` setting (``{"key": "package.module.ClassName"}``). Neither edits this file.

Secret settings (an ERP password, an API key) are marked in the schema with JSON Schema's own
``"writeOnly": true``. They are never shown back (``secret_setting_names``), an edit that leaves
one out or blank keeps the stored value (``adapter_settings_merge``), and a setting that fails
its schema is described without its value. A setting the schema does not declare, or any setting
of an adapter that cannot be loaded, counts as secret: what we cannot classify we do not show.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import json
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings as django_settings
from django.utils.module_loading import import_string
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from erp_adapters.base import Adapter, AdapterSettingsError, UnknownAdapter

BUILTIN_ADAPTERS: dict[str, str] = {
    "demo": "erp_adapters.demo.adapter.DemoAdapter",
    "files": "erp_adapters.files.adapter.FilesAdapter",
    "sql": "erp_adapters.sql.adapter.SqlAdapter",
}

# Third-party adapters are Python packages that declare themselves in this entry-point group
# (``[project.entry-points."erp_portal.adapters"] acme = "acme_erp.adapter:AcmeAdapter"``):
# installing the package is all it takes, no change to the portal.
ENTRY_POINT_GROUP = "erp_portal.adapters"


@functools.cache
def installed_adapters() -> dict[str, str]:
    """Adapters installed as packages, key → ``module:Class`` (read once per process; call
    ``installed_adapters.cache_clear()`` after installing one into a running process)."""
    found: dict[str, str] = {}
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry_point.name, entry_point.value)
    return found


def _adapter_paths() -> dict[str, str]:
    """Built-ins, then installed packages (which cannot take a built-in's key), then the
    deployment's ``ERP_ADAPTERS`` setting (which may replace any)."""
    installed = {k: v for k, v in installed_adapters().items() if k not in BUILTIN_ADAPTERS}
    return {**BUILTIN_ADAPTERS, **installed, **getattr(django_settings, "ERP_ADAPTERS", {})}


def _import(path: str) -> Any:
    """A class from ``module.Class`` (settings) or ``module:Class`` (entry points)."""
    if ":" in path:
        module, _, attribute = path.partition(":")
        target: Any = importlib.import_module(module)
        for part in attribute.split("."):
            target = getattr(target, part)
        return target
    return import_string(path)


def adapter_keys() -> list[str]:
    """Every registered key, sorted, without importing any adapter."""
    return sorted(_adapter_paths())


def available_adapters() -> dict[str, type[Adapter]]:
    """Every registered adapter class by key, sorted by key (for forms and the admin)."""
    return {key: adapter_class(key) for key in sorted(_adapter_paths())}


def adapter_class(key: str) -> type[Adapter]:
    paths = _adapter_paths()
    if key not in paths:
        known = ", ".join(sorted(paths)) or "none"
        raise UnknownAdapter(f"No ERP adapter is registered as {key!r} (known: {known}).")
    try:
        cls = _import(paths[key])
    except (ImportError, AttributeError) as exc:
        raise UnknownAdapter(
            f"The ERP adapter {key!r} ({paths[key]}) cannot be loaded: {exc}."
        ) from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UnknownAdapter(f"{paths[key]} (registered as {key!r}) is not an ERP adapter class.")
    return cls


def _is_write_only(schema: Any) -> bool:
    """Whether a (sub)schema says ``writeOnly`` anywhere within it: a property holding an object
    with one secret member is secret as a whole."""
    if isinstance(schema, Mapping):
        return schema.get("writeOnly") is True or any(_is_write_only(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_is_write_only(v) for v in schema)
    return False


def write_only_settings(key: str) -> frozenset[str]:
    """The top-level settings the adapter's schema marks ``writeOnly`` (at or below them)."""
    properties = adapter_class(key).settings_schema.get("properties", {})
    return frozenset(name for name, prop in properties.items() if _is_write_only(prop))


def secret_setting_names(key: str, settings: Mapping[str, Any] | None) -> frozenset[str]:
    """The names in ``settings`` whose values must never be shown: the ``writeOnly`` ones, any
    the schema does not declare, and every one when the adapter is unknown (failing closed)."""
    names = frozenset(settings or {})
    try:
        schema = adapter_class(key).settings_schema
    except (UnknownAdapter, ImportError):
        return names
    declared = frozenset(schema.get("properties", {}))
    return (names - declared) | (names & write_only_settings(key))


def adapter_settings_merge(
    key: str, stored: Mapping[str, Any] | None, given: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings an edit means: ``given``, where each secret setting left out or blank keeps
    its stored value, and one given as ``null`` is removed.

    People editing a connection never see the secrets, so they cannot send them back; without
    this, every edit of an ordinary setting would wipe the ERP password.
    """
    stored = dict(stored or {})
    secret = secret_setting_names(key, stored) | _declared_write_only(key)
    merged = {name: value for name, value in given.items() if name not in secret}
    for name in secret:
        if name not in given or given[name] == "":
            if name in stored:
                merged[name] = stored[name]
        elif given[name] is not None:
            merged[name] = given[name]
    return merged


def _declared_write_only(key: str) -> frozenset[str]:
    try:
        return write_only_settings(key)
    except (UnknownAdapter, ImportError):
        return frozenset()


# jsonschema's messages for these name properties only, never a value.
_VALUE_FREE_VALIDATORS = frozenset({"required", "dependentRequired"})


# "scheme://user:password@…": a URL that carries a password is never quoted back, whatever
# the setting (an adapter's schema refuses such a URL; its message must not repeat it).
_URL_WITH_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s]*:[^/?#@\s]*@")


def _reveals_secret(error: ValidationError, secret: frozenset[str]) -> bool:
    """Whether jsonschema's message could quote a secret value: it quotes the instance, which
    is a secret setting, or the whole settings object while that holds one, or a URL with a
    password in it."""
    if error.validator in _VALUE_FREE_VALIDATORS:
        return False
    if _URL_WITH_PASSWORD.search(json.dumps(error.instance, default=str)):
        return True
    path = list(error.absolute_path)
    if path:
        return str(path[0]) in secret
    return isinstance(error.instance, Mapping) and bool(secret & set(error.instance))


def _describe(
    error: ValidationError, schema: Mapping[str, Any], secret: frozenset[str] = frozenset()
) -> list[str]:
    """One sentence per problem: where, what, and what the schema expects there (without the
    value, for a secret setting)."""
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
    if _reveals_secret(error, secret):
        return [f"{where}: the value does not satisfy the schema's {error.validator!r} rule{hint}"]
    return [f"{where}: {error.message}{hint}"]


def validate_adapter_settings(key: str, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """The settings with the schema's top-level defaults filled in, or ``AdapterSettingsError``
    listing every problem at once (so a form can show them all)."""
    cls = adapter_class(key)
    schema = cls.settings_schema
    value: Any = {} if settings is None else settings
    if not isinstance(value, Mapping):
        raise AdapterSettingsError(
            key, [f"settings: must be a JSON object, not {type(value).__name__}"]
        )
    value = dict(value)
    errors = sorted(
        Draft202012Validator(schema).iter_errors(value),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    if errors:
        secret = secret_setting_names(key, value)
        raise AdapterSettingsError(
            key, [line for e in errors for line in _describe(e, schema, secret)]
        )
    for name, prop in schema.get("properties", {}).items():
        if name not in value and "default" in prop:
            value[name] = prop["default"]
    return value


def get_adapter(key: str, settings: Mapping[str, Any] | None) -> Adapter:
    """The adapter registered as ``key``, configured with validated ``settings``."""
    cls = adapter_class(key)
    return cls(validate_adapter_settings(key, settings))
