"""Live servers for tests that run this code base in real processes (the fault tests, the
two-process forum test): free ports, production-like subprocess environments, uvicorn started
and stopped for the test, and a logged-in session cookie for a user of the test database.

Every process started through ``Servers`` is stopped by the ``servers`` fixture's finalizer
(tests/conftest.py), even when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240  # a busy 2-core machine imports Django + Wagtail slowly
SUBPROCESS_APP_NAME = "maillage-faults-subprocess"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def stop_process(proc: subprocess.Popen | None, *, sig=signal.SIGTERM, timeout: float = 15) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def django_env(**overrides) -> dict:
    """Environment of a subprocess running this code base in production-like mode."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # session auth hashes must match the test's
        "CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "PGAPPNAME": SUBPROCESS_APP_NAME,  # tells their PostgreSQL sessions from the test's own
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    env.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        env.pop(key, None)
    return env


def shared_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Servers:
    """Subprocesses started by one test; all stopped by the fixture's finalizer."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.procs: list[subprocess.Popen] = []

    def _popen(self, args, env, name) -> subprocess.Popen:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def uvicorn(self, env: dict, name: str = "web") -> int:
        import requests

        port = free_port()
        proc = self._popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "hub.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
                "--ws",
                "websockets-sansio",
            ],
            env,
            name,
        )

        def up():
            if proc.poll() is not None:
                raise AssertionError(f"uvicorn exited with {proc.returncode}:\n{self.log(name)[-3000:]}")
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
            except requests.RequestException:
                return False

        wait_for(up, timeout=START_TIMEOUT, interval=0.2, what="uvicorn to serve /healthz")
        return port

    def manage(self, args: list[str], env: dict, name: str) -> subprocess.Popen:
        return self._popen([sys.executable, "manage.py", *args], env, name)

    def python(self, args: list[str], env: dict, name: str) -> subprocess.Popen:
        return self._popen([sys.executable, *args], env, name)

    def stop_all(self) -> None:
        for proc in self.procs:
            stop_process(proc)
        _wait_for_other_sessions_to_end()


def _wait_for_other_sessions_to_end(timeout: float = 10) -> None:
    """A killed process's PostgreSQL sessions end a moment after it: wait, so that pytest-django
    can drop the test database at the end of the run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return

    def alone():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s", [SUBPROCESS_APP_NAME]
            )
            return cursor.fetchone()[0] == 0

    with contextlib.suppress(AssertionError):  # not a failure of the test under way; pytest-django will warn
        wait_for(alone, timeout=timeout, interval=0.2, what="subprocess sessions to end")


def session_cookie(user) -> str:
    """A logged-in session for ``user`` in the database the test's Django connection uses."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "community.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key
