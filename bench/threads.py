#!/usr/bin/env python
"""Server CPU per request against the number of HTTP threads of one ASGI process (``HTTP_THREADS``).

    .venv/bin/python bench/threads.py                                  # 2 threads, then 64
    .venv/bin/python bench/threads.py --threads 1,2,4,64 --clients 1,10,40

On ``load.py``'s national dataset (built when missing; ``BENCH_DATABASE_URL``, default
``maillage_load``), production settings, it starts one uvicorn process per ``--threads`` value and
sends each page of ``--pages`` with ``wrk`` as one of the dataset's members, for ``--seconds`` per
run, at each number of ``--clients``. It prints requests/s and the CPU the server process used per
request (``/proc``: user + system). Where a request costs more CPU with more clients, the threads
fight over the interpreter lock; 64 threads is close to Django's own handler (a thread per request).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # bench/places.py & co. must not shadow the apps of the same name
sys.path.insert(0, str(ROOT))

from bench import load  # noqa: E402
from bench.benchlib import free_port, session_keys  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", default="2,64", help="HTTP_THREADS values, one server each")
    parser.add_argument("--clients", default="1,10,40", help="wrk connections per run")
    parser.add_argument("--pages", default="", help="paths, comma-separated (default: the agenda, a directory search, the big group)")
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_load")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    load.setup(db_url, redis_url)
    world = load.world()
    from django.conf import settings

    cookie = f"{settings.SESSION_COOKIE_NAME}={session_keys([world['user_ids'][3]])[0]}"
    pages = args.pages.split(",") if args.pages else ["/agenda/", f"/membres/?q={load.SEARCH_TERMS[1]}", f"/groupes/{world['group'].slug}/"]
    print(f"load average {load.load_avg()}; {args.seconds} s per run; server CPU per request (one uvicorn process)")
    for threads in [int(n) for n in args.threads.split(",")]:
        port = free_port()
        env = load.stack_env(db_url, redis_url, [port], "uvicorn") | {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "HTTP_THREADS": str(threads),
        }
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--lifespan",
            "off",
        ]
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            wait_ready(port)
            for path in pages:
                url = f"http://127.0.0.1:{port}{path}"
                wrk(url, cookie, clients=2, seconds=2)  # warm: templates, prepared statements, caches
                for clients in [int(n) for n in args.clients.split(",")]:
                    before = cpu_seconds(server.pid)
                    requests, per_second, non_2xx = wrk(url, cookie, clients=clients, seconds=args.seconds)
                    used = cpu_seconds(server.pid) - before
                    print(
                        f"HTTP_THREADS={threads:<3} {path[:40]:<40} c={clients:<3} {per_second:7.1f} req/s  "
                        f"{used * 1000 / max(1, requests):5.1f} ms CPU/request  ({requests} requests, {non_2xx} not 2xx)",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait()
    print(f"load average {load.load_avg()}")


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310 - local URL
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, cookie: str, *, clients: int, seconds: int) -> tuple[int, float, int]:
    out = subprocess.run(
        ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url], capture_output=True, text=True
    ).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    per_second = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return requests, per_second, int(non_2xx.group(1)) if non_2xx else 0


if __name__ == "__main__":
    main()
