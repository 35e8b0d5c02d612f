"""``manage.py rotate_encryption_keys``: every secret re-encrypted with the newest key."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

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
