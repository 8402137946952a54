"""One settings module, driven by the environment.

Defaults give a safe local development setup on SQLite. Set ``BUURTBASIS_ENV=production``
for the hardened settings (``manage.py check --deploy`` passes with no warnings).
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("BUURTBASIS_VAR_DIR", PROJECT_DIR / "var"))

ENV = os.environ.get("BUURTBASIS_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = os.environ.get("DJANGO_DEBUG", "0" if PRODUCTION else "1") == "1"

_DEV_KEY = "dev-only-insecure-key-do-not-use-in-production-3f9a7c1e8b2d4f6a"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _DEV_KEY)
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when BUURTBASIS_ENV=production")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    # No admin autodiscover: django-leaflet's admin module needs GDAL, which we do not use.
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "leaflet",
    "csp",
    "buurtbasis.core",
    "buurtbasis.areas",
    "buurtbasis.accounts",
    "buurtbasis.ledger",
    "buurtbasis.budgets",
    "buurtbasis.initiatives",
    "buurtbasis.mutualhelp",
    "buurtbasis.places",
    "buurtbasis.wijkbeeld",
    "buurtbasis.agenda",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "buurtbasis.core.middleware.RequestOriginMiddleware",
]

ROOT_URLCONF = "buurtbasis.urls"
WSGI_APPLICATION = "buurtbasis.wsgi.application"

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
                "csp.context_processors.nonce",
                "buurtbasis.core.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (no server needed); PostgreSQL through DATABASE_URL.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", VAR_DIR / "buurtbasis.sqlite3"))
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # Writers take the lock at BEGIN, so concurrent writers queue instead of
                # failing half-way with "database is locked".
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
            "TEST": {"NAME": os.environ.get("SQLITE_TEST_PATH") or None},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "sesame.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One-time sign-in links (django-sesame): valid for 15 minutes, usable once.
SESAME_MAX_AGE = 15 * 60
SESAME_ONE_TIME = True
SESAME_TOKEN_NAME = "sesame"  # noqa: S105 (a URL parameter name, not a secret)

# --- Cache and rate limits --------------------------------------------------------------------
# Rate limits need a cache shared by all processes; the database cache needs no extra server.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "buurtbasis_cache",
        }
    }
RATELIMIT_VIEW = "buurtbasis.core.views.ratelimited"
SILENCED_SYSTEM_CHECKS: list[str] = []

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
# The project's own CSS and JavaScript (src/buurtbasis/static); apps keep theirs in <app>/static.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", PROJECT_DIR / "staticfiles"))
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
# The public address of the site, used in links in e-mails sent outside a request (digests).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Buurtbasis <noreply@buurtbasis.local>")

# --- Maps -------------------------------------------------------------------------------------
# The background layer is a setting: PDOK's BRT-achtergrondkaart in production, none offline.
# Boundaries are drawn as vectors, so maps stay useful without tiles.
MAP_TILES_URL = os.environ.get("MAP_TILES_URL", "")
MAP_TILES_ATTRIBUTION = os.environ.get(
    "MAP_TILES_ATTRIBUTION", "Kaartgegevens &copy; Kadaster (PDOK BRT-Achtergrondkaart)"
)
# django-leaflet is installed only for the Leaflet files it ships (leaflet/leaflet.js and .css,
# served as static files); its template tags and LEAFLET_CONFIG are not used: our own
# buurtbasis/js/map.js draws the maps from data attributes (strict CSP, no inline scripts). See
# docs/architecture.md, "Maps".

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

_img_src = [SELF, "data:"]
if MAP_TILES_URL:
    from urllib.parse import urlsplit

    _tiles = urlsplit(MAP_TILES_URL.replace("{s}", "a"))
    _img_src.append(f"{_tiles.scheme}://{_tiles.netloc}")
# Strict CSP: no unsafe-inline / unsafe-eval; inline scripts carry a per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": _img_src,
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Domain settings --------------------------------------------------------------------------


def _percent_bp(variable: str, default: str) -> int:
    """A percentage from the environment (``25`` or ``12.5``) as basis points, 0–100 %."""
    text = os.environ.get(variable, default).strip().replace(",", ".")
    try:
        bp = Decimal(text) * 100
    except InvalidOperation:
        raise RuntimeError(f"{variable} must be a percentage, e.g. 25") from None
    if bp != bp.to_integral_value() or not 0 <= bp <= 10_000:
        raise RuntimeError(f"{variable} must be a percentage from 0 to 100 (at most 2 decimals)")
    return int(bp)


def _whole_number(variable: str, default: str) -> int:
    text = os.environ.get(variable, default).strip()
    if not text.isdigit():
        raise RuntimeError(f"{variable} must be a whole number of 0 or more")
    return int(text)


BUURTBASIS = {
    # Every sensitive read or change is written to the audit log.
    "AUDIT_ORIGIN_HEADER": "REMOTE_ADDR",
    # Password sign-in attempts per IP/e-mail before a pause.
    "LOGIN_RATE": os.environ.get("BUURTBASIS_LOGIN_RATE", "10/15m"),
    # Neighbourhood budgets: the least share (basis points, 2500 = 25 %) of every district budget
    # for the organisational support of residents' organisations. A framework may ask more,
    # never less.
    "MIN_SUPPORT_SHARE_BP": _percent_bp("BUURTBASIS_MIN_SUPPORT_SHARE", "25"),
    # Months of notice to end a multi-year commitment; it ends at the first year end after.
    "COMMITMENT_NOTICE_MONTHS": _whole_number("BUURTBASIS_COMMITMENT_NOTICE_MONTHS", "3"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
