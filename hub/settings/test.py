"""Test settings: the same code, tasks run immediately, e-mail kept in memory.

``DATABASE_URL`` and ``REDIS_URL`` still switch the backends, so ``make test`` runs the suite
once on SQLite and once on PostgreSQL + Redis.
"""

import os
import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage", "OPTIONS": {"location": "/private", "base_url": None}},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
VAPID_PUBLIC_KEY = VAPID_PRIVATE_KEY = ""  # push off unless a test turns it on (tests/community/test_push.py)
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Browser tests serve pages from another thread: they need a file, not ":memory:".
    # One file per run, so that several test runs on one machine never share a database, and
    # never the development database, even by mistake.
    DATABASES["default"]["NAME"] = os.path.join(tempfile.gettempdir(), f"maillage-test-main-{os.getpid()}.sqlite3")
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_SQLITE_NAME", default=os.path.join(tempfile.gettempdir(), f"maillage-test-{os.getpid()}.sqlite3"))
    }

# Parallel workers (pytest-xdist) share one Redis: keep their channel groups and cache keys apart.
_worker = f"{env('PYTEST_XDIST_WORKER', default='main')}-{os.getpid()}"
if "CONFIG" in CHANNEL_LAYERS["default"]:  # noqa: F405
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"maillage-test-{_worker}"  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"maillage-test-{_worker}"  # noqa: F405
if "OPTIONS" in CACHES["default"]:  # noqa: F405
    # Production gives up on a Redis call after 2 s and serves a miss (pages degrade, never fail).
    # On a saturated CI machine a slow answer is not an outage: a miss there would add a query to
    # the pages whose query counts the tests assert. Outages are tested against a stopped server.
    CACHES["default"]["OPTIONS"] = {**CACHES["default"]["OPTIONS"], "SOCKET_TIMEOUT": 10}  # noqa: F405

# Static files straight from the app folders (no collectstatic needed to run tests).
WHITENOISE_USE_FINDERS = True
RATELIMIT_ENABLE = False  # the rate-limit tests turn it on (tests/common/test_ratelimit.py)
