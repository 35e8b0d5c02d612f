"""Development and demo: everything from the environment, with safe local defaults."""

from portal.settings.base import *  # noqa: F403
