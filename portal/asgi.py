"""ASGI entry point."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

from django.core.asgi import get_asgi_application

from portal.settings.env import ConfigError

try:
    application = get_asgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")
