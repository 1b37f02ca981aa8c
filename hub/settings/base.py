"""Base settings shared by every runtime mode.

Only environment variables change between the embedded default (SQLite, in-memory channel
layer, database task worker, console e-mail) and production (PostgreSQL, Redis, SMTP).
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-maillage-key-change-me-in-production-0123456789")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
HUB_NAME = env("HUB_NAME", default="Hub numérique inclusif Bourgogne-Franche-Comté")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.forms",  # its templates, for the project form renderer (common/forms.py)
    "django.contrib.postgres",
    "django_ratelimit",
    "channels",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "notifications",
    "taggit",
    "modelcluster",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    # Maillage apps, in dependency order (see ARCHITECTURE.md).
    "common",
    "ops",
    "community",
    "actions",
    "messaging",
    "sharing",
    "groups",
    "events",
    "funding",
    "places",
    "orientation",
    "labels",
    "content",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "community.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
    "common.middleware.AudiencesMemoMiddleware",
    "common.access.MembersOnlyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "community.middleware.PendingMemberMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "hub.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "common.context_processors.hub",
                "hub.context_processors.counters",
            ],
            "builtins": ["common.templatetags.common_tags"],
        },
    },
]

FORM_RENDERER = "common.forms.FormRenderer"

WSGI_APPLICATION = "hub.wsgi.application"
ASGI_APPLICATION = "hub.asgi.application"
# Threads of an ASGI process that run HTTP requests (common.asgi.ThreadLanes), each one request at
# a time and kept from request to request. 2 served the most requests on 2 cores (bench/README.md,
# "Eighth pass"); more only helps when pages wait on slow queries or services.
HTTP_THREADS = env.int("HTTP_THREADS", default=2)

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # concurrent sign-ups queue instead of failing with "database is locked" half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
elif env.bool("DATABASE_POOL", default=True):
    # A connection pool per process (psycopg_pool). Under ASGI, websocket calls run in threads
    # of their own and HTTP requests share a few threads (HTTP_THREADS): persistent connections
    # (CONN_MAX_AGE) would be kept per thread. The pool hands out checked connections, so a
    # PostgreSQL restart costs errors only while it is down.
    from psycopg_pool import ConnectionPool

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=20),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=5),  # also how long a request waits while PostgreSQL is down
        "check": ConnectionPool.check_connection,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if IS_POSTGRES and not env.bool("DATABASE_JIT", default=False):
    # No JIT: PostgreSQL compiles a query to machine code once its *estimated* cost passes
    # jit_above_cost, and a page's short query with correlated subqueries can be estimated high.
    # The agenda's count ran in 2 ms and spent 638 ms compiling itself (bench/README.md, load).
    # A DATABASE_URL with its own ?options=… keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if IS_POSTGRES and env.bool("DATABASE_PREPARED", default=True):
    # Server-side parameters, and psycopg prepares a query the second time a connection runs it:
    # PostgreSQL then plans it once per connection, not on every page (the topic page's seven
    # queries spent 1.45 ms planning and 0.74 ms running; bench/README.md). Off (false) behind a
    # transaction-mode pooler such as PgBouncer, which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"server_side_binding": True, "prepare_threshold": 2})

# --- Redis: channel layer and cache ---------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Redis pub/sub (default): a group send is one PUBLISH, received once per process and handed
    # to that process's sockets; measured in bench/fanout.py (issue 18 item 3). At most once, like
    # every live update here (pages resynchronise on reconnect). CHANNEL_LAYER=lists keeps the
    # list-based layer (one message per process and group send, stored until read).
    CHANNEL_LAYER = env("CHANNEL_LAYER", default="pubsub")
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer"
            if CHANNEL_LAYER == "pubsub"
            else "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, the same as channels-redis'
            # 5 s BZPOPMIN: consumers then die on "Timeout reading". Give reads room to spare.
            # It also caps an asyncio pool at 100 connections: a burst of websocket connects
            # (group_add) then fails with "Too many connections".
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": 15,
                        "socket_connect_timeout": 5,
                        "max_connections": env.int("REDIS_MAX_CONNECTIONS", default=1000),
                    }
                ],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    # django-redis: one connection pool per process, shared by every request thread. A Redis
    # outage degrades the cache to misses (DJANGO_REDIS_IGNORE_EXCEPTIONS) instead of failing
    # pages; common/cache.py keeps ``add`` working as a lock meanwhile. Short timeouts so an
    # unreachable Redis costs a request little.
    CACHES = {
        "default": {
            "BACKEND": "common.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_PREFIX", default="maillage"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 2},
        }
    }
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "common.cache"
    # django-ratelimit knows django-redis' RedisCache by name only; ours is that class.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
    # Sessions read from Redis, written to both: one query less on every page; during a Redis
    # outage they are read from PostgreSQL (the cache degrades to misses).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded default runs one web process: its local-memory cache is shared by every
    # request, which is all rate-limit counters need (django-ratelimit warns about it otherwise).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
if not IS_POSTGRES:
    # Covering indexes (``Index(include=…)``) serve PostgreSQL's index-only scans; SQLite builds
    # them without their extra columns, which changes nothing there but the plan.
    SILENCED_SYSTEM_CHECKS += ["models.W040"]

# --- Rate limits (common/ratelimit.py; allauth's own below) ---------------------------------
# Per member (or per address for visitors) and per action. A Redis outage lets actions through.
# Private messages still unread this long after a conversation went quiet are e-mailed (or put in
# the digest), following the member's notification preferences.
MESSAGING_EMAIL_DELAY_SECONDS = env.int("MESSAGING_EMAIL_DELAY_SECONDS", default=15 * 60)

RATE_LIMITS = {
    "post": env("RATE_LIMIT_POST", default="20/m"),  # forum topics, replies, comments
    "report": env("RATE_LIMIT_REPORT", default="10/h"),  # reports to moderators and staff
    "signup": env("RATE_LIMIT_SIGNUP", default="20/h"),  # sign-ups to events
    "message": env("RATE_LIMIT_MESSAGE", default="30/m"),  # private messages
}
RATELIMIT_VIEW = "common.views.ratelimited"
RATELIMIT_FAIL_OPEN = True

# --- Background tasks (Django's tasks API) --------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A task RUNNING on a worker not seen for this long is lost: queued again (ops/workers.py) up to
# TASKS_MAX_ATTEMPTS attempts in all, then failed. Workers beat every quarter of the lease.
TASKS_LEASE_SECONDS = env.float("TASKS_LEASE_SECONDS", default=120)
TASKS_MAX_ATTEMPTS = env.int("TASKS_MAX_ATTEMPTS", default=3)

# --- Web Push (community/push.py) ---------------------------------------------------------------
# VAPID keys (``manage.py push_keys`` prints a fresh pair); without them push is not offered.
VAPID_PUBLIC_KEY = env("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env("VAPID_SUBJECT", default="mailto:ne-pas-repondre@maillage.localhost")


# --- E-mail -----------------------------------------------------------------------------------
def mailers_from_url(url: str) -> dict:
    """Django 6.1 ``MAILERS`` from an ``EMAIL_URL`` (smtp+tls://user:pass@host:587, consolemail://…)."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    options = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": config.get("EMAIL_HOST") or "localhost",
            "port": config.get("EMAIL_PORT") or 25,
            "username": config.get("EMAIL_HOST_USER") or "",
            "password": config.get("EMAIL_HOST_PASSWORD") or "",
            "use_tls": bool(config.get("EMAIL_USE_TLS")),
            "use_ssl": bool(config.get("EMAIL_USE_SSL")),
            "timeout": env.int("EMAIL_TIMEOUT", default=20),
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config.get("EMAIL_FILE_PATH") or "/tmp/maillage-mails"}  # noqa: S108
    return {"default": {"BACKEND": backend, "OPTIONS": options}}


MAILERS = mailers_from_url(env("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Maillage <ne-pas-repondre@maillage.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Auth and accounts (django-allauth) -----------------------------------------------------
# the stock backends with the user's profile loaded in the same query (community/backends.py)
AUTHENTICATION_BACKENDS = [
    "community.backends.ModelBackend",
    "community.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "community:dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "community.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Maillage] "
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Maillage"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Leaflet for the places map, served from the django-leaflet package's static files (no CDN). Not
# an installed app: its admin widgets need GDAL.
_leaflet_spec = __import__("importlib.util").util.find_spec("leaflet")
if _leaflet_spec and _leaflet_spec.submodule_search_locations:
    STATICFILES_DIRS.append(("leaflet", str(Path(_leaflet_spec.submodule_search_locations[0]) / "static" / "leaflet")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Files only permission-checked views may serve (forum attachments, label evidence, resource
# library): outside
# MEDIA_ROOT, which nginx serves to anyone, and without a URL.
# (RESOURCE_FILES_ROOT, the resource library's older name for it, is still read.)
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=env("RESOURCE_FILES_ROOT", default=str(MEDIA_ROOT.parent / "private-media"))))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
MAX_IMAGE_UPLOAD_BYTES = env.int("MAX_IMAGE_UPLOAD_BYTES", default=5 * 1024 * 1024)

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Map tiles of the places map (the page still lists places when tiles cannot load).
PLACES_TILE_URL = env("PLACES_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
PLACES_TILE_ORIGIN = [f"{urlsplit(PLACES_TILE_URL).scheme}://{urlsplit(PLACES_TILE_URL).netloc}"] if PLACES_TILE_URL else []
# Places: managers are asked to confirm their record every N months; unconfirmed for M months
# flags it "à confirmer" (places/conf.py).
PLACES_CONFIRM_REMINDER_MONTHS = env.int("PLACES_CONFIRM_REMINDER_MONTHS", default=6)
PLACES_STALE_MONTHS = env.int("PLACES_STALE_MONTHS", default=12)
# Minutes: hours before the end of an amendment round when the participants who have not yet
# commented are reminded (events/minutes/services.py, ``minutes_rounds_remind``).
EVENTS_MINUTES_REMINDER_HOURS = env.int("EVENTS_MINUTES_REMINDER_HOURS", default=24)
# Orientation: days the referred person's personal data is kept before the periodic job erases it.
ORIENTATION_RETENTION_DAYS = env.int("ORIENTATION_RETENTION_DAYS", default=90)
# Django's built-in Content-Security-Policy. Scripts only from our origin (plus a per-request
# nonce for the few inline snippets); no CDN anywhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *PLACES_TILE_ORIGIN, *env.list("CSP_IMG_EXTRA", default=[])],
    "connect-src": [CSP.SELF, "ws:", "wss:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Maillage"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_I18N_ENABLED = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = MAX_IMAGE_UPLOAD_BYTES
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "csv", "txt", "zip"]

# --- Notifications --------------------------------------------------------------------------
DJANGO_NOTIFICATIONS_CONFIG = {"USE_JSONFIELD": True, "SOFT_DELETE": False}
NOTIFICATIONS_NOTIFICATION_MODEL = "notifications.Notification"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}, "daphne": {"level": "WARNING"}},
}

AUTH_USER_MODEL = "community.User"

# --- Outbound fetches (funding sources): common/fetch.py refuses private, loopback and link-local
# addresses; list here (CIDR, comma-separated) internal networks an installation must reach.
FETCH_ALLOWED_NETWORKS = env.list("FETCH_ALLOWED_NETWORKS", default=[])
