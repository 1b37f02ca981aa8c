"""``common.asgi.OneHopASGIHandler``: the HTTP middleware chain entered through one ``sync_to_async``."""

import asyncio
from unittest import mock

from asgiref.sync import SyncToAsync, async_to_sync
from django.core.handlers.asgi import ASGIHandler

from common.asgi import OneHopASGIHandler


def _get(application, path: str) -> tuple[int, bytes, int]:
    """GET ``path`` through an ASGI application: status, body and the number of trips to a thread."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
    }
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

    async def counting_call(self, *args, **kwargs):
        nonlocal hops
        hops += 1
        return await real_call(self, *args, **kwargs)

    with mock.patch.object(SyncToAsync, "__call__", counting_call):
        async_to_sync(application)(scope, receive, send)
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
