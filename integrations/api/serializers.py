"""What a Procore webhook event must hold before it is stored (procore-erp-api.md §c.3)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

MAX_ID = 2**63 - 1
SUPPORTED_API_VERSIONS = ("v2", "v2.0", "v3.0")  # procore-erp-api.md §i


class ProcoreIdField(serializers.Field):
    """A Procore id: a JSON integer from 1 to 2^63 − 1. Not a string, a fraction or a boolean
    (``true`` is 1 to Python, and once attached an event to ERP request 1)."""

    default_error_messages = {
        "invalid": "must be a whole number from 1 to 2^63 - 1, not {input}.",
    }

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int) or not 0 < data <= MAX_ID:
            self.fail("invalid", input=repr(data)[:40])
        return data

    def to_representation(self, value: int) -> int:
        return value


class WebhookEventSerializer(serializers.Serializer):
    """A v2/v3 event for the company of the URL; each refusal names its field."""

    id = ProcoreIdField(required=False, allow_null=True)
    ulid = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=26, trim_whitespace=False
    )
    company_id = ProcoreIdField()
    resource_name = serializers.CharField(max_length=100)
    resource_id = ProcoreIdField()
    event_type = serializers.CharField(max_length=32)
    api_version = serializers.ChoiceField(
        choices=SUPPORTED_API_VERSIONS,
        required=False,
        default="v2.0",
        error_messages={
            "invalid_choice": "{input!r} is not supported; the hook must deliver v2 payloads."
        },
    )

    def validate_company_id(self, value: int) -> int:
        if value != self.context["procore_company_id"]:
            raise serializers.ValidationError("does not match this endpoint's company.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("ulid") and attrs.get("id") is None:
            raise serializers.ValidationError({"ulid": "an event needs a ulid or an id."})
        return attrs
