"""``manage.py rotate_encryption_keys``: every secret re-encrypted with the newest key."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.utils import timezone

from integrations.models import Connection
from tests.factories import ConnectionFactory
from tests.integrations.conftest import raw_row

pytestmark = pytest.mark.django_db

SECRET = "plain-client-secret-4f9a"


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


def test_rotation_is_not_a_change_of_the_secrets(settings):
    """Pages say when a secret last changed; re-encrypting it changes nothing a person set."""
    conn = ConnectionFactory(client_secret=SECRET, access_token="tok-1")
    stamped = timezone.now() - timedelta(days=3)
    Connection.objects.filter(pk=conn.pk).update(
        **{f"{name}_changed_at": stamped for name in Connection.SECRET_TEXT_FIELDS},
        adapter_secrets_changed_at={"api_key": stamped.isoformat()},
    )
    before = Connection.objects.filter(pk=conn.pk).values().get()
    stored = raw_row(conn.pk)["client_secret"]
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    call_command("rotate_encryption_keys", verbosity=0)

    assert raw_row(conn.pk)["client_secret"] != stored  # re-encrypted
    after = Connection.objects.filter(pk=conn.pk).values().get()
    assert after == before  # same plaintexts, same times, same updated_at
