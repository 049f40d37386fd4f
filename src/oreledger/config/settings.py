"""Settings for every deployment mode, read from the environment (see README, Configuration)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from oreledger.config.env import Env, debug_mode

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env.str("OL_HOME", str(Path.cwd())))
VAR_DIR = Path(env.str("OL_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# embedded: one machine, SQLite, one command; production: PostgreSQL behind a proxy.
OL_MODE = env.str("OL_MODE", "embedded", choices=("embedded", "production"))
PRODUCTION = OL_MODE == "production"
# standalone: one platform; hub: the province; node: a county sub-platform.
OL_NODE_ROLE = env.str("OL_NODE_ROLE", "standalone", choices=("standalone", "hub", "node"))
OL_NODE_CODE = env.str("OL_NODE_CODE", "210000")
if not (OL_NODE_CODE.isdigit() and len(OL_NODE_CODE) in (6, 9, 12)):
    raise ImproperlyConfigured(f"OL_NODE_CODE={OL_NODE_CODE!r} is not a GB/T 2260 region code")
# A node's hub (docs/specs/federation-protocol.md, "Setting up"): its base URL and secret file.
OL_HUB_URL = env.str("OL_HUB_URL", "")
OL_HUB_SECRET_FILE = env.str("OL_HUB_SECRET_FILE", "")

DEBUG = debug_mode(env, production=PRODUCTION)


def _secret_key() -> str:
    configured = env.optional_str("SECRET_KEY")
    if configured:
        if PRODUCTION and len(configured) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters in production")
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when OL_MODE=production")
    # Embedded mode keeps a generated key beside its database so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


# The ledger key's file when it is not given in the environment (carried by `oreledger backup`).
OL_LEDGER_KEY_FILE = Path(env.str("OL_LEDGER_KEY_FILE", str(VAR_DIR / "ledger_key")))


def _ledger_key() -> str:
    # Signs the daily chain-head checkpoints (core.checkpoints). Like the secrets key it never
    # enters the database: from the environment, or a file kept beside it (back it up with it).
    configured = env.optional_str("OL_LEDGER_KEY")
    if configured:
        return configured
    key_file = OL_LEDGER_KEY_FILE
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return key_file.read_text().strip()


OL_LEDGER_KEY = _ledger_key()
# Where the daily signed chain-head checkpoints are written (core.checkpoints).
OL_CHECKPOINT_DIR = Path(env.str("OL_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints")))
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when OL_MODE=production")
# A wildcard would answer any Host header, so links in mails and password resets could be
# made to point elsewhere; production names its hosts.
if PRODUCTION and any(host == "*" for host in ALLOWED_HOSTS):
    raise ImproperlyConfigured("ALLOWED_HOSTS must not be * when OL_MODE=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "oreledger.core.error_pages.form_expired"

INSTALLED_APPS = [
    # oreledger's apps come first so that their translations and templates take precedence.
    "oreledger.core",
    "oreledger.accounts",
    "oreledger.registry",
    "oreledger.grading",
    "oreledger.quotas",
    "oreledger.trade",
    "oreledger.weighing",
    "oreledger.alerts",
    "oreledger.inspections",
    "oreledger.dashboards",
    "oreledger.appeals",
    "oreledger.worklist",
    "oreledger.assessment",
    "oreledger.briefings",
    "oreledger.public",
    "oreledger.federation",
    "oreledger.demo",
    "oreledger.simulator",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "oreledger.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "oreledger.config.urls"
WSGI_APPLICATION = "oreledger.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oreledger.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.database("DATABASE_URL", VAR_DIR / "oreledger.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Length, common/breached passwords and reuse follow the province's policy (accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "oreledger.accounts.passwords.ProvincePasswordPolicy"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Officials (province, county, departments, leaders) and administrators must sign in with a
# TOTP code as well as their password; enterprise users may choose to. Off only for a
# developer's machine or the test suite (docs/reference/sign-in.md).
OL_REQUIRE_SECOND_FACTOR = env.bool("OL_REQUIRE_SECOND_FACTOR", True)
# API tokens end after this many days unless their owner picks an earlier day.
OL_API_TOKEN_MAX_DAYS = env.int("OL_API_TOKEN_MAX_DAYS", 365, minimum=1)
# Login throttling: this many failures for one username or one address inside the window lock
# further attempts until the window passes.
OL_LOGIN_MAX_FAILURES = env.int("OL_LOGIN_MAX_FAILURES", 5, minimum=1)
OL_LOGIN_WINDOW_SECONDS = env.int("OL_LOGIN_WINDOW_SECONDS", 900, minimum=1)

# Nightly backups (`oreledger backup`, scheduled by `oreledger serve`): written to
# OL_BACKUP_DIR when a passphrase is set, archives older than OL_BACKUP_KEEP_DAYS deleted.
OL_BACKUP_DIR = Path(env.str("OL_BACKUP_DIR", str(VAR_DIR / "backups")))
OL_BACKUP_KEEP_DAYS = env.int("OL_BACKUP_KEEP_DAYS", 14, minimum=1)

# Uploaded photos, evidence and attachments (core.uploads): at most this size each.
OL_UPLOAD_MAX_BYTES = env.int("OL_UPLOAD_MAX_MB", 10, minimum=1) * 1024 * 1024

# A list export of more rows than this is written by a background job (progress page, then
# a download link); smaller ones are answered at once. Finished files are kept this long.
OL_EXPORT_SYNC_ROWS = env.int("OL_EXPORT_SYNC_ROWS", 2000, minimum=0)
OL_EXPORT_KEEP_HOURS = env.int("OL_EXPORT_KEEP_HOURS", 24, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# One numeric date-time form in both languages (core.formats is the same in Python).
FORMAT_MODULE_PATH = ["oreledger.config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
NODE_MODULES = Path(env.str("OL_NODE_MODULES", str(BASE_DIR / "node_modules")))
# Front-end libraries come from npm (package.json + lock file), never copied into the repo.
STATICFILES_DIRS = [
    (prefix, NODE_MODULES / path)
    for prefix, path in (
        ("vendor/echarts", "echarts/dist"),
        ("vendor/leaflet", "leaflet/dist"),
        ("vendor/swagger-ui", "swagger-ui-dist"),
    )
    if (NODE_MODULES / path).is_dir()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = not PRODUCTION

# Security headers; production adds HTTPS-only cookies and HSTS (check --deploy clean).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("OL_SESSION_SECONDS", 8 * 3600, minimum=300)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env.bool("OL_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "oreledger.accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "oreledger.core.api.pagination.PagePagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "oreledger.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["oreledger.core.api.throttling.TokenRateLimit"],
    # Every list filters, orders and refuses unknown query parameters the same way.
    "DEFAULT_FILTER_BACKENDS": [
        "oreledger.core.api.filtering.ListFilterBackend",
        "oreledger.core.api.filtering.DeclaredOrdering",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "oreledger API",
    "DESCRIPTION": "The provincial mineral ledger: registry, quotas, trade, weighing, alerts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from npm (swagger-ui-dist) through static files; the split view keeps CSP strict.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # Routes that answer with and without a trailing slash are documented once.
    "PREPROCESSING_HOOKS": ["oreledger.core.api.schema.drop_trailing_slash_twins"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "oreledger.core.api.schema.document_query_refusals",
        "oreledger.core.api.schema.document_refusals",
    ],
    # Many records have a "status"; each vocabulary gets its own component name (approval
    # decisions of quota changes and ticket corrections share one: pending/approved/rejected).
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"oreledger.{app}.choices.{name}"
        for app, name in (
            ("alerts", "AlertStatus"),
            ("alerts", "CaseStatus"),
            ("briefings", "BriefingStatus"),
            ("appeals", "AppealStatus"),
            ("inspections", "CampaignStatus"),
            ("inspections", "OrderStatus"),
            ("trade", "BidStatus"),
            ("trade", "ContractStatus"),
            ("trade", "ListingStatus"),
            ("quotas", "ChangeStatus"),
            ("quotas", "PeriodStatus"),
            ("weighing", "WaybillStatus"),
            ("registry", "OperatingStatus"),
            ("registry", "PermitStatus"),
            ("registry", "VehicleStatus"),
        )
    },
}

# An unset choice filter reads "All" (django-filter's default is a row of dashes).
FILTERS_EMPTY_CHOICE_LABEL = _("All")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "scheduled"],
    }
}
# A running job whose worker has not beaten its heart for this long is given back to the queue.
OL_WORKER_LEASE_SECONDS = env.int("OL_WORKER_LEASE_SECONDS", 60, minimum=5)
OL_JOB_MAX_ATTEMPTS = env.int("OL_JOB_MAX_ATTEMPTS", 3, minimum=1)

# A listing over the mine's remaining quota (minus open contracts and listings): refused
# ("block") or accepted with a warning ("warn").
OL_TRADE_LISTING_QUOTA_CHECK = env.str(
    "OL_TRADE_LISTING_QUOTA_CHECK", "block", choices=("block", "warn")
)

# The public portal (oreledger.public): requests per client address per window (counted in
# the database, so shared by every worker), and how long each process keeps its answers.
OL_PUBLIC_RATE_LIMIT = env.int("OL_PUBLIC_RATE_LIMIT", 120, minimum=1)
OL_PUBLIC_RATE_WINDOW_SECONDS = env.int("OL_PUBLIC_RATE_WINDOW_SECONDS", 60, minimum=1)
OL_PUBLIC_CACHE_SECONDS = env.int("OL_PUBLIC_CACHE_SECONDS", 300, minimum=0)

# Rate limits (oreledger.core.ratelimits; counted in the database, so shared by every web
# process): requests per window for one station, for one address speaking the station
# protocol, and for one API token. Beyond them: 429 with Retry-After. The reasoning behind
# the numbers is in docs/specs/api-essentials.md ("Rate limits").
OL_RATE_STATION_LIMIT = env.int("OL_RATE_STATION_LIMIT", 600, minimum=1)
OL_RATE_STATION_WINDOW_SECONDS = env.int("OL_RATE_STATION_WINDOW_SECONDS", 60, minimum=1)
OL_RATE_STATION_ADDRESS_LIMIT = env.int("OL_RATE_STATION_ADDRESS_LIMIT", 6000, minimum=1)
OL_RATE_STATION_ADDRESS_WINDOW_SECONDS = env.int(
    "OL_RATE_STATION_ADDRESS_WINDOW_SECONDS", 60, minimum=1
)
OL_RATE_TOKEN_LIMIT = env.int("OL_RATE_TOKEN_LIMIT", 600, minimum=1)
OL_RATE_TOKEN_WINDOW_SECONDS = env.int("OL_RATE_TOKEN_WINDOW_SECONDS", 60, minimum=1)

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Per process on purpose: the portal's answers are the same for everyone and cheap to redo.
    "public": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "public",
        "TIMEOUT": OL_PUBLIC_CACHE_SECONDS,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"refusals": {"()": "oreledger.core.error_pages.RefusalWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("OL_LOG_LEVEL", "INFO")},
    # One line per job would drown the console of `oreledger demo`; failures still show.
    # WeasyPrint logs every typesetting step at INFO; its warnings (a missing glyph) still show.
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "django.request": {"filters": ["refusals"]},
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

OL_SITE_NAME = _("oreledger — provincial mineral ledger")
