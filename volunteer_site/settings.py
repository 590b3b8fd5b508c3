"""Settings for the volunteer service team site.

Everything a deployment may change is an environment variable, read once here
through the typed helpers in ``volunteer_site.env`` (a bad value stops start-up
with a message naming the variable). The defaults are the *embedded* set-up that
``make run`` uses: an SQLite file and Celery tasks run in-process. The README
lists every variable.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from volunteer_site.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DJANGO_DEBUG-on"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "volunteer_site.apps.VolunteerSiteConfig",
    # The foundation first, each app above the ones before it (docs: README § Layout).
    "teams",
    "members",
    "activities",
    "compliance",
    # Star volunteers (星级志愿者, issue 16): levels written with the figures.
    "stars",
    "records",
    # Planned activities and recurring duties (issue 17): occurrences ahead, no figures.
    "planning",
    "signups",
    "attendance",
    "rosters",
    "dashboard",
    "profiles",
    "regions",
    # Members' logins, password reset by e-mail (issue 15).
    "accounts",
    "applications",
    "directory",
    # Service-record certificates that can be verified (issue 16).
    "certificates",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body, the session or the user: an oversized body
    # (413) or a NUL character (400) is refused here (volunteer_site/middleware.py).
    "volunteer_site.middleware.RequestSizeLimitMiddleware",
    "volunteer_site.middleware.RefuseNulMiddleware",
    # Django's, but a database connection lost at the session's save keeps the
    # view's answer; a connection lost in the view gets the "try again" page.
    "volunteer_site.db_faults.SessionMiddleware",
    "volunteer_site.db_faults.DatabaseFaultMiddleware",
    "volunteer_site.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A user whose password others know goes to the password-change page first.
    "volunteer_site.accounts.PasswordChangeRequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "volunteer_site.audit.AuditMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "volunteer_site.urls"
WSGI_APPLICATION = "volunteer_site.wsgi.application"

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
                "django.template.context_processors.i18n",
                "teams.context_processors.user_roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# PostgreSQL in production (persistent connections, checked before reuse);
# an SQLite file in the project folder by default.
CONN_MAX_AGE = env_int("DJANGO_CONN_MAX_AGE", 60, minimum=0)
# A database host that is down gets a request the "try again" page (and /healthz
# its answer) within this many seconds instead of holding a web worker for
# minutes; libpq's smallest value is 2.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 2, minimum=2)
DATABASES = {
    "default": env_database(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=CONN_MAX_AGE,
        connect_timeout=DATABASE_CONNECT_TIMEOUT,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------
# A Redis that is down or hung gives up within this many seconds: the shared
# cache here, the broker and the result store (Celery, below).
REDIS_FAULT_SECONDS = 2
CACHE_URL = env_url("CACHE_URL", ("redis", "rediss"))
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # A Redis that hangs costs a request REDIS_FAULT_SECONDS, not forever: every
            # cache use is optional (a stored profile, the recompute's coalescing).
            "OPTIONS": {
                "socket_connect_timeout": REDIS_FAULT_SECONDS,
                "socket_timeout": REDIS_FAULT_SECONDS,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The public profile reads its team's state from the database at most this often per
# process (profiles/cache.py): a change shows on the stored page within it.
PROFILE_STATE_SECONDS = 1.0

# --- Authentication ---------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's, with a message its Chinese catalogue has.
        "NAME": "volunteer_site.accounts.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out users before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A printed one-time password typed in full-width letters or lower case (accounts/).
    "accounts.backends.OneTimeCodeBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock a user name, and separately an address, after repeated failures
# (graded protection level 2); unlock after the cool-off or by an admin
# (Django admin → Axes → access attempts, or `manage.py axes_reset`).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "volunteer_site.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# The visitor's address, for lock-outs and the audit log alike: one function
# (volunteer_site.audit.client_ip, through django-ipware and the IPWARE_ settings below).
AXES_CLIENT_IP_CALLABLE = "volunteer_site.audit.client_ip"

# DJANGO_BEHIND_PROXY: the site sits behind one reverse proxy (the office's HTTPS
# proxy). Every request then comes from the proxy's address; the proxy appends the
# address it saw to X-Forwarded-For, so the last entry is the visitor's, and any
# entries before it are what the visitor claimed (not trusted). django-ipware counts
# the proxies *listed in* the header: ours is the connection itself, so 0 of them,
# and the last entry is taken however many the visitor added (not strict).
# Without the proxy, X-Forwarded-For is the visitor's own claim: only the socket counts.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",) if BEHIND_PROXY else ("REMOTE_ADDR",)
IPWARE_META_PROXY_COUNT = 0
IPWARE_STRICT = False

# Sessions end after this much inactivity (every request renews the cookie).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True

# How long the audit log is kept; the graded protection scheme asks for at
# least six months, so shorter values are refused.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=183)

# --- Internationalisation ------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
# Bootstrap comes from npm (package.json); the app serves it itself through
# WhiteNoise, because government intranets often cannot reach a CDN.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", _NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", _NODE_MODULES / "bootstrap-icons" / "font"),
    # The rich-text editor of the profile's 主要事迹 (templates/profiles/profile_edit.html).
    ("vendor/quill", _NODE_MODULES / "quill" / "dist"),
]
# Hashed names let browsers cache assets forever; that needs `collectstatic`
# (run by `make`). Without it, WhiteNoise serves straight from the sources.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------
# DJANGO_HTTPS says the site is served over HTTPS (directly or behind a proxy
# that sets X-Forwarded-Proto); it is on whenever debug is off.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# A form sent without a valid token: our page saying the page expired (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "volunteer_site.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy: everything from this site only; no inline scripts
# or styles (the pages keep to it: JavaScript lives in static/js/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Bootstrap draws its small icons (select arrows, close buttons) as data: SVGs.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Celery -----------------------------------------------------------------------------
# No broker configured = the embedded default: tasks run in-process, at once.
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", ("redis", "rediss"))
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env_url(
    "CELERY_RESULT_BACKEND",
    ("redis", "rediss"),
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else None,
)
# A Redis that is down or hung must not hold up the request that queues a task
# (an approval) or /healthz: every connect and command to the broker and the
# result store gives up after REDIS_FAULT_SECONDS, and a publish is retried once,
# at once. Callers treat the failure as "recompute later" (the team stays stale
# for the nightly reconcile). Celery's defaults retry for about 19 s, and wait
# forever on a Redis that accepts connections but never answers.
_ONE_QUICK_RETRY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# A message taken by a worker that then died (killed, out of memory, host lost)
# goes back to the queue after this many seconds; Redis's default is an hour.
# Keep it above the longest task that acknowledges late (task_time_limit, 180 s)
# and the longest countdown (a recompute's retries wait up to 32 s): a message
# still held when it passes is delivered a second time.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300, minimum=1)
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_FAULT_SECONDS
# Workers reconnect for as long as Redis is away, each attempt bounded as above.
# Celery's default gives up after 100 attempts (about 45 minutes) and the worker
# exits, and honcho (Procfile) then stops the web and beat processes with it.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_FAULT_SECONDS,
    "socket_timeout": REDIS_FAULT_SECONDS,
    **_ONE_QUICK_RETRY,  # connecting for a publish
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # Workers look for such messages this often (kombu's default: every 100 s).
    "unacked_restore_interval": max(1, min(30, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = _ONE_QUICK_RETRY
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_FAULT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_FAULT_SECONDS
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {**_ONE_QUICK_RETRY, "max_retries": 0}}

# --- Spreadsheet import limits ------------------------------------------------------------
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MB", 10, minimum=1) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20000, minimum=1)
# Uploaded spreadsheets wait here between preview and confirm (a folder all
# web hosts share when there are several); default: the system's temp folder.
IMPORT_STAGING_DIR = env_str("IMPORT_STAGING_DIR")
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, kept: files stream to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# The activity form posts up to three fields per member of the team (the tick box,
# the hours box, the organiser tick box), with or without JavaScript: Django's
# default of 1,000 fields refused teams of about 490 members with a 400 page and
# lost the form. 10,000 serve teams of 3,000 members; the body stays capped at
# DATA_UPLOAD_MAX_MEMORY_SIZE, and parsing 10,000 short fields takes milliseconds.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- E-mail -----------------------------------------------------------------------------
# No EMAIL_HOST = the embedded default: mails are printed to the console.
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be on")
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "volunteer-teams@localhost")
# The site's address as people reach it, for links in e-mails.
SITE_URL = env_url("SITE_URL", ("http", "https"), default="http://127.0.0.1:8000")

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# Shown in the page footer and README; not a secret.
SITE_NAME = _("Party-member volunteer service teams")
