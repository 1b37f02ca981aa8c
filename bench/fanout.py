#!/usr/bin/env python
"""Live fan-out bench (issue 18 item 3): a forum post, from its commit to the last websocket client.

    .venv/bin/python bench/fanout.py --clients 1000 --processes 1
    .venv/bin/python bench/fanout.py --clients 1000 --processes 2
    .venv/bin/python bench/fanout.py --clients 5000 --processes 2 --client-procs 2

It builds a small PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_fanout``: 5,100 members of one group and a
100-post topic, the same bulk inserts as ``bench/forum.py``), starts ``--processes`` ASGI server
processes (``--server``: uvicorn, the server of ``scripts/prod-like``, or daphne;
``hub.settings.dev`` with ``DEBUG=false``) sharing Redis (``BENCH_REDIS_URL``, default
``redis://127.0.0.1:6379/7``), and connects ``--clients`` logged-in members (each its own session)
to the topic's websocket, spread evenly over the processes. The clients run in ``--client-procs``
separate processes (a lean asyncio client: the ``websockets`` library, offering no compression;
only the message's head is parsed). Once every client has synced, a member replies ``--rounds``
times through the web servers' reply form (alternating processes, as nginx would); the time from
the post's commit to its arrival at each client is measured. The commit time is the post's
``created_at`` (set at INSERT, a few milliseconds before COMMIT), so the figures slightly
overstate commit→client.

It prints connected/expected, delivered/expected, p50/p95/p99/max over every (post, client)
arrival, the per-post time to the *last* client (p50/p95/max), per-server-process figures and the
load average before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

from bench.benchlib import free_port, pct, reply_poster, stop_all, wait_healthy  # noqa: E402

SECRET_KEY = "bench-fanout-local-only-6b1d3f5a7c9e0b2d4f6a8c1e3b5d7f9a0c2e4b6d8f1a"
SIZE = {"members": 5_100, "groups": 2, "posts": 200, "big_topic": 100, "ws_clients": 5_050, "requests": 0}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (from /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_avg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def server_env(db_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        # hub.settings.dev with DEBUG off, as bench/forum.py: production's settings but static
        # files served from the app folders (no collectstatic).
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "dummymail://",
        "CACHE_PREFIX": "bench-fanout",
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL_MAX": os.environ.get("DATABASE_POOL_MAX", "10"),
    }


def server_command(server: str, port: int) -> list[str]:
    """The command line of ``scripts/prod-like`` for ``server`` (daphne or uvicorn)."""
    if server == "daphne":
        return [str(Path(sys.executable).parent / "daphne"), "-b", "127.0.0.1", "-p", str(port), "-v", "0", "hub.asgi:application"]
    cmd = [sys.executable, "-m", "uvicorn", "hub.asgi:application", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return [*cmd, "--no-access-log", "--lifespan", "off", "--ws", "websockets-sansio", "--ws-per-message-deflate", "false"]


def start_servers(n: int, env: dict, server: str) -> tuple[list[subprocess.Popen], list[str]]:
    procs, urls = [], []
    for _ in range(n):
        port = free_port()
        cmd = server_command(server, port)
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env))
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 300
    for url, proc in zip(urls, procs, strict=True):
        if not wait_healthy(url, [proc], deadline - time.monotonic()):
            raise SystemExit(f"{url} did not start")
    return procs, urls


# --- the clients (separate processes; no Django) ----------------------------------------------------
def client_process(conn, urls: list[str], path: str, cookie_name: str, jobs: list[tuple[int, str]], last_id: int) -> None:
    """Connect every job's client (index, session key), report "ready", record arrivals until told
    to stop, then send back ``{post_id: [(server index, epoch seconds), …]}``."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    asyncio.run(_clients(conn, urls, path, cookie_name, jobs, last_id))


async def _clients(conn, urls, path, cookie_name, jobs, last_id):
    import websockets

    arrivals: dict[int, list[tuple[int, float]]] = {}
    synced = retries = 0
    failed: list[str] = []  # failed handshakes (each retried)
    dropped: list[str] = []  # sockets lost after their sync
    gate = asyncio.Semaphore(25)  # a thousand browsers do not open their sockets in the same millisecond
    head = len('{"type": "post", "action": "new", "post_id": ')

    async def client(i: int, key: str):
        """Like the topic page's script (static/js/ws.js): connect, ask for what was missed, and
        on a refused or dropped handshake retry after a jittered back-off."""
        nonlocal synced, retries
        server = i % len(urls)
        base = urls[server]
        delay = 0.5
        while True:
            try:
                async with gate:
                    ws = await websockets.connect(
                        base.replace("http://", "ws://") + path,
                        additional_headers={"Cookie": f"{cookie_name}={key}", "Origin": base},
                        compression=None,
                        max_size=2**22,
                        open_timeout=120,
                        ping_interval=None,
                    )
                    await ws.send(json.dumps({"type": "since", "last_id": last_id}))
                    while True:
                        message = json.loads(await ws.recv())
                        if message.get("type") == "synced":
                            break
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failed.append(type(exc).__name__)
                retries += 1
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 15)
        synced += 1
        try:
            async with ws:
                async for raw in ws:
                    now = time.time()
                    # Only the head is read: '{"type": "post", "action": "new", "post_id": 123, …'
                    if raw.startswith('{"type": "post", "action": "new", "post_id": '):
                        arrivals.setdefault(int(raw[head : raw.index(",", head)]), []).append((server, now))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a socket lost after sync: its missing posts show in delivered/expected
            dropped.append(type(exc).__name__)

    t0 = time.monotonic()
    tasks = [asyncio.create_task(client(i, key)) for i, key in jobs]
    while synced < len(jobs) and time.monotonic() - t0 < 900:
        await asyncio.sleep(0.1)
    conn.send({"synced": synced, "failed": failed, "seconds": time.monotonic() - t0})
    await asyncio.to_thread(conn.recv)  # "stop"
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    conn.send({"arrivals": arrivals, "dropped": dropped})


# --- the bench -------------------------------------------------------------------------------------
def setup(db_url: str, redis_url: str):
    from bench import forum

    forum.ensure_database(db_url, rebuild=False)
    os.environ.update({k: v for k, v in server_env(db_url, redis_url).items() if k not in ("DATABASE_POOL_MAX",)})
    os.environ["CONN_MAX_AGE"] = "0"
    import django

    django.setup()
    return forum.build(SIZE, print)


def poster_for(urls: list[str], topic, key: str):
    """A member replying through the web servers (``bench.benchlib.reply_poster``)."""
    return reply_poster(urls, topic, key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000, help="websocket clients (at most 5,050)")
    parser.add_argument("--processes", type=int, default=1, help="ASGI server processes sharing Redis")
    parser.add_argument("--client-procs", type=int, default=1, help="processes running the websocket clients")
    parser.add_argument("--rounds", type=int, default=10, help="posts measured (after one warm-up post per process)")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between two posts")
    parser.add_argument(
        "--server", choices=["uvicorn", "daphne"], default="uvicorn", help="ASGI server (uvicorn: scripts/prod-like's default)"
    )
    parser.add_argument("--py-spy", metavar="PREFIX", help="record the first server (and client) process with py-spy during the posts")
    args = parser.parse_args()
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_fanout")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    print(f"== fan-out bench: {args.clients} clients, {args.processes} {args.server} process(es), {args.client_procs} client process(es)")
    print(f"   {db_url}, Redis {redis_url}; load average {load_avg()}")
    world = setup(db_url, redis_url)
    from django.conf import settings
    from django.db import connections

    from bench.benchlib import session_keys

    print(f"   channel layer: {settings.CHANNEL_LAYERS['default']['BACKEND']}")
    topic = world["topic"]
    user_ids = world["member_ids"][: args.clients + 1]
    keys = session_keys(user_ids)
    poster_key, keys = keys[0], keys[1:]
    last_id = topic.posts.order_by("-id").values_list("id", flat=True).first() or 0
    connections.close_all()
    procs, urls = start_servers(args.processes, server_env(db_url, redis_url), args.server)
    clients = []
    try:
        path = f"/ws/groupes/{topic.group.slug}/sujets/{topic.pk}/"
        jobs = list(enumerate(keys))
        random.Random(1).shuffle(jobs)
        ctx = multiprocessing.get_context("spawn")
        for n in range(args.client_procs):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=client_process, args=(child, urls, path, settings.SESSION_COOKIE_NAME, jobs[n :: args.client_procs], last_id)
            )
            proc.start()
            clients.append((proc, parent))
        t0 = time.monotonic()
        ready = [conn.recv() for _proc, conn in clients]
        synced = sum(r["synced"] for r in ready)
        failed = [f for r in ready for f in r["failed"]]
        print(
            f"connect     {synced}/{len(keys)} clients connected and synced in {time.monotonic() - t0:.1f} s "
            f"({len(failed)} handshakes refused or timed out and retried{': ' + ', '.join(sorted(set(failed))) if failed else ''}); "
            f"load average {load_avg()}"
        )
        poster = poster_for(urls, topic, poster_key)
        time.sleep(2)
        for _url in urls:  # one warm-up post per process, not counted (its first render and Redis
            poster()  # script loads): posts alternate between processes, as a balancer would send them
            time.sleep(args.interval)
        watched = {"servers": [p.pid for p in procs], "clients": [p.pid for p, _c in clients]}
        cpu_before = {k: sum(cpu_seconds(pid) for pid in pids) for k, pids in watched.items()}
        spies = []
        if args.py_spy:
            duration = str(int(args.rounds * args.interval + 2))
            for label, pid in (("server", procs[0].pid), ("client", clients[0][0].pid)):
                spy = ["py-spy", "record", "-p", str(pid), "-d", duration, "-r", "200", "-f", "raw", "-o", f"{args.py_spy}-{label}.txt"]
                spies.append(subprocess.Popen(spy, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        commits = {}
        for _ in range(args.rounds):
            post_id, committed_at = poster()
            commits[post_id] = committed_at
            time.sleep(args.interval)
        time.sleep(3)
        cpu = {k: sum(cpu_seconds(pid) for pid in pids) - cpu_before[k] for k, pids in watched.items()}
        for spy in spies:
            spy.wait()
        arrivals: dict[int, list[tuple[int, float]]] = {}
        for _proc, conn in clients:
            conn.send("stop")
        dropped = []
        for _proc, conn in clients:
            result = conn.recv()
            dropped += result["dropped"]
            for pid, times in result["arrivals"].items():
                arrivals.setdefault(int(pid), []).extend(times)
        delays = [(t - commits[pid]) * 1000 for pid, times in arrivals.items() if pid in commits for _s, t in times]
        last = [max((t - commits[pid]) * 1000 for _s, t in arrivals[pid]) if arrivals.get(pid) else float("nan") for pid in commits]
        expected = len(keys) * args.rounds
        print(
            f"fan-out     {len(keys)} clients × {args.rounds} posts over {args.processes} process(es): delivered/expected "
            f"{len(delays)}/{expected} = {len(delays) / expected if expected else 0:.3f}; commit→client p50 {pct(delays, 50):.0f} ms, "
            f"p95 {pct(delays, 95):.0f} ms, p99 {pct(delays, 99):.0f} ms, max {max(delays) if delays else float('nan'):.0f} ms; "
            f"{len(dropped)} sockets dropped after sync"
        )
        print(
            f"            commit→last client, per post: p50 {pct(last, 50):.0f} ms, p95 {pct(last, 95):.0f} ms, max {max(last):.0f} ms "
            f"({', '.join(f'{v:.0f}' for v in last)})"
        )
        for n, url in enumerate(urls):
            mine = [(t - commits[pid]) * 1000 for pid, times in arrivals.items() if pid in commits for s, t in times if s == n]
            print(f"            {url}: {len(mine)} deliveries, p50 {pct(mine, 50):.0f} ms, p95 {pct(mine, 95):.0f} ms")
        print(
            f"            CPU per post (measured phase, idle seconds included): servers {cpu['servers'] / args.rounds * 1000:.0f} ms, "
            f"clients {cpu['clients'] / args.rounds * 1000:.0f} ms"
        )
        print(f"            load average after: {load_avg()}")
    finally:
        for proc, _conn in clients:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.terminate()
        stop_all(procs, 20)


if __name__ == "__main__":
    main()
