"""A Redis cache that degrades to "no cache" while Redis is unreachable.

The cache only ever holds things we can recompute (observatory figures, rate-limit counters),
so a Redis outage must not turn pages into 500s: Django's ``RedisCache`` raises
``redis.ConnectionError`` from every call. This backend logs the error, answers reads as misses
and writes as not done, and then leaves Redis alone for a few seconds (``RETRY_AFTER``) so a
page that reads the cache ten times pays the connection error once, not ten times. After the
pause the next call tries Redis again, so the cache comes back by itself when Redis does.

Rate limits (allauth's login and sign-up throttles) fail open during the outage: they count in
the cache (with ``add`` as a lock), and a missing counter means "not throttled". That is the
trade we want — members can still log in while Redis restarts.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0  # seconds without trying Redis after a failure
# Per server, for the whole process: Django builds one cache backend per thread, and under ASGI a
# request often runs in a fresh thread, so a per-instance pause would be forgotten at once.
_down_until: dict[str, float] = {}


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.RedisError, OSError)


_pools: dict[tuple, object] = {}
_pools_lock = threading.Lock()


class SharedPoolRedisCacheClient(RedisCacheClient):
    """One connection pool per server for the whole process. Django's client keeps its pools on
    the backend instance, and there is one instance per thread: under ASGI every request runs in
    a new thread, so each request opened (and later dropped) its own TCP connection to Redis."""

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        key = (self._servers[index], repr(sorted(self._pool_options.items(), key=lambda item: item[0])))
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(self._servers[index], **self._pool_options)
        return pool


class ResilientRedisCache(RedisCache):
    """``RedisCache`` whose errors are logged and treated as misses (see the module docstring),
    on a connection pool shared by every thread of the process."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
        self._errors = _redis_errors()
        self._server_key = repr(server)

    def _available(self) -> bool:
        return time.monotonic() >= _down_until.get(self._server_key, 0.0)

    def _failed(self, operation: str, exc: BaseException) -> None:
        if self._available():  # log once per outage window, not once per call
            logger.warning("cache %s failed, treated as a miss for %.0f s: %s", operation, RETRY_AFTER, exc)
        _down_until[self._server_key] = time.monotonic() + RETRY_AFTER

    def _call(self, operation: str, fallback, fn, *args, **kwargs):
        if not self._available():
            return fallback
        try:
            return fn(*args, **kwargs)
        except self._errors as exc:
            self._failed(operation, exc)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # An unreachable cache holds no key, so "add" succeeds (as if the value were evicted at
        # once). Callers that use ``add`` as a lock — allauth's rate limits do — then go ahead
        # instead of waiting a second and answering 429. Never rely on the cache for correctness.
        return self._call("add", True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # A missing key raises ValueError in every Django backend; an unreachable one is missing.
        missing = object()
        value = self._call("incr", missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._call("set_many", list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, super().delete_many, keys, version)

    def clear(self):
        return self._call("clear", False, super().clear)
