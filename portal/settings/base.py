"""Settings shared by every environment; every value that differs between machines comes from
the environment (see the table in README.md)."""

from __future__ import annotations

from datetime import timedelta

from portal.settings.env import (
    BASE_DIR,
    database_from_env,
    encryption_keys_from_env,
    env,
)

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Public base URL of this portal, used to print webhook URLs for Procore.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Our webhook hooks' namespace in Procore (lowercase, digits, dashes); one per deployment.
PROCORE_WEBHOOK_NAMESPACE = env.str("PROCORE_WEBHOOK_NAMESPACE", default="erp-portal")
# Where a connection may send its Procore credentials besides Procore's own hosts
# (integrations/procore/destinations.py): hosts an operator names (HTTPS only), and loopback
# (the local sandbox) when DEBUG or PROCORE_ALLOW_LOOPBACK is on.
PROCORE_ALLOWED_CUSTOM_HOSTS = [
    h.strip().lower() for h in env.list("PROCORE_ALLOWED_CUSTOM_HOSTS", default=[]) if h.strip()
]
PROCORE_ALLOW_LOOPBACK = env.bool("PROCORE_ALLOW_LOOPBACK", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django.contrib.postgres",  # trigram indexes for the admin's search (PostgreSQL only)
    "rest_framework",
    "django_json_schema_editor",  # json-editor and its Django theme, served from the package
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from the package (offline)
    "django_q",
    "integrations",
    "erp_adapters",
    "erp_adapters.demo",
    "erp_adapters.files",
    "procore_sandbox",
    "selfservice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed two-factor (selfservice/access.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (web, worker, sandbox) share the demo's SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Sign-in (selfservice/): members of a company sign in at /accounts/login/; support staff still
# use /admin/. The axes backend comes first so that a locked-out username is refused before its
# password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "selfservice:login"
LOGIN_REDIRECT_URL = "selfservice:home"
LOGOUT_REDIRECT_URL = "selfservice:login"
# Lockout (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins for one user name (from any
# address, so spreading guesses over many machines does not help), or from one address (for any
# user names), further sign-ins of that name, or from that address, are refused for
# LOGIN_LOCKOUT_MINUTES. A successful sign-in clears the count. Applies to /admin/ too.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "selfservice/account/locked.html"
AXES_VERBOSE = False
# Two-factor sign-in (django-otp, TOTP): required of company admins (selfservice/access.py).
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="ERP portal")
# Support staff may remove a lost authenticator in the admin (the person sets up a new one at
# their next sign-in), but no page shows a device's key or its QR code, whatever the permission.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Password reset and invitations: printed on the console in development; production reads
# EMAIL_URL (smtp+tls://user:password@host:587).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ERP portal <portal@localhost>")
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # an invitation's set-password link lasts three days

# Secrets at rest: Fernet keys, newest first. Development and tests fall back to a fixed
# key so that `make demo` needs no set-up; production refuses to start without one.
FIELD_ENCRYPTION_KEYS = encryption_keys_from_env(
    required=False, fallback=["m2Yx8pVYoG3lBqHn2c0N3kK2yqv0w6Jg7pWbq2lXz9E="]
)

# Task queue: django-q2 with Redis when REDIS_URL is set, else its ORM broker (no server needed).
REDIS_URL = env.str("REDIS_URL", default="")
Q_CLUSTER = {
    "name": "erp-portal",
    "workers": env.int("Q_WORKERS", default=2),
    # A first import of 100,000 objects against the real Procore can take many minutes; a run
    # that is still killed resumes from its last committed batch (SyncRun lease).
    "timeout": env.int("Q_TIMEOUT_SECONDS", default=1800),
    "retry": env.int("Q_TIMEOUT_SECONDS", default=1800) + 60,
    "max_attempts": 1,  # our own rows decide retries; see STYLE.md "Our rows are the record of truth"
    "catch_up": False,
    "ack_failures": True,
    "save_limit": 1000,
    "label": "Task queue",
}
# Work rows (integrations/services/leases.py, work.py): how long a worker holds one without
# renewing, and when a unit of work that keeps failing becomes a dead letter.
WORK_LEASE_SECONDS = env.int("WORK_LEASE_SECONDS", default=20)
WORK_MAX_ATTEMPTS = env.int("WORK_MAX_ATTEMPTS", default=8)
WORK_MAX_AGE_HOURS = env.int("WORK_MAX_AGE_HOURS", default=24)
WORK_BACKOFF_BASE_SECONDS = env.int("WORK_BACKOFF_BASE_SECONDS", default=15)
# How long the ledgers keep what they hold (integrations/services/retention.py), in days.
RETENTION_EVENTS_DAYS = env.int("RETENTION_EVENTS_DAYS", default=90)
RETENTION_API_ATTEMPTS_DAYS = env.int("RETENTION_API_ATTEMPTS_DAYS", default=30)
RETENTION_AUDIT_DAYS = env.int("RETENTION_AUDIT_DAYS", default=365)
# Circuit breakers (integrations/breakers.py), per company's Procore and per company's ERP.
BREAKER_THRESHOLD = env.int("BREAKER_THRESHOLD", default=5)
BREAKER_COOLDOWN_SECONDS = env.int("BREAKER_COOLDOWN_SECONDS", default=30)
BREAKER_MAX_COOLDOWN_SECONDS = env.int("BREAKER_MAX_COOLDOWN_SECONDS", default=600)

if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI schema of the API for scripts (/api/v1/schema/), its docs at /api/v1/docs/.
SPECTACULAR_SETTINGS = {
    "TITLE": "ERP integration portal API",
    "DESCRIPTION": (
        "For scripts: each company's ERP requests, import runs, objects, health and metadata "
        "versions, and the actions a company admin can take (retry, run an import, publish "
        "metadata). Authenticate with a personal API token: `Authorization: Bearer erp_…`. "
        "Another company's anything answers 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["integrations.api.v1.schema.only_api_v1"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WorkStateEnum": "integrations.models.erp_requests.WorkState",
        "SyncRunStateEnum": "integrations.models.SyncRun.State",
        "ObjectStateEnum": "integrations.models.ObjectLink.State",
        "DetailStatusEnum": "integrations.models.ERPRequestDetail.Status",
    },
}

# The local Procore (procore_sandbox/, docs/sandbox.md): its URLs are mounted only when enabled;
# on in dev and test settings. PROCORE_SANDBOX overrides the knobs of procore_sandbox/conf.py.
PROCORE_SANDBOX_ENABLED = env.bool("PROCORE_SANDBOX_ENABLED", default=False)
PROCORE_SANDBOX: dict = {}

LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "filters": {"redact": {"()": "portal.logging.RedactSecretsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Their DEBUG lines print token request bodies (client secret) and tokens.
        "requests_oauthlib": {"level": "INFO"},
        "oauthlib": {"level": "INFO"},
    },
}
