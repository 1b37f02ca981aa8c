"""Helpers shared by the bench scripts (imported as ``bench.benchlib``; not named ``common`` so it
never shadows the app of that name when a script runs from this folder)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# What the activity stream's items say, as ``community.services.activity_record`` writes them
# (verb, kind, title): group items, then the hub's (bench/dataset.py, bench/dashboard.py).
GROUP_ACTIVITY = [
    ("a ouvert le sujet", "groups", "Sujet"),
    ("a répondu dans", "groups", "Réponse"),
    ("a publié l'événement", "events", "Réunion"),
    ("a publié le compte rendu de", "events", "Compte rendu"),
]
HUB_ACTIVITY = [
    ("Nouvel appel à projets", "funding", "Appel"),
    ("a publié la ressource", "resources", "Ressource"),
    ("a rejoint le réseau", "members", "Bienvenue"),
]


def pct(values, p):
    """The p-th percentile, linearly interpolated; NaN for no values."""
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(base: str, procs: list[subprocess.Popen], seconds: float) -> bool:
    """Whether ``base``'s ``/healthz`` answers 200 within ``seconds``, polling while every process
    in ``procs`` (the servers behind it) still runs."""
    import requests  # noqa: PLC0415 - only the HTTP benches need it

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and all(proc.poll() is None for proc in procs):
        try:
            if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def stop_all(procs: list[subprocess.Popen], seconds: float = 15) -> None:
    """SIGTERM to every process, then each gets ``seconds`` to exit before SIGKILL."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()


def nginx_config(port: int, upstream_ports: list[int], folder: Path) -> str:
    """An nginx configuration for the bench: ``deploy/nginx.conf``'s upstream block (its balancing
    and keep-alive lines) over ``upstream_ports``, and its proxying of pages and websockets, on
    ``port`` (plain HTTP on the loopback; no TLS, no static files)."""
    deploy = (ROOT / "deploy" / "nginx.conf").read_text()
    upstream = re.search(r"upstream maillage_web \{(.*?)\n\}", deploy, re.S).group(1)
    settings = [line.strip() for line in upstream.splitlines() if line.strip() and not line.strip().startswith(("#", "server "))]
    servers = [f"server 127.0.0.1:{p};" for p in upstream_ports]
    upgrade = re.search(r"\nmap \$http_upgrade .*?\n\}", deploy, re.S).group(0)
    locations = "".join(re.search(rf"\n    location {where} \{{.*?\n    \}}", deploy, re.S).group(0) for where in ("/ws/", "/"))
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"worker_processes 1; daemon off; pid {folder / 'nginx.pid'}; error_log {folder / 'error.log'} warn;\n"
        "events { worker_connections 4096; }\n"
        f"http {{ access_log off; {temp}\n"
        f"  upstream maillage_web {{ {' '.join(settings + servers)} }}\n{upgrade}\n"
        f"  server {{ listen 127.0.0.1:{port};{locations}\n  }}\n"
        "}\n"
    )


def nginx_binary() -> str | None:
    """nginx's path, or None when it is not installed (``apt-get install nginx-light``)."""
    import shutil  # noqa: PLC0415

    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def start_nginx(port: int, upstream_ports: list[int]) -> subprocess.Popen:
    """nginx on ``port`` in front of the ASGI processes on ``upstream_ports`` (``nginx_config``),
    once it answers ``/healthz`` through them."""
    import tempfile  # noqa: PLC0415

    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (apt-get install nginx-light)")
    folder = Path(tempfile.mkdtemp(prefix="maillage-bench-nginx-"))
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(port, upstream_ports, folder))
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(folder)])
    if wait_healthy(f"http://127.0.0.1:{port}", [proc], 30):
        return proc
    stop_all([proc])
    raise RuntimeError(f"nginx did not start (see {folder / 'error.log'})")


@contextmanager
def asgi_server(*, workers: int) -> Iterator[str]:
    """The project under uvicorn on a free port, for benches that race real HTTP requests; yields the
    base URL once ``/healthz`` answers and stops the server on exit. ``CONN_MAX_AGE=0``: each
    request returns its connection, so the bench fits a small ``max_connections``."""
    port = free_port()
    env = {**os.environ, "ALLOWED_HOSTS": "127.0.0.1,localhost", "CONN_MAX_AGE": "0"}
    # --workers with TCP_NODELAY kept on every connection (bench/uvicorn_workers.py says why)
    launcher = str(Path(__file__).with_name("uvicorn_workers.py"))
    cmd = [sys.executable, launcher, "hub.asgi:application", "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen([*cmd, "--workers", str(workers), "--log-level", "warning"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(base, [server], 60):
            raise SystemExit("server did not start")
        yield base
    finally:
        stop_all([server], 20)


def post_race(base: str, posts, *, timeout: float = 60) -> tuple[list[float], list[int], float]:
    """Release every POST at once: one thread each, all held at one start line. ``posts`` are
    ``(session, path, data, referer_path)``; each sends its session's CSRF token. Returns the
    latencies, the statuses and the wall time."""
    barrier = threading.Barrier(len(posts))
    latencies, statuses = [], []
    lock = threading.Lock()

    def client(session, path, data, referer_path):
        payload = {**data, "csrfmiddlewaretoken": session.cookies.get("csrftoken")}
        barrier.wait()
        t0 = time.perf_counter()
        r = session.post(
            f"{base}{path}", data=payload, headers={"Referer": f"{base}{referer_path}"}, allow_redirects=False, timeout=timeout
        )
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)
            statuses.append(r.status_code)

    threads = [threading.Thread(target=client, args=post) for post in posts]
    t_start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, time.perf_counter() - t_start


def session_key(user) -> str:
    """A logged-in session for ``user``, created directly (bench accounts have no password)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "community.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def session_keys(user_ids) -> list[str]:
    from community.models import User

    return [session_key(user) for user in User.objects.filter(pk__in=user_ids).order_by("pk")]


def ensure_database() -> None:
    """Create the bench's PostgreSQL database when it does not exist yet (nothing to do on SQLite).

    Call after ``django.setup()``."""
    from django.db import connection  # noqa: PLC0415 - benchlib is imported before Django is set up by some scripts

    if connection.vendor != "postgresql":
        return
    import psycopg  # noqa: PLC0415

    settings = connection.settings_dict
    try:
        connection.ensure_connection()
    except Exception:
        dsn = f"host={settings['HOST'] or '127.0.0.1'} port={settings['PORT'] or 5432} user={settings['USER']} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def pg_database_ensure(url: str, rebuild: bool = False) -> None:
    """Create the PostgreSQL database of ``url`` when missing (``rebuild``: drop it first), before
    Django is set up — for the benches that bulk-build a large network of their own."""
    from urllib.parse import urlparse  # noqa: PLC0415

    import psycopg  # noqa: PLC0415

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def race_bench_setup(database: str) -> None:
    """Set up Django for the HTTP race benches (sign-up, date polls, bookings): their own database
    (``BENCH_DATABASE_URL``, default the local PostgreSQL database ``database``), dev settings with
    DEBUG off, the database task backend, Redis from ``BENCH_REDIS_URL`` unless ``REDIS_URL`` is
    set; the database is created when missing."""
    os.environ.update(
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{database}"),
        DJANGO_SETTINGS_MODULE="hub.settings.dev",
        DEBUG="false",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
    )
    os.environ.setdefault("REDIS_URL", os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    import django  # noqa: PLC0415

    django.setup()
    ensure_database()


def reply_poster(urls: list[str], topic, key: str):
    """A member (session ``key``) replying to ``topic`` through the web servers, alternating between
    ``urls`` as a load balancer would: the broadcast then runs in the process that served the POST.
    Each call posts once and returns ``(post_id, created_at epoch)`` — created_at is set at INSERT,
    before COMMIT, so a commit→client figure from it slightly overstates the delay."""
    import re  # noqa: PLC0415 - Django and requests load only in the benches that post

    import requests  # noqa: PLC0415
    from django.conf import settings  # noqa: PLC0415

    from groups.models import Post  # noqa: PLC0415

    path = f"/groupes/{topic.group.slug}/sujets/{topic.pk}/"
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, key)
    http.get(urls[0] + path)
    counter = iter(range(10**9))

    def poster():
        base = urls[next(counter) % len(urls)]
        response = http.post(
            base + path + "repondre/",
            data={"body": f"Message de fan-out {time.time()}", "csrfmiddlewaretoken": http.cookies.get(settings.CSRF_COOKIE_NAME, "")},
            headers={"Referer": base + "/"},
            allow_redirects=False,
        )
        post_id = int(re.search(r"#post-(\d+)", response.headers["Location"]).group(1))
        return post_id, Post.objects.get(pk=post_id).created_at.timestamp()

    return poster
