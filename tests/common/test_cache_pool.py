"""The Redis cache keeps one connection pool per process: Django builds a cache backend per
thread, and under ASGI websocket calls run in threads of their own and HTTP requests in
``HTTP_THREADS`` threads."""

import logging
import threading

from common.cache import ResilientRedisCache

PARAMS = {"OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1}}


def test_backends_in_different_threads_share_one_connection_pool():
    pools = []

    def pool_of_a_new_backend():
        backend = ResilientRedisCache("redis://127.0.0.1:6399/9", PARAMS)  # nothing listens: pools connect lazily
        pools.append(backend.client.get_client(write=True).connection_pool)

    for _ in range(4):  # one after the other: django-redis builds the first pool without a lock
        thread = threading.Thread(target=pool_of_a_new_backend)
        thread.start()
        thread.join()
    assert len(pools) == 4 and all(pool is pools[0] for pool in pools)
    other = ResilientRedisCache("redis://127.0.0.1:6399/8", PARAMS).client.get_client(write=True).connection_pool
    assert other is not pools[0]  # another server (database) gets its own pool


def test_an_unreachable_redis_reads_as_misses_and_add_still_succeeds(settings, caplog):
    settings.DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "common.cache"
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", PARAMS)
    with caplog.at_level(logging.WARNING, logger="common.cache"):
        assert cache.get("k", "défaut") == "défaut"
        assert cache.add("k", 1) is True  # nothing is there, so a lock taken with add() never blocks
        assert cache.get_or_set("k", 5) == 5
        assert cache.set("k", 1) is None
    assert any(r.name == "common.cache" for r in caplog.records)  # the outage is in the logs
