"""Readiness: is this process able to do its work? (``/readyz``; ``/healthz`` is liveness only.)

Three parts, each ``ok``, ``skipped`` (not used by this configuration) or the name of the error:

- ``database``: a ``SELECT 1`` on the default database;
- ``redis``: a PING, only when ``REDIS_URL`` is set (channel layer, cache, rate limits);
- ``worker``: at least one task worker beat within the lease (``TASKS_LEASE_SECONDS``;
  ops/workers.py), only with the database task backend (the test settings run tasks inline).

Only error class names leave the process (never a message: it may name a host, a user or a
path); the details go to the log.
"""

import functools
import logging

import redis
from django.conf import settings
from django.db import connection
from django.tasks import task_backends
from django_tasks_db.backend import DatabaseBackend

from .workers import workers_alive

logger = logging.getLogger(__name__)

OK, SKIPPED = "ok", "skipped"


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def _failed(part: str, exc: Exception) -> str:
    logger.warning("readiness: %s failing", part, exc_info=exc)
    return f"error: {type(exc).__name__}"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure makes the part unready
        return _failed("database", exc)
    return OK


def check_redis() -> str:
    if not settings.REDIS_URL:
        return SKIPPED
    try:
        _redis_client(settings.REDIS_URL).ping()
    except Exception as exc:
        return _failed("redis", exc)
    return OK


def check_worker(*, database_ok: bool) -> str:
    if not isinstance(task_backends["default"], DatabaseBackend):
        return SKIPPED
    if not database_ok:
        return "unknown: database unavailable"
    try:
        alive = workers_alive().exists()
    except Exception as exc:
        return _failed("worker", exc)
    return OK if alive else f"no heartbeat in the last {settings.TASKS_LEASE_SECONDS:g} s"


def readiness() -> tuple[bool, dict[str, str]]:
    """(ready?, state of each part)."""
    database = check_database()
    checks = {"database": database, "redis": check_redis(), "worker": check_worker(database_ok=database == OK)}
    return all(state in (OK, SKIPPED) for state in checks.values()), checks
