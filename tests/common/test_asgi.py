"""``common.asgi.OneHopASGIHandler``: the HTTP middleware chain entered through one ``sync_to_async``."""

import asyncio
import threading
from unittest import mock

import pytest
from asgiref.sync import SyncToAsync, async_to_sync
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_started

from common.asgi import OneHopASGIHandler


def _scope(path: str, method: str = "GET") -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }


def _get(application, path: str) -> tuple[int, bytes, int]:
    """GET ``path`` through an ASGI application: status, body and the number of trips to a thread."""
    scope = _scope(path)
    sent, received = [], []

    async def receive():
        if received:  # the client stays connected until the response is sent
            await asyncio.Event().wait()
        received.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    hops = 0
    real_call = SyncToAsync.__call__
    loops = []

    async def counting_call(self, *args, **kwargs):
        nonlocal hops
        if loops and asyncio.get_running_loop() is loops[0]:  # this request's trips only, not another test's
            hops += 1
        return await real_call(self, *args, **kwargs)

    async def app(scope, receive, send):
        loops.append(asyncio.get_running_loop())
        await application(scope, receive, send)

    with mock.patch.object(SyncToAsync, "__call__", counting_call):
        async_to_sync(app)(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, hops


def test_a_request_goes_to_a_thread_once_for_the_whole_middleware_chain():
    status, body, hops = _get(OneHopASGIHandler(), "/healthz")
    assert (status, body) == (200, b"ok")
    stock_status, stock_body, stock_hops = _get(ASGIHandler(), "/healthz")
    assert (stock_status, stock_body) == (200, b"ok")
    # The chain, the request_started signal and response.close (with request_finished): Django's
    # own trips around the chain. The stock handler adds the view's, the way back to the event loop
    # below the sync-only middleware and the async middleware's own.
    assert hops == 3
    assert stock_hops >= hops + 3


# --- Threads: a few, reused, one request at a time each (common.asgi.ThreadLanes) -------------------


async def _call(application, path: str, *, method: str = "GET", chunks=(b"",), chunk_delay: float = 0, read: list | None = None):
    """Send one request through ``application`` on the running loop: (status, body). ``read``
    collects the body chunks as the application takes them."""
    pending = list(chunks)
    sent = []

    async def receive():
        if not pending:  # the client stays connected until the response is sent
            await asyncio.Event().wait()
        if chunk_delay:
            await asyncio.sleep(chunk_delay)
        chunk = pending.pop(0)
        if read is not None:
            read.append(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message):
        sent.append(message)

    await application(_scope(path, method), receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def _until(condition, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")


@pytest.fixture
def test_views(settings):
    from tests.common import asgi_urls

    settings.ROOT_URLCONF = "tests.common.asgi_urls"
    asgi_urls.entered.clear()
    asgi_urls.release.clear()
    yield asgi_urls
    asgi_urls.release.set()


def test_successive_requests_run_in_the_same_kept_thread_and_not_the_event_loops(test_views):
    started = []

    def on_started(**kwargs):
        started.append(threading.get_ident())

    application = OneHopASGIHandler(threads=2)

    async def three():
        return [await _call(application, "/ou/") for _ in range(3)], threading.get_ident()

    request_started.connect(on_started)
    try:
        results, loop_thread = asyncio.run(three())
    finally:
        request_started.disconnect(on_started)
    threads = {int(body.split()[0]) for status, body in results}
    assert [status for status, _ in results] == [200, 200, 200]
    assert len(threads) == 1  # Django's own handler: a new thread for each request
    assert set(started) == threads  # the request_started signal in the request's thread too
    assert loop_thread not in threads


def test_at_most_http_threads_requests_run_at_once_each_in_a_thread_of_its_own(test_views):
    application = OneHopASGIHandler(threads=2)

    async def four():
        tasks = [asyncio.create_task(_call(application, "/attendre/")) for _ in range(4)]
        await _until(lambda: len(test_views.entered) == 2)
        await asyncio.sleep(0.2)
        running = list(test_views.entered)  # the other two wait for a thread
        test_views.release.set()
        return running, await asyncio.gather(*tasks)

    running, results = asyncio.run(four())
    assert len(running) == 2 and len(set(running)) == 2
    assert [status for status, _ in results] == [200] * 4
    assert {int(body) for _, body in results} == set(running)  # the waiting requests ran in the same two threads


def test_a_slow_upload_is_read_before_it_takes_a_thread(test_views):
    application = OneHopASGIHandler(threads=1)
    read = []

    async def upload_while_busy():
        busy = asyncio.create_task(_call(application, "/attendre/"))
        await _until(lambda: len(test_views.entered) == 1)
        upload = asyncio.create_task(
            _call(application, "/ou/", method="POST", chunks=(b"a" * 1000, b"b" * 1000, b"c" * 500), chunk_delay=0.02, read=read)
        )
        await _until(lambda: len(read) == 3)  # the whole body, while the only thread is busy
        assert not upload.done()
        test_views.release.set()
        return await busy, await upload

    (busy_status, _), (status, body) = asyncio.run(upload_while_busy())
    assert (busy_status, status) == (200, 200)
    assert body.split()[1] == b"2500"


def test_a_failing_view_and_a_client_that_gives_up_waiting_give_their_thread_back(test_views):
    application = OneHopASGIHandler(threads=1)

    async def scenario():
        assert (await _call(application, "/panne/"))[0] == 500
        busy = asyncio.create_task(_call(application, "/attendre/"))
        await _until(lambda: len(test_views.entered) == 1)
        gave_up = asyncio.create_task(_call(application, "/ou/"))
        await asyncio.sleep(0.05)  # waiting for the thread
        gave_up.cancel()
        test_views.release.set()
        await busy
        with pytest.raises(asyncio.CancelledError):
            await gave_up
        return await asyncio.wait_for(_call(application, "/ou/"), timeout=5)

    assert asyncio.run(scenario())[0] == 200


def test_http_threads_must_be_positive():
    with pytest.raises(ValueError, match="HTTP_THREADS"):
        OneHopASGIHandler(threads=0)
