"""Development and demo: everything from the environment, with safe local defaults."""

from portal.settings.base import *  # noqa: F403

PROCORE_SANDBOX_ENABLED = env.bool("PROCORE_SANDBOX_ENABLED", default=True)  # noqa: F405
