"""Browser tests: Debian's Chromium driven by Playwright against a live ASGI server.

The server (uvicorn, in a thread of this process) serves ``hub.asgi.application`` with
websockets, on the test database. Tests do not run in a transaction: they create unique data
and the server sees it at once. ``asgi_server.call(fn)`` runs code inside the server's event
loop, so websocket broadcasts a test triggers reach the browsers even with the in-memory layer.
"""

import asyncio
import os
import socket
import sys
import threading
import time

import pytest

# Playwright's sync API keeps an event loop running in this thread; the ORM calls tests make
# between page actions are still synchronous and safe (Django's documented escape hatch).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

if not os.path.exists(CHROMIUM):
    sys.stderr.write(f"\n!!! Chromium not found at {CHROMIUM}: BROWSER TESTS ARE SKIPPED !!!\n\n")
    collect_ignore_glob = ["test_*.py"]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris", "viewport": {"width": 1280, "height": 900}}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, url: str, loop: asyncio.AbstractEventLoop):
        self.url = url
        self.loop = loop

    def call(self, fn, *args, **kwargs):
        """Run ``fn`` (sync, may use the ORM) from the server's event loop and return its result."""
        from asgiref.sync import sync_to_async

        future = asyncio.run_coroutine_threadsafe(sync_to_async(fn, thread_sensitive=False)(*args, **kwargs), self.loop)
        return future.result(timeout=30)


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Create the test database explicitly: these tests carry no ``django_db`` mark (they must not
    run inside a transaction), so pytest-django would otherwise set up no test database."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def _db_unblocked(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def _browser_db(_db_unblocked):
    yield


@pytest.fixture(scope="session")
def asgi_server(_db_unblocked):
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(
        "hub.asgi:application", host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets-sansio"
    )
    server = uvicorn.Server(config)
    holder = {}

    def run():
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        holder["loop"] = loop
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, daemon=True, name="live-asgi")
    thread.start()
    deadline = time.monotonic() + 120  # importing the project on a busy 2-core machine can take a minute
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live ASGI server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", holder["loop"])
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(autouse=True)
def _mail_outbox():
    from django.core import mail

    mail.outbox = []
    yield


def assert_accessible(page, *, context: str = "") -> None:
    """axe-core on the current page: no serious or critical violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    details = "\n".join(f"- {v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:5]}" for v in bad)
    assert not bad, f"axe-core violations on {context or page.url}:\n{details}"


def login(page, asgi_server, email: str, password: str) -> None:
    page.goto(f"{asgi_server.url}/compte/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
