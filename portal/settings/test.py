"""Test settings: fast password hashing, tasks never leave the process unless a test asks."""

from portal.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
PROCORE_SANDBOX_ENABLED = env.bool("PROCORE_SANDBOX_ENABLED", default=True)  # noqa: F405
