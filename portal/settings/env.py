"""Reading the environment, with errors a person can act on.

Settings modules call these helpers instead of django-environ directly so that a bad
value stops start-up with one line naming the variable, not a traceback from deep in Django.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_DB_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql", "psql"}


class ConfigError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem}")


def database_from_env(default: str) -> dict:
    """Parse ``DATABASE_URL``; only SQLite and PostgreSQL are supported."""
    url = env.str("DATABASE_URL", default=default)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in _DB_SCHEMES:
        raise ConfigError(
            "DATABASE_URL",
            f"{url!r} is not a database URL this portal supports; use "
            "sqlite:///path/to/db.sqlite3 or postgres://user:password@host:5432/name",
        )
    config = environ.Env.db_url_config(url)
    if scheme != "sqlite" and not config.get("NAME"):
        raise ConfigError("DATABASE_URL", f"{url!r} names no database (add /<name> at the end)")
    return config


def encryption_keys_from_env(*, required: bool, fallback: list[str]) -> list[str]:
    """Read ``FIELD_ENCRYPTION_KEYS``: comma-separated Fernet keys, newest first.

    The first key encrypts; every key decrypts, so a new key is put in front and the old
    ones stay until ``rotate_encryption_keys`` has re-encrypted every row.
    """
    from cryptography.fernet import Fernet

    raw = env.list("FIELD_ENCRYPTION_KEYS", default=[])
    keys = [k.strip() for k in raw if k.strip()]
    if not keys:
        if required:
            raise ConfigError(
                "FIELD_ENCRYPTION_KEYS",
                'is not set. Generate a key with `python -c "from cryptography.fernet import '
                'Fernet; print(Fernet.generate_key().decode())"` and set it (comma-separated, '
                "newest first, to rotate).",
            )
        return fallback
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigError(
                "FIELD_ENCRYPTION_KEYS",
                f"key number {position} is not a valid Fernet key (32 url-safe base64 bytes)",
            ) from None
    return keys
