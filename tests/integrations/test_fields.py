"""Encrypted fields: secrets are stored as tokens, never in clear, and read back as text."""

import pytest

from integrations.models import Connection
from tests.factories import ConnectionFactory
from tests.integrations.conftest import raw_row

pytestmark = pytest.mark.django_db

SECRET = "plain-client-secret-4f9a"


def test_secrets_are_not_stored_in_clear():
    conn = ConnectionFactory(client_secret=SECRET, adapter_settings={"password": "erp-password-77"})
    row = raw_row(conn.pk)
    assert SECRET not in str(row)
    assert "erp-password-77" not in str(row)
    assert all(str(value).startswith("enc1:") for value in row.values())
    fresh = Connection.objects.get(pk=conn.pk)
    assert fresh.client_secret == SECRET
    assert fresh.adapter_settings == {"password": "erp-password-77"}
