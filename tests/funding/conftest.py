import functools
import http.server
import socket
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_settle(settings):
    """Alert windows close at "now" in tests (production waits a minute for late commits)."""
    settings.FUNDING_ALERT_SETTLE_SECONDS = 0


def _redirect(handler, location):
    handler.send_response(302)
    handler.send_header("Location", location)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _loop(handler, _query):
    _redirect(handler, "/boucle")


def _big_declared(handler, _query):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(50 * 1024 * 1024))
    handler.end_headers()
    handler.wfile.write(b"[")


def _big_chunked(handler, _query):
    handler.protocol_version = "HTTP/1.1"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Connection", "close")
    handler.end_headers()
    block = b"x" * 65536
    try:
        for _ in range(64):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:
        pass


def _drip(handler, _query):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    try:
        for _ in range(1000):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.2)
    except OSError:
        pass


def _echo_host(handler, _query):
    body = handler.headers.get("Host", "").encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


# Paths the fetch tests use: redirections, oversized and slow answers.
_SPECIAL = {
    "redirection": _redirect,
    "boucle": _loop,
    "gros-annonce": _big_declared,
    "gros-par-morceaux": _big_chunked,
    "goutte-a-goutte": _drip,
    "hote": _echo_host,
}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves tests/funding/fixtures; ``{BASE}`` in a file becomes the server's address."""

    def do_GET(self):  # noqa: N802
        path, _, query = self.path.partition("?")
        path = path.lstrip("/")
        if path == "erreur-500":
            self.send_error(500, "boom")
            return
        if path in _SPECIAL:
            _SPECIAL[path](self, urllib.parse.unquote(query))
            return
        file = FIXTURES / path
        if not file.is_file():
            self.send_error(404)
            return
        body = file.read_bytes().replace(b"{BASE}", self.server.base.encode())
        self.send_response(200)
        ctype = {".json": "application/json", ".xml": "application/rss+xml", ".atom": "application/atom+xml"}.get(file.suffix, "text/plain")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _local_feeds_allowed(request, settings):
    """Tests that poll the local fixture server allow 127.0.0.1 (refused by default)."""
    if "feed_server" in request.fixturenames:
        settings.FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture(scope="session")
def feed_server():
    """A local HTTP server for fixture feeds (no internet in tests). Yields its base URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Handler))
    server.base = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.base
    server.shutdown()
