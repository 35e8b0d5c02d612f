"""Decryption: a value whose key was dropped from the keys fails loudly, naming the setting."""

import pytest
from cryptography.fernet import Fernet

from integrations.crypto import DecryptionError
from integrations.models import Connection
from tests.factories import ConnectionFactory

pytestmark = pytest.mark.django_db

SECRET = "plain-client-secret-4f9a"


def test_value_from_a_dropped_key_fails_loudly(settings):
    conn = ConnectionFactory(client_secret=SECRET)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError, match="FIELD_ENCRYPTION_KEYS"):
        Connection.objects.get(pk=conn.pk)
