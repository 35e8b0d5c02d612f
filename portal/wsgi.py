"""WSGI entry point (gunicorn portal.wsgi)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

from django.core.wsgi import get_wsgi_application

from portal.settings.env import ConfigError

try:
    application = get_wsgi_application()
except ConfigError as exc:
    sys.exit(f"Configuration error: {exc}")
