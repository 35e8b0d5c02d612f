import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection as db

from integrations.crypto import DecryptionError
from integrations.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

SECRET = "plain-client-secret-4f9a"


def raw_row(pk: int) -> dict:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, client_secret, webhook_secret, adapter_settings "
            "FROM integrations_connection WHERE id = %s",
            [pk],
        )
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_secrets_are_not_stored_in_clear():
    conn = ConnectionFactory(client_secret=SECRET, adapter_settings={"password": "erp-password-77"})
    row = raw_row(conn.pk)
    assert SECRET not in str(row)
    assert "erp-password-77" not in str(row)
    assert all(str(value).startswith("enc1:") for value in row.values())
    fresh = Connection.objects.get(pk=conn.pk)
    assert fresh.client_secret == SECRET
    assert fresh.adapter_settings == {"password": "erp-password-77"}


def test_secret_decrypts_after_key_rotation_and_rotation_command(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    conn = ConnectionFactory(client_secret=SECRET)
    before = raw_row(conn.pk)["client_secret"]

    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Connection.objects.get(pk=conn.pk).client_secret == SECRET

    call_command("rotate_encryption_keys", verbosity=0)
    after = raw_row(conn.pk)["client_secret"]
    assert after != before

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is retired
    assert Connection.objects.get(pk=conn.pk).client_secret == SECRET


def test_value_from_a_dropped_key_fails_loudly(settings):
    conn = ConnectionFactory(client_secret=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        Connection.objects.get(pk=conn.pk)
