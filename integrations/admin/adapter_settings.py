"""The connection form's ERP settings, rendered from the adapter's own JSON Schema.

One input per top-level setting, chosen by its schema: text, number, a yes/no box, a list for an
``enum``, a JSON box for an object or a list (with its description), and for a ``writeOnly``
setting a password input that is never filled in, says whether the secret is set and since when,
and offers "remove". What the inputs give is assembled into the same JSON object the form has
always taken, then merged (a blank secret keeps the stored one) and validated against the schema
by ``integrations.services.connections``, so every door applies one rule. A request that posts
the whole object as JSON (``adapter_settings``) is still understood.

Django form inputs generated from the schema rather than a JSON-editor library: the one at hand
(django-jsonform) has no password input for ``writeOnly`` settings and shows only the first
branch of a ``oneOf``, which the SQL adapter's mappings use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join

PREFIX = "adapter_settings__"
_URL_PASSWORD = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s:]*):[^/?#@\s]*@")
REMOVE = "__remove"
PRESENT = "__present"


def _is_secret(prop: Any) -> bool:
    if isinstance(prop, Mapping):
        return prop.get("writeOnly") is True or any(_is_secret(v) for v in prop.values())
    if isinstance(prop, list):
        return any(_is_secret(v) for v in prop)
    return False


class AdapterSettingsWidget(forms.Widget):
    """The inputs of one adapter's settings (see the module docstring)."""

    def __init__(
        self,
        schema: Mapping[str, Any],
        secret_state: Callable[[str], str],
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.schema = schema
        self.secret_state = secret_state

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.schema.get("properties", {}))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:  # the whole object as JSON, as before
            return data.get(name)
        if not any(key.startswith(PREFIX) for key in data):
            return None
        value: dict[str, Any] = {}
        for prop_name, prop in self.properties.items():
            field = f"{PREFIX}{prop_name}"
            raw = data.get(field)
            kind = prop.get("type")
            if _is_secret(prop):
                if data.get(field + REMOVE):
                    value[prop_name] = None
                elif raw:
                    value[prop_name] = _parse_json(raw) if kind in ("object", "array") else raw
                continue
            if kind == "boolean":
                if data.get(field + PRESENT):
                    value[prop_name] = bool(data.get(field))
                continue
            if raw is None or raw == "":
                continue
            if kind == "integer":
                try:
                    value[prop_name] = int(raw)
                except ValueError:
                    value[prop_name] = raw  # the schema says what is wrong
            elif kind == "number":
                try:
                    value[prop_name] = float(raw)
                except ValueError:
                    value[prop_name] = raw
            elif kind in ("object", "array"):
                value[prop_name] = _parse_json(raw)
            else:
                value[prop_name] = raw
        # A JSON string, as a textarea would post: the JSON form field parses it (and can
        # re-render it when the form has errors).
        return json.dumps(value, ensure_ascii=False)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> str:
        current = _as_object(value)
        rows = []
        required = set(self.schema.get("required", []))
        for prop_name, prop in self.properties.items():
            rows.append(
                (
                    f"{PREFIX}{prop_name}",
                    prop.get("title") or prop_name.replace("_", " ").capitalize(),
                    " *" if prop_name in required else "",
                    self._input(prop_name, prop, current),
                    self._help(prop_name, prop),
                )
            )
        return format_html(
            '<div class="adapter-settings-form">{}</div>',
            format_html_join(
                "",
                '<div class="form-row"><label for="id_{}">{}{}</label> {}'
                '<div class="help">{}</div></div>',
                rows,
            ),
        )

    def _help(self, prop_name: str, prop: Mapping[str, Any]) -> str:
        parts = [prop.get("description", "")]
        if _is_secret(prop):
            parts.insert(0, f"Write-only: {self.secret_state(prop_name)}. Leave blank to keep.")
        elif "default" in prop:
            parts.append(f"Default: {json.dumps(prop['default'], ensure_ascii=False)}.")
        return " ".join(p for p in parts if p)

    def _input(self, prop_name: str, prop: Mapping[str, Any], current: dict[str, Any]) -> str:
        field = f"{PREFIX}{prop_name}"
        attrs = {"id": f"id_{field}"}
        kind = prop.get("type")
        if _is_secret(prop):
            box = forms.PasswordInput(render_value=False).render(field, "", attrs)
            remove = forms.CheckboxInput().render(field + REMOVE, False)
            return format_html("{} <label>{} remove</label>", box, remove)
        present = current.get(prop_name, prop.get("default"))
        if kind == "boolean":
            marker = forms.HiddenInput().render(field + PRESENT, "1")
            return format_html(
                "{}{}", forms.CheckboxInput().render(field, bool(present), attrs), marker
            )
        if "enum" in prop:
            choices = [("", "—")] + [(str(v), str(v)) for v in prop["enum"]]
            return forms.Select(choices=choices).render(field, present, attrs)
        if kind in ("object", "array"):
            text = (
                present
                if isinstance(present, str)
                else json.dumps(present, indent=2, ensure_ascii=False)
                if present is not None
                else ""
            )
            return forms.Textarea(attrs={"rows": 8, "cols": 80, "class": "vLargeTextField"}).render(
                field, text, attrs
            )
        if kind in ("integer", "number"):
            return forms.NumberInput().render(field, present, attrs)
        if isinstance(present, str):
            present = _URL_PASSWORD.sub(r"\1***@", present)  # typed by mistake: never echoed
        return forms.TextInput(attrs={"class": "vTextField"}).render(field, present, attrs)


def _parse_json(raw: str) -> Any:
    """The box's JSON; text that is not JSON stays text, which the schema then refuses with
    the setting's name and description."""
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _as_object(value: Any) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
