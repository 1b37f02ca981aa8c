"""Django's HTTP handler for ASGI: the whole middleware chain in one thread hop, on a few reused threads.

Django builds its ASGI middleware chain in async mode: every ``MiddlewareMixin`` then runs its
``process_request`` and ``process_response`` through ``sync_to_async``, and one sync-only
middleware sends the rest of the chain back to the event loop with ``async_to_sync``, before the
view and the template render each go into a thread again. Maillage's middleware and views are all
synchronous, so this handler builds the chain as WSGI would and enters it through a single
``sync_to_async``: with the request_started signal and ``response.close``, three trips to a thread
per request instead of six or more (tests/common/test_asgi.py), and a request runs to its end
once it has started. Reading the body, sending the response and the request signals
stay as Django does them; an async view would still work, through ``async_to_sync``.

**Threads.** Django runs each request's synchronous code in a thread of its own, created for the
request and dropped after it: every request then builds that thread's database wrapper and
Markdown converter again, and under load dozens of threads fight for the interpreter lock. Here a
request runs in one of at most ``HTTP_THREADS`` threads of the process (``ThreadLanes``), kept from
request to request, as a threaded WSGI server does: one request at a time in a thread, all of a
request's trips in the same thread (what Django's thread-sensitive mode asks), the others wait
their turn on the event loop. The request body is read before a thread is taken, so a slow upload
does not hold one. On the load bench's 2 cores: 44 → 55 requests/s for 200 members, 26 → 21 ms of
server CPU per request (bench/README.md, "Eighth pass").
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler


class ThreadLanes:
    """At most ``size`` single-thread executors, each lent to one request at a time and kept for
    the next. A request that finds every lane busy waits on the event loop, first come first
    served. Lanes are created on demand, so a quiet process keeps one thread. Used from one event
    loop (an ASGI server runs one per process)."""

    def __init__(self, size: int):
        if size < 1:
            raise ValueError("HTTP_THREADS must be at least 1")
        self.size = size
        self._idle: list[ThreadPoolExecutor] = []
        self._made = 0
        self._waiting: deque[asyncio.Future] = deque()

    @asynccontextmanager
    async def lane(self) -> AsyncIterator[ThreadPoolExecutor]:
        executor = await self._take()
        try:
            yield executor
        finally:
            self._give(executor)

    async def _take(self) -> ThreadPoolExecutor:
        if self._idle:
            return self._idle.pop()
        if self._made < self.size:
            self._made += 1
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="http")
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:  # the client left; ``_give`` skips a waiter that is done
            if waiter.done() and not waiter.cancelled():  # handed a lane just before: pass it on
                self._give(waiter.result())
            raise

    def _give(self, executor: ThreadPoolExecutor) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(executor)
                return
        self._idle.append(executor)


class _BodyRead:
    """The ASGI ``receive`` of a request whose body has been read: ``handle`` gets the body from
    ``read_body`` and still listens for the client's disconnect through ``receive``."""

    def __init__(self, receive, body_file):
        self.receive, self.body_file = receive, body_file

    def __call__(self):
        return self.receive()


class OneHopASGIHandler(ASGIHandler):
    def __init__(self, threads: int | None = None):
        super().__init__()
        self.lanes = ThreadLanes(settings.HTTP_THREADS if threads is None else threads)

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)
        self._middleware_chain = sync_to_async(self._middleware_chain, thread_sensitive=True)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await super().read_body(receive)
        except RequestAborted:
            return
        try:
            async with self.lanes.lane() as executor, ThreadSensitiveContext(executor=executor):
                await self.handle(scope, _BodyRead(receive, body_file), send)
        finally:
            body_file.close()  # handle closes it too; not if the request was cancelled while waiting for a lane

    async def read_body(self, receive):
        if isinstance(receive, _BodyRead):
            return receive.body_file
        return await super().read_body(receive)
