"""The audit trail: changes field by field, secrets only as "(secret changed)", adapter settings
key by key with their secret keys masked, and no bookkeeping of when secrets changed."""

from __future__ import annotations

import pytest

from integrations.models import Connection
from integrations.services.audit import SECRET_MARK, audit_diff
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db


def _edited(connection: Connection, **values) -> Connection:
    after = Connection.objects.get(pk=connection.pk)
    for name, value in values.items():
        setattr(after, name, value)
    return after


def test_secret_fields_only_say_that_they_changed():
    connection = ConnectionFactory(access_token="tok-1")
    after = _edited(
        connection,
        client_id="cid-new-value",
        client_secret="cs-new-value",
        access_token="tok-2",
        webhook_secret="whsec-new-value",
        webhook_secret_previous="whsec-old-value",
        health="ok",
    )
    after.mark_secrets_changed(after.changed_secrets(connection))

    changes = audit_diff(before=connection, after=after)

    assert changes == {
        "client_id": SECRET_MARK,
        "client_secret": SECRET_MARK,
        "access_token": SECRET_MARK,
        "webhook_secret": SECRET_MARK,
        "webhook_secret_previous": SECRET_MARK,
        "health": {"from": "unknown", "to": "ok"},
    }


def test_adapter_settings_are_compared_key_by_key_with_the_secret_ones_masked(secret_adapter):
    connection = ConnectionFactory(
        adapter_key=secret_adapter,
        adapter_settings={"tenant": "acme", "api_key": "apikey-old-1", "stray": "stray-old"},
    )
    after = _edited(
        connection,
        adapter_settings={
            "tenant": "books",
            "api_key": "apikey-new-2",
            "stray": "stray-new",
            "login": {"user": "u", "password": "pw-new"},
        },
    )

    changes = audit_diff(before=connection, after=after)

    assert changes == {
        "adapter_settings": {
            "tenant": {"from": "acme", "to": "books"},
            "api_key": SECRET_MARK,  # writeOnly in the schema
            "login": SECRET_MARK,  # holds a writeOnly member
            "stray": SECRET_MARK,  # not in the schema: cannot be classified, so not shown
        }
    }
    for value in ("apikey", "stray-", "pw-new"):
        assert value not in str(changes)


def test_settings_of_an_adapter_that_cannot_be_loaded_are_masked_whole():
    connection = ConnectionFactory(adapter_key="gone", adapter_settings={"tenant": "a"})
    after = _edited(connection, adapter_settings={"tenant": "b", "password": "pw-1"})
    assert audit_diff(before=connection, after=after) == {
        "adapter_settings": {"tenant": SECRET_MARK, "password": SECRET_MARK}
    }
