"""Model fields that keep their value encrypted in the database (see ``integrations.crypto``)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from integrations import crypto


class EncryptedTextField(models.TextField):
    """A text value stored as a Fernet token; Python code sees the plaintext.

    Encryption is randomised, so the field cannot be filtered on; keep lookups on other columns.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def to_python(self, value: Any) -> str | None:
        if value is None or (isinstance(value, str) and not value.startswith(crypto.PREFIX)):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON document stored encrypted (adapter settings may hold ERP credentials)."""

    description = "JSON encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return {} if value == "" else None
        return json.loads(crypto.decrypt(value))

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith(crypto.PREFIX):
                return json.loads(crypto.decrypt(value))
            return json.loads(value) if value else {}
        return value

    def get_prep_value(self, value: Any) -> str | None:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, sort_keys=True))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def formfield(self, **kwargs: Any):
        from django import forms

        return super().formfield(**{"form_class": forms.JSONField, **kwargs})
