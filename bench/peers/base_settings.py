"""What both peer forums' settings share (peer_machina/settings.py, peer_spirit/settings.py start
with ``from base_settings import *``): production-like choices, the same as Maillage's.

DEBUG off, cached template loader, PostgreSQL with persistent connections and JIT off, Redis
cache, ``cached_db`` sessions, static files collected and served by WhiteNoise, no gzip in the
app (a proxy's job, as in Maillage: measure.py reports the gzip size computed offline).

Environment knobs (all optional):
  PEER_DB_NAME        PostgreSQL database (default: the peer's, peer_forum / peer_spirit;
                      127.0.0.1:5432, user postgres, trust)
  PEER_REDIS_URL      the cache, sessions included (default: the peer's, redis://127.0.0.1:6379/12 / 13)
  PEER_SESSIONS       "cached_db" (default: read from Redis, written to Redis + PostgreSQL, as
                      Maillage does) or "db" (plain database sessions, Django's default)
  PEER_CONN_MAX_AGE   persistent DB connections in seconds (default 60)
  PEER_OUT            the peer's runtime files: static files, search index, wrk logs, gunicorn's
                      pid / error log / control socket, and by default its venv
                      (default bench/out/peers/<peer>, ignored by git and docker)
"""

import os
from pathlib import Path

PEERS = ("machina", "spirit")
PORTS = {"machina": 8900, "spirit": 8901}  # serve.sh's (and Spirit's ST_SITE_URL)
ROOT = Path(__file__).resolve().parents[2]


def use(peer: str) -> None:
    """Select the peer's settings (before django.setup(); overrides a DJANGO_SETTINGS_MODULE of Maillage's)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = f"peer_{peer}.settings"


def out_dir(peer: str) -> Path:
    return Path(os.environ.get("PEER_OUT") or ROOT / "bench" / "out" / "peers" / peer)


def django_apps(*names: str) -> list[str]:
    return [f"django.contrib.{name}" for name in names]


def database(name: str) -> dict:
    return {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PEER_DB_NAME", name),
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": "5432",
            "CONN_MAX_AGE": int(os.environ.get("PEER_CONN_MAX_AGE", "60")),
            "CONN_HEALTH_CHECKS": True,
            # Same as Maillage's production settings: PostgreSQL JIT off.
            "OPTIONS": {"options": "-c jit=off"},
        }
    }


def redis_cache(url: str, prefix: str, **extra) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("PEER_REDIS_URL", url),
        "KEY_PREFIX": prefix,
    } | extra


def middleware(*extra: str, locale: bool = False) -> list[str]:
    """The peer's project template's middleware plus WhiteNoise, without GZipMiddleware (compression is
    left to a proxy, as in Maillage); ``extra`` (the forum's own) at the end."""
    locale_mw = ["django.middleware.locale.LocaleMiddleware"] if locale else []
    return [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        *locale_mw,
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        *extra,
    ]


def templates(dirs: list, *context_processors: str) -> list[dict]:
    """Django's template engine with the cached loader, explicit (its default when DEBUG is off anyway);
    Django's usual context processors, then the forum's own (``context_processors``)."""
    core = "django.template.context_processors."
    processors = [core + "debug", core + "request", "django.contrib.auth.context_processors.auth", core + "i18n", core + "static"]
    processors += ["django.contrib.messages.context_processors.messages"]
    loaders = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
    options = {"context_processors": processors + list(context_processors), "loaders": [("django.template.loaders.cached.Loader", loaders)]}
    return [{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": dirs, "OPTIONS": options}]


def storages(default: str = "django.core.files.storage.FileSystemStorage") -> dict:
    return {"default": {"BACKEND": default}, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}


DEBUG = False
ALLOWED_HOSTS = ["*"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
SESSION_ENGINE = {
    "cached_db": "django.contrib.sessions.backends.cached_db",
    "db": "django.contrib.sessions.backends.db",
}[os.environ.get("PEER_SESSIONS", "cached_db")]
LANGUAGE_CODE = "en"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
