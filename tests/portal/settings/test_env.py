"""Settings come from the environment; a bad value stops start-up with a clear message."""

import pytest
from cryptography.fernet import Fernet

from portal.settings.env import ConfigError, database_from_env, encryption_keys_from_env


def test_database_url_parsing(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal:pw@db.internal:5433/erp")
    config = database_from_env(default="sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "erp")


@pytest.mark.parametrize("url", ["mysql://x@y/z", "not a url", "postgres://host-only"])
def test_bad_database_url_names_the_variable(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        database_from_env(default="sqlite:///x")


def test_encryption_keys_are_a_list_newest_first(monkeypatch):
    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", ",".join(keys))
    assert encryption_keys_from_env(required=True, fallback=[]) == keys
    monkeypatch.setenv("FIELD_ENCRYPTION_KEYS", "not-a-key")
    with pytest.raises(ConfigError, match="key number 1"):
        encryption_keys_from_env(required=True, fallback=[])
