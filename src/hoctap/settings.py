"""Settings for hoctap, read from the environment (see README.md for every variable)."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from hoctap.core.env import env_bool, env_int, env_list, env_str

# Lets admin and queryset classes be subscripted at run time, as the type checker wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SRC_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("HOCTAP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else a key kept in var/ for this installation."""
    key = env_str("SECRET_KEY", "")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        # Created owner-only from the first byte, not chmod-ed after writing.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hoctap.core",
    "hoctap.accounts",
    "hoctap.organisation",
    "hoctap.people",
    "hoctap.schemes",
    "hoctap.assessments",
    "hoctap.reports",
    "hoctap.transfer",
    "hoctap.audit",
    "hoctap.field",
    "hoctap.learning",
    "hoctap.recognition",
    "hoctap.guide",
    "hoctap.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "hoctap.core.middleware.RefuseNulCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hoctap.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hoctap.urls"
WSGI_APPLICATION = "hoctap.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hoctap.accounts.navigation.navigation",
            ],
        },
    },
]


def _databases() -> dict[str, Any]:
    """Build DATABASES from DATABASE_URL: SQLite (default) or PostgreSQL."""
    default_url = f"sqlite:///{VAR_DIR / 'hoctap.sqlite3'}"
    url = env_str("DATABASE_URL", default_url)
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=600))
    except Exception as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from None
    engine = config["ENGINE"]
    config["CONN_HEALTH_CHECKS"] = True
    if engine == "django.db.backends.sqlite3":
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers work during a write; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue instead of failing mid-transaction.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # A file, not shared-cache memory, so that concurrent writers in tests wait on the
        # lock exactly as they do in production instead of failing with "table is locked".
        config["TEST"] = {"NAME": str(VAR_DIR / f"test-hoctap-{os.getpid()}.sqlite3")}
    elif engine != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must start with sqlite:/// or postgres://")
    return {"default": config}


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# django-axes first: it refuses a locked-out account before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["hoctap.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from finders here; the folder only has to exist (it warns otherwise).
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
HOCTAP_GUIDE_DIR = BASE_DIR / "docs" / "guide" / "vi"
HOCTAP_GUIDE_SCREENSHOTS_DIR = BASE_DIR / "docs" / "screenshots"
# The guide's screenshots are static files under static/guide/, served and collected like the
# rest, so that a site served from collected files shows them too (ADR 0033).
STATICFILES_DIRS = [BASE_DIR / "static", ("guide", HOCTAP_GUIDE_SCREENSHOTS_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A deployment is served over HTTPS (HOCTAP_HTTPS=true): cookies travel only over TLS, plain
# HTTP is redirected, and browsers are told to come back over HTTPS for a year. The local demo
# (`make run`) and the test server speak plain HTTP on 127.0.0.1, so it is off by default, and
# `hoctap check --deploy --fail-level WARNING` fails until it is on.
HOCTAP_HTTPS = env_bool("HOCTAP_HTTPS", False)
SESSION_COOKIE_SECURE = HOCTAP_HTTPS
CSRF_COOKIE_SECURE = HOCTAP_HTTPS
SECURE_SSL_REDIRECT = HOCTAP_HTTPS
# Browsers only heed HSTS on HTTPS responses, and Django only sends it on those.
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 3600
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Permission to be listed in browsers' HSTS preload list; listing itself is a separate request.
SECURE_HSTS_PRELOAD = not DEBUG
# Behind a reverse proxy that ends TLS and sets X-Forwarded-Proto (HOCTAP_BEHIND_PROXY=true).
if env_bool("HOCTAP_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Everything comes from the app itself: no inline script, no third-party asset. Photos are
# shrunk on the phone from blob: URLs; QR codes and charts are inline SVG elements.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "blob:", "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

HOCTAP_PAGE_SIZE = env_int("HOCTAP_PAGE_SIZE", 25, minimum=1)
# Uploads above this size are refused (photos are shrunk on the phone before upload).
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"secrets": {"()": "hoctap.core.logs.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # PDF rendering narrates every step and glyph at INFO; only problems are worth a line.
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        # django-axes announces itself at every start; its sign-in failures are warnings.
        "axes.apps": {"level": "WARNING"},
        # Failed sign-ins are warnings and kept; every successful one is not worth a line.
        "axes.handlers": {"level": "WARNING"},
    },
}
HOCTAP_SCHEMES_DIR = Path(env_str("HOCTAP_SCHEMES_DIR", str(BASE_DIR / "schemes")))
HOCTAP_EVIDENCE_MAX_BYTES = env_int("HOCTAP_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
HOCTAP_IMPORT_MAX_ROWS = env_int("HOCTAP_IMPORT_MAX_ROWS", 500_000, minimum=1)
HOCTAP_IMPORT_MAX_BYTES = env_int("HOCTAP_IMPORT_MAX_BYTES", 200 * 1024 * 1024, minimum=1024)
# An .xlsx may not expand to more XML than this (zip bombs are refused before parsing).
HOCTAP_IMPORT_MAX_XML_BYTES = env_int(
    "HOCTAP_IMPORT_MAX_XML_BYTES", 1024 * 1024 * 1024, minimum=1024
)
# Imports above this many rows run as a background task (django-tasks, database backend:
# `hoctap serve` starts the worker; `hoctap db_worker` runs one on its own).
HOCTAP_IMPORT_BACKGROUND_ROWS = env_int("HOCTAP_IMPORT_BACKGROUND_ROWS", 2000, minimum=1)
# Uploads larger than this are checked by a background task too: a list of 500,000 people
# takes a minute to check, longer than a web request may wait. 1 MiB is about 14,000 rows
# of .xlsx or CSV, checked in about two seconds.
HOCTAP_IMPORT_BACKGROUND_CHECK_BYTES = env_int(
    "HOCTAP_IMPORT_BACKGROUND_CHECK_BYTES", 1024 * 1024, minimum=1
)
# Exports above this many rows are written by a background task and downloaded from the
# job's page (the file is kept 7 days: `hoctap purge-exports`); smaller ones stream at once.
HOCTAP_EXPORT_BACKGROUND_ROWS = env_int("HOCTAP_EXPORT_BACKGROUND_ROWS", 20_000, minimum=1)
TASKS = {
    "default": {
        "BACKEND": env_str("HOCTAP_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Signed backups (ADR 0030): the Ed25519 private key `hoctap backup` signs with (unset:
# var/backup_signing_key.pem, made at the first backup), and the public keys `hoctap restore`
# trusts besides the half of that key (comma-separated paths; several while keys rotate).
_signing_key = env_str("HOCTAP_BACKUP_SIGNING_KEY", "")
HOCTAP_BACKUP_SIGNING_KEY = Path(_signing_key) if _signing_key else None
HOCTAP_BACKUP_VERIFY_KEYS = [Path(p) for p in env_list("HOCTAP_BACKUP_VERIFY_KEYS", [])]

# Citizen self-service: how long a printed access code lasts, and how many wrong codes one
# address may try in a window before every attempt from it is refused until the window ends.
HOCTAP_ACCESS_CODE_DAYS = env_int("HOCTAP_ACCESS_CODE_DAYS", 60, minimum=1)
HOCTAP_ACCESS_CODE_ATTEMPTS = env_int("HOCTAP_ACCESS_CODE_ATTEMPTS", 10, minimum=1)
HOCTAP_ACCESS_CODE_WINDOW_MINUTES = env_int("HOCTAP_ACCESS_CODE_WINDOW_MINUTES", 15, minimum=1)

# Sign-in lockout (django-axes, ADR 0023): this many wrong passwords for one username, from any
# address, lock that account for the cool-off, whatever password comes next; a success resets
# the count. Attempts live in the database (no cache server here).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env_int("HOCTAP_LOGIN_FAILURE_LIMIT", 10, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HOCTAP_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# Attempts while locked do not restart the cool-off, so "try again in 15 minutes" holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "hoctap.accounts.lockout.lockout_response"
# Failures are kept (without the password); a row per successful sign-in is not.
AXES_DISABLE_ACCESS_LOG = True
# Failure log lines name the username and address (to spot an attack); the password is always
# masked, by django-axes itself.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# axes.W006 asks for the address as a lockout key; locking the account from any address is the
# point here (ADR 0023), and offices share one address behind their router.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Second factor (django-otp, TOTP): users holding one of these role codes (Role in
# accounts/models.py, comma-separated) must enrol and verify before any page opens.
HOCTAP_2FA_REQUIRED_ROLES = env_list("HOCTAP_2FA_REQUIRED_ROLES", [])
OTP_TOTP_ISSUER = "hoctap"

# Requests about personal data (Decree 356/2025/NĐ-CP): the person is answered within this
# many working days of the request, and the request is carried out within this many days.
HOCTAP_DATA_REQUEST_ANSWER_WORKING_DAYS = env_int(
    "HOCTAP_DATA_REQUEST_ANSWER_WORKING_DAYS", 2, minimum=1
)
HOCTAP_DATA_REQUEST_DAYS = env_int("HOCTAP_DATA_REQUEST_DAYS", 15, minimum=1)
# The version of the privacy notice read to people when they give consent at enrolment.
# The offline field app (ADR 0025): a village pack lives on the phone for this many days, and
# may hold at most this many people; photos are shrunk on the phone to this longest side and,
# by lowering the JPEG quality and then the size, to roughly this many bytes.
HOCTAP_PACK_DAYS = env_int("HOCTAP_PACK_DAYS", 14, minimum=1)
HOCTAP_PACK_MAX_PEOPLE = env_int("HOCTAP_PACK_MAX_PEOPLE", 3000, minimum=1)
HOCTAP_PACK_CHOICES = env_int("HOCTAP_PACK_CHOICES", 500, minimum=1)
HOCTAP_PHOTO_MAX_SIDE = env_int("HOCTAP_PHOTO_MAX_SIDE", 1600, minimum=200)
HOCTAP_PHOTO_MAX_BYTES = env_int("HOCTAP_PHOTO_MAX_BYTES", 500_000, minimum=20_000)
HOCTAP_PRIVACY_NOTICE_VERSION = env_str("HOCTAP_PRIVACY_NOTICE_VERSION", "2026-01")
