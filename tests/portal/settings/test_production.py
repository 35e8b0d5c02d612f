"""Production settings: missing or bad values stop start-up with a message, good ones pass
check --deploy."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[3]
GOOD_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "portal.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "portal.example.com",
    "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "DATABASE_URL": "sqlite:////tmp/erp-portal-settings-test.sqlite3",
}


def run_manage(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    # The suite sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright (tests/conftest.py); a production
    # process never has it, and `check --deploy` rightly warns when it is set.
    leave_out = {*GOOD_PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in leave_out}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_encryption_key_says_so_without_a_traceback():
    env = dict(GOOD_PRODUCTION_ENV, FIELD_ENCRYPTION_KEYS="")
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "Configuration error: FIELD_ENCRYPTION_KEYS: is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_database_url_says_so_without_a_traceback():
    env = dict(GOOD_PRODUCTION_ENV, DATABASE_URL="mysql://root@localhost/erp")
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert "Configuration error: DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = run_manage(GOOD_PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
