"""The test cache, emptied without touching another test process's keys."""

from django.conf import settings
from django.core.cache import cache


def clear_cache():
    """Empty this run's cache — only its keys: on Redis, ``cache.clear()`` is FLUSHDB and would
    wipe the other xdist worker's cache and channel-layer messages in the middle of its tests
    (a page counted with one query more). Tests call this, never ``cache.clear()``."""
    if "redis" in settings.CACHES["default"]["BACKEND"].lower():
        cache.delete_pattern("*")  # django-redis: only keys under this run's KEY_PREFIX
    else:
        cache.clear()
