"""The Redis cache keeps one connection pool per process: Django builds a cache backend per
thread, and under ASGI each request runs in a new thread."""

import threading

from common.cache import ResilientRedisCache


def test_backends_in_different_threads_share_one_connection_pool():
    params = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2}}
    pools = []

    def pool_of_a_new_backend():
        backend = ResilientRedisCache("redis://127.0.0.1:6399/9", params)  # nothing listens: pools connect lazily
        pools.append(backend._cache._get_connection_pool(write=True))

    threads = [threading.Thread(target=pool_of_a_new_backend) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pools) == 4 and all(pool is pools[0] for pool in pools)
    other = ResilientRedisCache("redis://127.0.0.1:6399/8", params)._cache._get_connection_pool(write=True)
    assert other is not pools[0]  # another server (database) gets its own pool
