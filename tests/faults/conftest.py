"""Fixtures for the fault tests: private Redis and PostgreSQL servers we may stop at will and an
SMTP sink (ASGI and worker subprocesses: ``servers`` and tests/liveserver.py).

The shared PostgreSQL cluster and the shared Redis on 6379 are never stopped: every server a
test breaks is its own, on a free port, in a temporary directory removed at the end. Every
process started here is stopped by a finalizer, even when the test fails.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.liveserver import free_port, stop_process, wait_for


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- Redis -------------------------------------------------------------------------------------
class PrivateRedis:
    """A throw-away redis-server (no persistence): ``stop()`` and ``start()`` at will."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=20, what="the private redis-server")

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        stop_process(self.proc)
        self.proc = None


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    directory = Path(tempfile.mkdtemp(prefix="maillage-faults-redis-"))
    server = PrivateRedis(directory)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- PostgreSQL --------------------------------------------------------------------------------
def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (trust auth, no fsync) on a free port.

    Databases are filled by copying the test database (``clone_test_database``): a dump of an
    already migrated schema loads in a second or two, where ``migrate`` takes much longer.
    """

    def __init__(self, bindir: Path, directory: Path):
        self.bindir = bindir
        self.dir = directory
        self.data = directory / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([*self.as_postgres, *args], check=True, capture_output=True, text=True, timeout=120, **kwargs)

    def init(self) -> None:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c max_connections=250 -c shared_buffers=32MB "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "postgres.log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    @property
    def running(self) -> bool:
        return _port_open(self.port)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def clone_test_database(self, name: str) -> str:
        """Create ``name`` here as a copy of the test database (schema and current rows)."""
        from django.db import connection

        db = connection.settings_dict
        source = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres"]
        env = {**os.environ, "PGPASSWORD": db["PASSWORD"] or ""}
        target = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        subprocess.run(["psql", *target, "-d", "postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True, capture_output=True, timeout=60)
        dump = subprocess.run(
            ["pg_dump", *source, "--no-owner", "--no-privileges", db["NAME"]], check=True, capture_output=True, timeout=120, env=env
        )
        subprocess.run(
            ["psql", *target, "-d", name, "-q", "-v", "ON_ERROR_STOP=1"], input=dump.stdout, check=True, capture_output=True, timeout=120
        )
        return self.url(name)


@pytest.fixture(scope="session")
def private_postgres():
    bindir = _pg_bin()
    if bindir is None or not shutil.which("pg_dump"):
        pytest.skip("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")
    directory = Path(tempfile.mkdtemp(prefix="maillage-faults-pg-"))
    cluster = PrivatePostgres(bindir, directory)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.SubprocessError):
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


# --- SMTP ----------------------------------------------------------------------------------------
class SmtpSink:
    """A local SMTP server keeping every message it accepts (aiosmtpd, in a thread)."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list = []
        self.controller = None

    def start(self) -> None:
        from email import message_from_bytes

        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                sink.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_sink():
    """An SMTP sink on a free port, not started: the test starts it when SMTP should come back."""
    pytest.importorskip("aiosmtpd")
    sink = SmtpSink(free_port())
    try:
        yield sink
    finally:
        sink.stop()
