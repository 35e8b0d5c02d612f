"""Encryption of secrets at rest with rotatable Fernet keys.

The first key of ``settings.FIELD_ENCRYPTION_KEYS`` encrypts; all of them decrypt. To rotate:
put a new key first, deploy, run ``manage.py rotate_encryption_keys``, then drop the old key.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "enc1:"


class DecryptionError(Exception):
    """A stored value cannot be decrypted with any configured key."""


@lru_cache(maxsize=8)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k) for k in keys])


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return PREFIX + _fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not in the encrypted format")
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError(
            "no key in FIELD_ENCRYPTION_KEYS decrypts this value (was a key dropped too early?)"
        ) from None


def rotate(stored: str) -> str:
    """Re-encrypt a stored value with the current (first) key."""
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not in the encrypted format")
    try:
        return PREFIX + _fernet().rotate(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise DecryptionError("no key in FIELD_ENCRYPTION_KEYS decrypts this value") from None
