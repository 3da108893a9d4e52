"""The one settings module. Everything that differs between machines comes from the environment.

See README.md, "Configuration", for every variable.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from cno_app.env import (
    env_bool,
    env_list,
    env_lockout_parameters,
    env_origins,
    env_positive_int,
    env_rate,
    env_time_zone,
    parse_broker_url,
    parse_cache_url,
    parse_database_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CNO_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - never used with DEBUG off

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_origins("CSRF_TRUSTED_ORIGINS")
TIME_ZONE = env_time_zone("TIME_ZONE", "Europe/London")
USE_TZ = True
# The interface speaks English and German (README, "Languages"): a user's choice (saved with their account),
# else the language cookie, else the browser's Accept-Language. Date and number formats follow the language
# (cno_app/formats). The engine and its documents stay English.
LANGUAGE_CODE = "en-gb"
USE_I18N = True
LANGUAGES = [("en-gb", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["cno_app.formats"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

DATABASES = {"default": parse_database_url(os.environ.get("DATABASE_URL"), VAR_DIR / "cno.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Throttle counts are shared by every process only with a shared cache (Redis); unset: each process's memory.
CACHES = {"default": parse_cache_url(os.environ.get("CACHE_URL"))}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "patients",
    "exclusion",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cno_app.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files get neither a policy nor no-store (they carry no patient data).
    "csp.middleware.CSPMiddleware",
    "cno_app.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the account's (kept in the session at login), else the cookie, else Accept-Language.
    "patients.accounts.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "patients.audit.AuditActorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "patients.accounts.middleware.SessionLimitsMiddleware",
    "patients.accounts.middleware.OtpRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cno_app.urls"
WSGI_APPLICATION = "cno_app.wsgi.application"
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
                "exclusion.review.context_processors.review_nav",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Accounts (README, "Accounts and sign-in"): lockout after repeated failed logins (django-axes, kept in the
# database so that a site admin can list and lift them), a one-time password for site admins, the Django
# admin and sites that ask for it (django-otp), and sessions that end when idle and after a fixed time.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_positive_int("LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_positive_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = env_lockout_parameters("LOGIN_LOCKOUT_BY", "username+ip_address")
AXES_LOCKOUT_CALLABLE = "patients.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "patients.accounts.lockout.client_address"  # the client's, not the proxy's
OTP_TOTP_ISSUER = "CNO workbench"
SESSION_COOKIE_AGE = 60 * env_positive_int("SESSION_IDLE_MINUTES", 30)
SESSION_SAVE_EVERY_REQUEST = True  # the idle limit counts from the last request, not from login
SESSION_ABSOLUTE_SECONDS = 3600 * env_positive_int("SESSION_MAX_HOURS", 12)

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `make run` serve static files straight from the app directories.
WHITENOISE_USE_FINDERS = DEBUG or env_bool("WHITENOISE_USE_FINDERS", False)
# Looked up per request rather than listed when the middleware starts. WhiteNoise would otherwise follow
# settings.DEBUG, which the test runner turns off: every test client then re-listed every static file of
# every app (a third of a second per ten clients).
WHITENOISE_AUTOREFRESH = DEBUG

# Security: strict by default, relaxed only in DEBUG.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# X-Forwarded-Proto is believed only when a TLS proxy that overwrites it stands in front (README,
# "Deployment"): otherwise any client could claim https.
TRUSTED_PROXY = env_bool("TRUSTED_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check speaks plain HTTP inside the network
SECURE_HSTS_SECONDS = 0 if DEBUG else 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Every script and style comes from our static files: no inline code, no 'unsafe-inline' (django-csp 4).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features the workbench never uses (cno_app.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), midi=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), fullscreen=(self)"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 1_048_576  # 1 MiB: a case document is a few kB.
# The episode form with its 100 lesions (the contract's limit) of about 20 fields each, and the rest of the
# episode: Django's default of 1000 would refuse a legitimate form with a bare 400 before it is validated.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2500
# Registry jobs (imports and exports): private files, never served directly; an upload of at most 200 MB
# (a 100,000-row records.csv is about 60 MB). Uploads stream to disk, not memory.
REGISTRY_DIR = Path(os.environ.get("CNO_REGISTRY_DIR", VAR_DIR / "registry"))
# A running job that has reported no progress for this long has lost its worker (it reports every second
# or so); it is then marked failed with its report so far.
REGISTRY_JOB_STALE_SECONDS = int(os.environ.get("CNO_REGISTRY_JOB_STALE_SECONDS", "120"))
REGISTRY_IMPORT_MAX_BYTES = int(os.environ.get("CNO_REGISTRY_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

# Email (reviewers are told when a flag opens): the console in development, SMTP otherwise (EMAIL_HOST...).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cno-workbench@localhost")
# The absolute address of links in emails (a worker has no request): SITE_URL, else https://SITE_ADDRESS.
SITE_URL = os.environ.get("SITE_URL") or (
    f"https://{os.environ['SITE_ADDRESS']}"
    if os.environ.get("SITE_ADDRESS")
    else ("http://127.0.0.1:8000" if DEBUG else "https://localhost")
)

# Celery: without a broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = parse_broker_url(os.environ.get("CELERY_BROKER_URL"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A save must not hang when the broker is down: fail fast, the periodic sweep catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TIMEZONE = TIME_ZONE

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes DRF answer 401 (not 403) to anonymous requests.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cno_app.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anonymous requests are throttled before they are refused (DRF checks permissions before throttles).
    "DEFAULT_PERMISSION_CLASSES": [
        "cno_app.api.throttling.ThrottleAnonymousFirst",
        "rest_framework.permissions.IsAuthenticated",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, with DATA_UPLOAD_MAX_MEMORY_SIZE enforced (413): DRF bypasses Django's own check.
    "DEFAULT_PARSER_CLASSES": ["cno_app.api.parsers.LimitedJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "cno_app.api.throttling.TokenRateThrottle",
        "cno_app.api.throttling.AnonymousRateThrottle",  # counts once even after ThrottleAnonymousFirst
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_rate("API_RATE_PER_TOKEN", "600/minute"),
        "anon": env_rate("API_RATE_ANONYMOUS", "60/minute"),
    },
    # One error shape ({"errors": [{"path", "message"}]}); never a stack trace or SQL, even with DEBUG on.
    "EXCEPTION_HANDLER": "cno_app.api.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CNO/CRMO exclusion workbench API",
    "DESCRIPTION": (
        "Decision support, not diagnosis. Every record belongs to a site; you see only your sites' records "
        "(another site's record is a 404). Authenticate with `Authorization: Bearer <token>`. Every error is "
        '`{"errors": [{"path", "message"}]}`. See docs/api.md.'
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Two choice sets share the field name `status` (flags, registry jobs): name the jobs' apart.
    "ENUM_NAME_OVERRIDES": {
        "FlagStatusEnum": "exclusion.review.models.FlagStatus",
        "RegistryJobStatusEnum": "exclusion.registry.models.JobStatus",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "exclusion.workbench.api.openapi.add_contract_components",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # No row values of database errors in any log (cno_app.logging).
    "filters": {"scrub_db": {"()": "cno_app.logging.ScrubDatabaseErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub_db"]}
    },
    "loggers": {
        name: {"filters": ["scrub_db"]} for name in ("django.request", "cno_app.api", "celery.app.trace")
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
