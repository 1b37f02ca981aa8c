import functools
import http.server
import socket
import threading
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_settle(settings):
    """Alert windows close at "now" in tests (production waits a minute for late commits)."""
    settings.FUNDING_ALERT_SETTLE_SECONDS = 0


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves tests/funding/fixtures; ``{BASE}`` in a file becomes the server's address."""

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0].lstrip("/")
        if path == "erreur-500":
            self.send_error(500, "boom")
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
