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
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # bench/places.py & co. must not shadow the apps of the same name
sys.path.insert(0, str(ROOT))

from bench import forum, load  # noqa: E402
from bench.benchlib import free_port  # noqa: E402


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
    cookie = forum.session_cookies([world["user_ids"][3]])[0]
    pages = args.pages.split(",") if args.pages else ["/agenda/", f"/membres/?q={load.SEARCH_TERMS[1]}", f"/groupes/{world['group'].slug}/"]
    print(f"load average {load.load_avg()}; {args.seconds} s per run; server CPU per request (one uvicorn process)")
    for threads in [int(n) for n in args.threads.split(",")]:
        port = free_port()
        server = forum.start_server(port, 1, {**os.environ, "HTTP_THREADS": str(threads)})  # load.setup's production settings
        base = f"http://127.0.0.1:{port}"
        try:
            for path in pages:
                forum.load_test_wrk(base, [path], [cookie], 2, 2)  # warm: templates, prepared statements, caches
                for clients in [int(n) for n in args.clients.split(",")]:
                    before = load.CpuMeter._ticks(server.pid)
                    run = forum.load_test_wrk(base, [path], [cookie], clients, args.seconds)
                    used = (load.CpuMeter._ticks(server.pid) - before) / load.CpuMeter.TICK
                    print(
                        f"HTTP_THREADS={threads:<3} {path[:40]:<40} c={clients:<3} {run['rps']:7.1f} req/s  "
                        f"{used * 1000 / max(1, run['n']):5.1f} ms CPU/request  ({run['n']} requests, {run['errors']} errors)",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait()
    print(f"load average {load.load_avg()}")


if __name__ == "__main__":
    main()
