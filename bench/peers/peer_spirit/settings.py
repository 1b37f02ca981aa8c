"""Settings of the django-spirit peer forum (benchmark only): Spirit's project template
(spirit/extra/project_template/project_name/settings/base.py and prod.py) with base_settings.py's
production-like choices, as the machina peer. Knobs: see base_settings.py."""

from base_settings import *  # noqa: F403
from base_settings import PORTS, database, django_apps, middleware, out_dir, redis_cache, storages, templates

OUT = out_dir("spirit")

SECRET_KEY = "peer-spirit-benchmark-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"

# Spirit's template's list, unchanged.
INSTALLED_APPS = [
    *django_apps("admin", "auth", "contenttypes", "sessions", "messages", "staticfiles", "humanize"),
    "spirit.core",
    "spirit.admin",
    "spirit.search",
    "spirit.user",
    "spirit.user.admin",
    "spirit.user.auth",
    "spirit.category",
    "spirit.category.admin",
    "spirit.topic",
    "spirit.topic.admin",
    "spirit.topic.favorite",
    "spirit.topic.moderate",
    "spirit.topic.notification",
    "spirit.topic.private",
    "spirit.topic.unread",
    "spirit.comment",
    "spirit.comment.bookmark",
    "spirit.comment.flag",
    "spirit.comment.flag.admin",
    "spirit.comment.history",
    "spirit.comment.like",
    "spirit.comment.poll",
    "djconfig",
    "haystack",
]
# Spirit's template's list (with LocaleMiddleware; its XForwardedForMiddleware is left out: no proxy in front)
MIDDLEWARE = middleware(
    "spirit.user.middleware.TimezoneMiddleware",
    "spirit.user.middleware.LastIPMiddleware",
    "spirit.user.middleware.LastSeenMiddleware",
    "spirit.user.middleware.ActiveUserMiddleware",
    "spirit.core.middleware.PrivateForumMiddleware",
    "djconfig.middleware.DjConfigMiddleware",
    locale=True,
)

ROOT_URLCONF = "peer_spirit.urls"
WSGI_APPLICATION = "peer_spirit.wsgi.application"
# No template overridden: Spirit's header already shows the member's nickname or a "Log in" link.
TEMPLATES = templates(
    [], "django.template.context_processors.media", "django.template.context_processors.tz", "djconfig.context_processors.config"
)

DATABASES = database("peer_spirit")
# Spirit's template uses DatabaseCache for both; here Redis db 13 for both. Spirit's docs: the
# rate-limit cache (ST_RATELIMIT_CACHE) must have TIMEOUT None. The measured pages use no cache
# except for the sessions (the rate limiter only acts on POSTs).
CACHES = {
    "default": redis_cache("redis://127.0.0.1:6379/13", "peerspirit"),
    "st_rate_limit": redis_cache("redis://127.0.0.1:6379/13", "peerspirit_rl", TIMEOUT=None),
}

AUTHENTICATION_BACKENDS = [
    "spirit.user.auth.backends.UsernameAuthBackend",
    "spirit.user.auth.backends.EmailAuthBackend",
]

# Spirit's default search: haystack + Whoosh (search is login-only in Spirit and not measured;
# `manage.py --peer spirit rebuild_index --noinput` builds the index, ~70 s).
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.whoosh_backend.WhooshEngine", "PATH": str(OUT / "st_search")}}
HAYSTACK_SIGNAL_PROCESSOR = "spirit.search.signals.RealtimeSignalProcessor"

LOGIN_URL = "spirit:user:auth:login"
LOGIN_REDIRECT_URL = "spirit:user:update"
LOGOUT_REDIRECT_URL = "spirit:index"

TIME_ZONE = "UTC"

STATIC_ROOT = OUT / "staticfiles"
MEDIA_ROOT = OUT / "media"
# Spirit's prod.py uses ManifestStaticFilesStorage; WhiteNoise's compressed variant, as the machina peer
STORAGES = storages("spirit.core.storage.OverwriteFileSystemStorage")

# Spirit
ST_SITE_URL = f"http://127.0.0.1:{PORTS['spirit']}/"
# Tasks (emails, search-index updates): no task manager = Spirit's default (ST_TASK_MANAGER = None),
# every task runs in process, synchronously, right after the transaction commits. No huey/celery.
ST_TASK_MANAGER = None
ST_RATELIMIT_CACHE = "st_rate_limit"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
