"""The Redis cache: django-redis, with one rule of our own for ``add``.

django-redis keeps one connection pool per process and, with ``DJANGO_REDIS_IGNORE_EXCEPTIONS``,
answers reads as misses while Redis is unreachable (and logs it on the ``common.cache`` logger):
the cache only ever holds what we can recompute, so a Redis outage must not turn pages into 500s.

``add`` is the exception. Callers use it as a lock — allauth's rate limits take one before
counting a login — and django-redis' fallback (``None``) reads as "somebody holds the lock", so
every login would wait a second and then be refused. An unreachable cache holds no key, so here
``add`` succeeds, as if the value had been evicted at once: rate limits fail open during an
outage, and members can still log in while Redis restarts. Never rely on the cache for
correctness.
"""

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class ResilientRedisCache(RedisCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None, client=None):
        try:
            return self.client.add(key, value, timeout=timeout, version=version, client=client)
        except ConnectionInterrupted:
            logger.warning("cache add failed: treated as done (Redis unreachable)", exc_info=True)
            return True
