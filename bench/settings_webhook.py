"""Settings for bench/webhook_ingest.py: production settings plus a bare view to compare with."""

from portal.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls_webhook"
SECURE_SSL_REDIRECT = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
