"""The connection wizard's form: Procore's side, and the ERP adapter's settings as fields generated
from each adapter's JSON Schema (one group of fields per adapter; only the chosen one counts).

Secrets are write-only: the client id and secret and every ``writeOnly`` setting render empty,
whatever was typed or stored, and blank keeps what is stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from erp_adapters.registry import available_adapters, write_only_settings
from integrations.models import Connection, ProcoreEnvironment

PROCORE_FIELDS = ("environment", "login_base_url", "api_base_url", "client_id", "client_secret")
SEPARATOR = "__"  # an adapter setting's field is named <adapter key>__<setting>


class WriteOnlyInput(forms.TextInput):
    """A text input that never puts a value back into the page."""

    def format_value(self, value: Any) -> None:
        return None


def setting_field(
    prop: str, schema: Mapping[str, Any], *, secret: bool, is_set: bool
) -> forms.Field:
    """One form field for the top-level property ``prop`` of an adapter's settings schema."""
    label = schema.get("title") or prop.replace("_", " ").capitalize()
    help_text = str(schema.get("description") or "")
    if secret:
        state = "Set; leave blank to keep it." if is_set else "Not set."
        if schema.get("type") in ("object", "array"):  # e.g. a login holding a password
            return forms.JSONField(
                label=label,
                required=False,
                widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                help_text=f"{help_text} (as JSON) {state}".strip(),
            )
        return forms.CharField(
            label=label,
            required=False,
            strip=False,
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
            help_text=f"{help_text} {state}".strip(),
        )
    kind = schema.get("type")
    if kind in ("object", "array"):
        return forms.JSONField(
            label=label,
            required=False,
            help_text=f"{help_text} (as JSON)".strip(),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if "enum" in schema:
        return forms.TypedChoiceField(
            label=label,
            required=False,
            choices=[("", "—")] + [(v, str(v)) for v in schema["enum"]],
            coerce=lambda v, values=schema["enum"]: next(x for x in values if str(x) == v),
            empty_value=None,
            help_text=help_text,
        )
    if kind == "boolean":
        return forms.BooleanField(label=label, required=False, help_text=help_text)
    if kind == "integer":
        return forms.IntegerField(
            label=label,
            required=False,
            min_value=schema.get("minimum"),
            max_value=schema.get("maximum"),
            help_text=help_text,
        )
    if kind == "number":
        return forms.FloatField(
            label=label,
            required=False,
            min_value=schema.get("minimum"),
            max_value=schema.get("maximum"),
            help_text=help_text,
        )
    return forms.CharField(
        label=label, required=False, max_length=schema.get("maxLength"), help_text=help_text
    )


class ConnectionWizardForm(forms.Form):
    environment = forms.ChoiceField(
        label="Procore environment",
        choices=ProcoreEnvironment.choices,
        initial=ProcoreEnvironment.PRODUCTION,
        help_text="Where your company's Procore account lives; developer and monthly sandboxes "
        "are for testing.",
    )
    login_base_url = forms.CharField(
        label="Login URL",
        required=False,
        help_text="Only for custom base URLs, e.g. a Procore test stack your operator allows.",
    )
    api_base_url = forms.CharField(
        label="API URL", required=False, help_text="Only for custom base URLs."
    )
    client_id = forms.CharField(
        label="Client id",
        required=False,
        widget=WriteOnlyInput(attrs={"autocomplete": "off"}),
    )
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    adapter_key = forms.ChoiceField(label="ERP")

    def __init__(self, *args: Any, connection: Connection | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.adapters = available_adapters()
        self.fields["adapter_key"].choices = [
            (key, getattr(cls, "label", "") or cls.settings_schema.get("title") or key)
            for key, cls in self.adapters.items()
        ]
        stored_settings = {}
        if connection is not None:
            self.initial.setdefault("environment", connection.environment)
            self.initial.setdefault("login_base_url", connection.login_base_url)
            self.initial.setdefault("api_base_url", connection.api_base_url)
            if connection.adapter_key:
                self.initial.setdefault("adapter_key", connection.adapter_key)
            stored_settings = connection.adapter_settings or {}
        for name, state in (("client_id", "client id"), ("client_secret", "client secret")):
            is_set = connection is not None and bool(getattr(connection, name))
            self.fields[name].help_text = (
                f"From the service account of your Procore app. The {state} is set; leave "
                "blank to keep it."
                if is_set
                else f"From the service account of your Procore app (Developer Portal → your app "
                f"→ credentials). The {state} is not set yet."
            )
        self.setting_groups: dict[str, list[str]] = {}
        for key, cls in self.adapters.items():
            schema = cls.settings_schema
            secret = write_only_settings(key)
            mine = connection is not None and connection.adapter_key == key
            names = []
            for prop, prop_schema in schema.get("properties", {}).items():
                name = f"{key}{SEPARATOR}{prop}"
                is_set = mine and prop in stored_settings
                self.fields[name] = setting_field(
                    prop, prop_schema, secret=prop in secret, is_set=is_set
                )
                if prop not in secret:
                    if mine and prop in stored_settings:
                        self.initial.setdefault(name, stored_settings[prop])
                    elif "default" in prop_schema:
                        self.initial.setdefault(name, prop_schema["default"])
                names.append(name)
            self.setting_groups[key] = names

    def procore_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in PROCORE_FIELDS]

    def setting_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(adapter key, its bound fields) for the template."""
        return [(key, [self[n] for n in names]) for key, names in self.setting_groups.items()]

    def adapter_settings(self) -> dict[str, Any]:
        """The chosen adapter's settings as typed: blank ones left out (defaults then apply,
        and a blank secret keeps the stored one)."""
        key = self.cleaned_data["adapter_key"]
        settings: dict[str, Any] = {}
        for name in self.setting_groups.get(key, []):
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            settings[name.partition(SEPARATOR)[2]] = value
        return settings

    def add_setting_problems(self, key: str, problems: list[str]) -> None:
        """Put each schema problem (``"<setting>: …"``) beside its field."""
        for problem in problems:
            setting = problem.partition(":")[0].split(".")[0]
            name = f"{key}{SEPARATOR}{setting}"
            self.add_error(name if name in self.fields else None, problem)
