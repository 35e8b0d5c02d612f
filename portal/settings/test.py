"""Test settings: fast password hashing, tasks never leave the process unless a test asks.

pytest-django turns DEBUG off, so the local sandbox on loopback is allowed explicitly."""

from portal.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOG_LEVEL = "WARNING"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
PROCORE_SANDBOX_ENABLED = env.bool("PROCORE_SANDBOX_ENABLED", default=True)  # noqa: F405
PROCORE_ALLOW_LOOPBACK = env.bool("PROCORE_ALLOW_LOOPBACK", default=True)  # noqa: F405
