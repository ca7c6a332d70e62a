"""Settings for Fusion Patient Cases, read from the environment (see README, Configuration)."""

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from fusion.env import env_bool, env_cache, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "core",
    "fusion",
    "clinic",
    "accounts",
    "cases",
    "charts",
    "insurance",
    "scheduling",
    "importing",
    "portal",
    "messaging",
    # Before oauth2_provider, so that fhir's template of the consent page replaces its own.
    "fhir",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # HTML compressed (WhiteNoise serves static files precompressed). BREACH: Django masks the
    # CSRF token differently in every response and the middleware pads each gzip stream by a
    # random length (Django 4.2+, "Heal The Breach"), so the compressed size reveals no secret.
    "django.middleware.gzip.GZipMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.QueryStringGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.AbsoluteSessionLifetimeMiddleware",
    "core.middleware.PrivacyHeadersMiddleware",
    "core.middleware.ClinicScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that a locked-out login is answered before anything else looks at it.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fusion.urls"
WSGI_APPLICATION = "fusion.wsgi.application"

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
                "fusion.navigation.navigation",
                "csp.context_processors.nonce",
            ],
        },
    },
    {
        # The second engine, for the large grids only (core/jinja2.py says why); templates in
        # <app>/jinja2/<app>/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "core.jinja2.environment", "autoescape": True},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers are serialised: every transaction takes the write lock when it begins
    # (IMMEDIATE), so two requests that read then write wait for each other instead of one
    # failing with "database is locked" on its first write; WAL lets readers go on meanwhile.
    # This is what keeps bookings apart on SQLite, where there is no exclusion constraint.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The test database is a file too, not memory: the concurrency tests run writers in
    # parallel threads, which must wait for the write lock as they do in production (an
    # in-memory database shared between threads refuses them with "table is locked").
    # One file per test process, so two runs side by side never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": env_str(
            "SQLITE_TEST_DATABASE",
            str(Path(tempfile.gettempdir()) / f"fusion-test-{os.getpid()}.sqlite3"),
        )
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ClinicUserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (accounts/lockout.py): five failures for one e-mail from one address lock
# that pair out for 15 minutes; twenty from one address, whatever the e-mails, lock the address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
# Every log-in form (ours and Django admin's) posts the e-mail address as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# "Forgot your password?" (accounts/passwords.py): requests per client address an hour, and
# reset e-mails sent to one e-mail address an hour.
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 10, minimum=1)
PASSWORD_RESET_EMAIL_LIMIT = env_int("PASSWORD_RESET_EMAIL_LIMIT", 3, minimum=1)

# Idle timeout: the session cookie's age is renewed by every request, so it expires only after
# this many minutes without one.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# However active, a session ends this many hours after its log-in
# (core.middleware.AbsoluteSessionLifetimeMiddleware).
SESSION_ABSOLUTE_LIFETIME_HOURS = env_int("SESSION_ABSOLUTE_LIFETIME_HOURS", 12, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# App servers hold no state, so that any number of them can serve the same users behind a load
# balancer: sessions live in the database by default, the cache is named by CACHE_URL
# (redis://127.0.0.1:6379/0 shares it between servers; locmem:// is per process and only
# caches what may differ between processes). SESSION_STORE=cached_db reads sessions from that
# cache first (one query less a request) and still writes them to the database.
CACHES = {"default": env_cache("CACHE_URL", "locmem://")}
SESSION_STORE = env_choice("SESSION_STORE", "db", ["db", "cached_db"])
SESSION_ENGINE = f"django.contrib.sessions.backends.{SESSION_STORE}"
if SESSION_STORE != "db" and "locmem" in CACHES["default"]["BACKEND"].lower():
    raise ImproperlyConfigured(
        "SESSION_STORE=cached_db needs a cache every app server shares (CACHE_URL=redis://...): "
        "with locmem:// a log-out on one server would leave the session alive on the others."
    )

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("PLAIN_STATIC_STORAGE", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fusion Patient Cases <noreply@localhost>")
# An unreachable mail server fails the send (and the task retries) instead of hanging the worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
# How many times a failed e-mail is tried in all before it is left failed (see core/mail.py).
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5, minimum=1)

# Background work: tasks are rows in the database, run by `manage.py db_worker`.
# Where links in messages point (the worker has no request to take the host from).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# How often the worker's reminder clock looks for reminders that are due.
REMINDER_TICK_SECONDS = env_int("REMINDER_TICK_SECONDS", 60, minimum=5)

# Text messages (messaging.texts): the console by default; see the README for a provider.
TEXT_BACKEND = env_str("TEXT_BACKEND", "messaging.texts.ConsoleBackend")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
TWILIO_API_URL = env_str("TWILIO_API_URL", "https://api.twilio.com")
TEXT_TIMEOUT = env_int("TEXT_TIMEOUT", 15, minimum=1)
TEXT_MAX_ATTEMPTS = env_int("TEXT_MAX_ATTEMPTS", 4, minimum=1)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Password reset and invitation links (Django's signed token) expire after 72 hours; a link is
# also dead once the password it was issued against changes, so it works exactly once.
PASSWORD_RESET_TIMEOUT = 72 * 60 * 60

# Outside debug, cookies travel only over HTTPS and browsers are told to insist on it.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp 4): only our own files; no inline script or style (a
# script that must be inline carries ``nonce="{{ request.csp_nonce }}"``); Bootstrap's CSS
# draws its check marks and arrows with data: images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# OAuth2 for the FHIR API (fhir/, django-oauth-toolkit): the authorization code with PKCE for apps
# acting for a staff member, client credentials for a clinic's own back-end services; scopes in
# SMART v2 form (fhir/oauth.py). Clients are registered by a clinic's administrator under
# Admin > Basic Setup > Integrations, bound to that clinic.
OAUTH2_PROVIDER = {
    "PKCE_REQUIRED": True,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("FHIR_ACCESS_TOKEN_SECONDS", 3600, minimum=60),
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"] if DEBUG else ["https"],
    "SCOPES_BACKEND_CLASS": "fhir.oauth.SmartScopes",
    "OAUTH2_VALIDATOR_CLASS": "fhir.oauth.IntegrationValidator",
    # RFC 9700 (OAuth 2.0 Security Best Current Practice), the defaults of the toolkit's next
    # major version: no implicit or password grant, PKCE S256 only, tokens only in the
    # Authorization header, `iss` in the authorization response, tokens stored hashed, a
    # replayed refresh token revokes its whole family. `check --deploy` warns without them.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# Named here because fhir.Integration points at the (swappable) application model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
# Requests a minute each OAuth2 client may make of the FHIR API (fhir/ratelimit.py); over it the
# API answers 429 with Retry-After. Kept in the cache (CACHE_URL: shared by every app server
# when it is Redis, per process with locmem).
FHIR_RATE_LIMIT_PER_MINUTE = env_int("FHIR_RATE_LIMIT_PER_MINUTE", 600, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
