#!/usr/bin/env python
"""Forum benchmark on PostgreSQL + Redis: page latency under load and websocket fan-out.

    .venv/bin/python bench/forum.py            # 10,000 members, 200 groups, 200,000 posts
    .venv/bin/python bench/forum.py --small    # a quick run (1,000 / 20 / 10,000)
    .venv/bin/python bench/forum.py --rebuild  # drop and rebuild the bench database

It builds its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench``) with bulk inserts, starts the deploy's
topology — one uvicorn process per ``--workers``, each on its own port and sharing
``BENCH_REDIS_URL``, behind nginx with ``deploy/nginx.conf``'s upstream (``apt-get install
nginx-light``; ``--direct``, or no nginx: ``uvicorn --workers N`` on one shared socket, whose
clients stay with the process that accepted them) — then prints:

* the page matrix (issue 18), for a visitor (the bench group is made public) and a logged-in
  member: p50 / p95 of serial requests, requests/s and p95 at 10 and 20 concurrent clients,
  queries per page (counted in process) and the compressed weight (gzip of the HTML and of the
  CSS and JS files it loads), for the group page, the topic page (first page and page 10 of the
  big topic), the members' directory and a profile (``--matrix-only`` stops there);
* p50 / p95 latency and requests/s of the topic page (the 2,000-post topic, first and last
  pages) and of the group page, with 20 concurrent logged-in clients;
* websocket fan-out: the time from a post's commit to its arrival at each of 500 connected
  clients (p50, p95, max) and delivered / expected.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchlib import free_port, nginx_binary, pct, session_keys, start_nginx, stop_all, wait_healthy  # noqa: E402
from bench.benchlib import pg_database_ensure as ensure_database  # noqa: E402 - dashboard, fanout, messages call forum.ensure_database

SIZES = {
    "full": {"members": 10_000, "groups": 200, "posts": 200_000, "big_topic": 2_000, "ws_clients": 500, "requests": 600},
    "small": {"members": 1_000, "groups": 20, "posts": 10_000, "big_topic": 300, "ws_clients": 50, "requests": 200},
}
PASSWORD_HASH = "md5$bench$0000"  # nobody logs in with a password: sessions are created directly


def setup_django(db_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "hub.settings.dev"
    os.environ["DEBUG"] = "false"
    import django

    django.setup()


def build(size: dict, out) -> dict:
    """Bulk-insert the bench network (idempotent: reuses a database already built at this size)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from community.models import MemberStatus, Profile, User
    from groups.models import AccessMode, Group, Membership, Post, Topic

    call_command("migrate", verbosity=0)
    marker = f"bench-{size['members']}-{size['groups']}-{size['posts']}"
    if Group.objects.filter(slug=marker).exists():
        out(f"reusing bench data ({marker})")
        return _describe(marker)
    rng = random.Random(42)
    t0 = time.monotonic()
    with transaction.atomic():
        users = [
            User(username=f"bench{i}", email=f"bench{i}@bench.invalid", first_name="Membre", last_name=f"n°{i}", password=PASSWORD_HASH)
            for i in range(size["members"])
        ]
        User.objects.bulk_create(users, batch_size=5000)
        users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
        Profile.objects.bulk_create(
            [Profile(user=u, display_name=f"Membre n°{i}", status=MemberStatus.APPROVED) for i, u in enumerate(users)],
            batch_size=5000,
            ignore_conflicts=True,
        )
        out(f"  {len(users)} members ({time.monotonic() - t0:.0f} s)")
        groups = [
            Group(
                name=f"Groupe bench {i}",
                slug=marker if i == 0 else f"{marker}-g{i}",
                access=AccessMode.OPEN if i % 10 else AccessMode.REQUEST,
                description="Groupe de **bench**.",
            )
            for i in range(size["groups"])
        ]
        Group.objects.bulk_create(groups)
        groups = list(Group.objects.filter(slug__startswith=marker).order_by("pk"))
        memberships = []
        for gi, group in enumerate(groups):
            members = users[: size["ws_clients"] + 50] if gi == 0 else rng.sample(users, min(len(users), 250))
            memberships += [Membership(group=group, user=u, role="owner" if j == 0 else "member") for j, u in enumerate(members)]
        Membership.objects.bulk_create(memberships, batch_size=10000, ignore_conflicts=True)
        out(f"  {len(groups)} groups, {len(memberships)} memberships ({time.monotonic() - t0:.0f} s)")
        topics_per_group = max(1, (size["posts"] - size["big_topic"]) // (size["groups"] * 20))
        topics = [
            Topic(group=g, author=rng.choice(users), title=f"Sujet {ti} du groupe {gi}", tags=["bench"])
            for gi, g in enumerate(groups)
            for ti in range(topics_per_group)
        ]
        Topic.objects.bulk_create(topics, batch_size=5000)
        topics = list(Topic.objects.filter(group__slug__startswith=marker).order_by("pk"))
        big = topics[0]
        big.title = "Le grand sujet du bench"
        big.save(update_fields=["title"])
        words = ["accompagnement", "numérique", "atelier", "démarches", "seniors", "médiation", "inclusion", "réseau", "usages"]
        remaining = size["posts"] - size["big_topic"]
        batch = []
        created = 0

        def flush():
            nonlocal batch, created
            Post.objects.bulk_create(batch, batch_size=5000)
            created += len(batch)
            batch = []

        for _ in range(size["big_topic"]):
            batch.append(Post(topic=big, author=rng.choice(users[:500]), body=" ".join(rng.choices(words, k=30))))
            if len(batch) >= 20000:
                flush()
        others = topics[1:]
        for i in range(remaining):
            batch.append(Post(topic=others[i % len(others)], author=rng.choice(users), body=" ".join(rng.choices(words, k=30))))
            if len(batch) >= 20000:
                flush()
                out(f"  {created} posts ({time.monotonic() - t0:.0f} s)")
        flush()
        with connection.cursor() as cur:
            cur.execute(
                """UPDATE groups_topic t SET post_count = s.n, last_post_at = s.last_at, last_post_id_cache = s.last_id
                   FROM (SELECT topic_id, COUNT(*) n, MAX(created_at) last_at, MAX(id) last_id FROM groups_post GROUP BY topic_id) s
                   WHERE s.topic_id = t.id"""
            )
        Topic.objects.filter(pk=big.pk).update(last_post_at=timezone.now())
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    out(f"built in {time.monotonic() - t0:.0f} s")
    return _describe(marker)


def _describe(marker: str) -> dict:
    from community.models import User
    from groups.models import Group, Membership, Post, Topic

    group = Group.objects.get(slug=marker)
    big = Topic.objects.filter(group=group).order_by("pk").first()
    members = list(User.objects.filter(group_memberships__group=group).order_by("pk").values_list("pk", flat=True))
    return {
        "group": group,
        "topic": big,
        "member_ids": members,
        "counts": {
            "members": User.objects.filter(username__startswith="bench").count(),
            "groups": Group.objects.filter(slug__startswith=marker).count(),
            "posts": Post.objects.count(),
            "big_topic_posts": big.posts.count(),
            "memberships": Membership.objects.count(),
        },
    }


def session_cookies(user_ids) -> list[str]:
    from django.conf import settings

    return [f"{settings.SESSION_COOKIE_NAME}={key}" for key in session_keys(user_ids)]


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    cmd = [
        sys.executable,
        str(Path(__file__).with_name("uvicorn_workers.py")),  # --workers with TCP_NODELAY kept (see that file)
        "hub.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "off",
        "--ws",
        "websockets-sansio",
        # longer than nginx's upstream keepalive_timeout, as in production
        "--timeout-keep-alive",
        "75",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    # importing Django + Wagtail in each worker is slow on a busy machine
    if wait_healthy(f"http://127.0.0.1:{port}", [proc], 300):
        return proc
    proc.kill()
    raise RuntimeError("bench server did not start")


def start_behind_nginx(port: int, processes: int, env: dict) -> list[subprocess.Popen]:
    """The deploy's topology (``deploy/nginx.conf``): one uvicorn process per port, nginx in front
    balancing requests between them (``least_conn``) over kept-alive connections. Clients that
    connect to the shared socket of ``--workers N`` stay with the process that accepted them, so
    10 or 20 clients can split unevenly (a visitor page served by one process at 10 clients and
    by both at 20); nginx sends each request to the least busy process."""
    ports = [free_port() for _ in range(processes)]
    servers: list[subprocess.Popen] = []
    try:
        servers.extend(start_server(p, 1, env) for p in ports)
        servers.append(start_nginx(port, ports))
    except RuntimeError:
        stop_all(servers)
        raise
    return servers


def load_test(base: str, paths: list[str], cookies: list[str], clients: int, total: int) -> dict:
    """``clients`` threads with keep-alive sessions share ``total`` GETs over ``paths``."""
    import requests

    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker(n):
        session = requests.Session()
        session.headers["Cookie"] = cookies[n % len(cookies)]
        session.get(base + paths[0])  # warm the connection
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            response = session.get(base + paths[i % len(paths)], allow_redirects=False)
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(elapsed)
                if response.status_code != 200:
                    errors.append(response.status_code)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(worker, range(clients)))
    wall = time.perf_counter() - start
    return {"n": len(latencies), "p50": pct(latencies, 50), "p95": pct(latencies, 95), "rps": len(latencies) / wall, "errors": len(errors)}


WRK_SCRIPT = """
local cookies = {%(cookies)s}
local paths = {%(paths)s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n %% #paths) + 1], {["Cookie"] = cookies[(n * 7 + math.random(0, 1000)) %% #cookies + 1]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %%d %%d %%.3f %%.3f %%.3f %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""


def load_test_wrk(base: str, paths: list[str], cookies: list[str], clients: int, seconds: int) -> dict:
    """The same closed loop driven by wrk (C, one thread per core): the client costs the server
    machine far less CPU than Python threads. Every request carries another member's session;
    wrk counts any status ≥ 400 and every socket error as an error (pages answer 200)."""
    import shutil
    import tempfile

    def lua(values):
        return ", ".join('"' + v.replace('"', "") + '"' for v in values)

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % {"cookies": lua(cookies), "paths": lua(paths)})
    try:
        result = subprocess.run(
            [
                shutil.which("wrk"),
                "-t",
                str(min(2, clients)),
                "-c",
                str(clients),
                "-d",
                f"{seconds}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(x for x in result.stdout.splitlines() if x.startswith("WRK "))
    n, duration_us, p50, p95, p99, errors = line.split()[1:]
    n = int(n)
    return {"n": n, "p50": float(p50), "p95": float(p95), "p99": float(p99), "rps": n / (int(duration_us) / 1e6), "errors": int(errors)}


async def fanout(ws_base: str, path: str, cookies: list[str], rounds: int, poster, last_id: int) -> dict:
    """Each client behaves like the topic page's script: connect, ask for what it missed since
    ``last_id``, wait for "synced", then count live posts; on failure it retries with jittered
    back-off (static/js/ws.js)."""
    import json

    import websockets

    arrivals: dict[int, list[float]] = {}
    synced: set[int] = set()
    retries = 0

    async def client(n, cookie):
        nonlocal retries
        delay = 0.5
        while True:
            try:
                async with websockets.connect(
                    ws_base + path,
                    additional_headers={"Cookie": cookie, "Origin": "http://127.0.0.1"},
                    max_size=2**22,
                    open_timeout=60,
                ) as ws:
                    await ws.send(json.dumps({"type": "since", "last_id": last_id}))
                    async for raw in ws:
                        now = time.time()
                        data = json.loads(raw)
                        if data.get("type") == "synced":
                            synced.add(n)
                        elif data.get("type") == "post" and data.get("action") == "new":
                            arrivals.setdefault(data["post_id"], []).append(now)
                return
            except (TimeoutError, OSError, websockets.WebSocketException):
                retries += 1
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 15)

    started = time.monotonic()
    clients = [asyncio.create_task(client(n, cookie)) for n, cookie in enumerate(cookies)]
    deadline = started + 240
    while len(synced) < len(cookies) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    connect_time = time.monotonic() - started
    await asyncio.sleep(1)
    # A warm-up post, not counted: the server was just started (first fragment render, first
    # channel-layer script load) and a long-running server is warm.
    await asyncio.to_thread(poster)
    await asyncio.sleep(1.5)
    commits = {}
    for _ in range(rounds):
        post_id, committed_at = await asyncio.to_thread(poster)
        commits[post_id] = committed_at
        await asyncio.sleep(1.5)
    await asyncio.sleep(2)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    delays = [(t - commits[pid]) * 1000 for pid, times in arrivals.items() if pid in commits for t in times]
    per_post = [pct([(t - commits[pid]) * 1000 for t in arrivals.get(pid, [])], 50) for pid in commits]
    return {
        "connected": len(synced),
        "connect_time": connect_time,
        "retries": retries,
        "expected": len(cookies) * rounds,
        "delivered": len(delays),
        "p50": pct(delays, 50),
        "p95": pct(delays, 95),
        "max": max(delays) if delays else float("nan"),
        "per_post": per_post,
    }


def page_weight(base: str, path: str, cookie: str) -> tuple[int, int]:
    """Bytes of the page gzip-compressed (level 6, as a server would), HTML alone and with the CSS
    and JS files it loads (images apart)."""
    import gzip
    import re

    import requests

    session = requests.Session()
    if cookie:
        session.headers["Cookie"] = cookie
    html = session.get(base + path, allow_redirects=False).content
    total = len(gzip.compress(html, 6))
    assets = set(re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)) | set(re.findall(rb'<script[^>]+src="([^"]+)"', html))
    seen = set()
    for asset in assets:
        url = asset.decode()
        if url in seen or not url.startswith("/"):
            continue
        seen.add(url)
        body = session.get(base + url).content
        total += len(gzip.compress(body, 6))
        # ES modules import their helpers: count those too
        for imported in re.findall(rb'from "\./([\w.-]+\.js)"', body):
            sub = url.rsplit("/", 1)[0] + "/" + imported.decode()
            if sub not in seen:
                seen.add(sub)
                total += len(gzip.compress(session.get(base + sub).content, 6))
    return len(gzip.compress(html, 6)), total


def count_queries(path: str, session_key: str | None) -> int:
    """Queries of one GET of ``path`` in this process (second GET: fragments cached, as in steady use)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        client.get(path)
    return len(ctx.captured_queries)


def page_matrix(
    base: str, pages: list[tuple[str, str]], viewers: dict, serial: int, concurrent: int, out, wrk_seconds: int = 0
) -> list[dict]:
    """Serial p50/p95, req/s and p95 at 10 and 20 clients, queries and weight for each page × viewer.
    With ``wrk_seconds`` the concurrent runs are driven by wrk for that long (a C client: the
    Python threads' own CPU no longer competes with the server on a 2-core machine)."""
    import requests

    rows = []
    for viewer, (cookies, key) in viewers.items():
        for label, path in pages:
            session = requests.Session()
            if cookies[0]:
                session.headers["Cookie"] = cookies[0]
            status = session.get(base + path, allow_redirects=False).status_code
            if status != 200:
                out(f"{viewer:<9} {label:<22} {status} (not a page for this viewer)")
                continue
            times = []
            for _ in range(serial):
                t = time.perf_counter()
                session.get(base + path, allow_redirects=False)
                times.append((time.perf_counter() - t) * 1000)
            row = {"viewer": viewer, "page": label, "p50": pct(times, 50), "p95": pct(times, 95)}
            for clients in (10, 20):
                if wrk_seconds:
                    load_test(base, [path], cookies, clients, clients * 2)  # warm every connection's path
                    r = load_test_wrk(base, [path], cookies, clients, wrk_seconds)
                else:
                    r = load_test(base, [path], cookies, clients, concurrent)
                row[f"rps{clients}"], row[f"p95_{clients}"], row[f"errors{clients}"] = r["rps"], r["p95"], r["errors"]
            row["queries"] = count_queries(path, key)
            row["html_kb"], row["total_kb"] = (n / 1024 for n in page_weight(base, path, cookies[0]))
            out(
                f"{viewer:<9} {label:<22} serial p50 {row['p50']:6.1f} ms p95 {row['p95']:6.1f} ms | c=10 {row['rps10']:5.0f} req/s "
                f"p95 {row['p95_10']:6.0f} ms | c=20 {row['rps20']:5.0f} req/s p95 {row['p95_20']:6.0f} ms | errors "
                f"{row['errors10'] + row['errors20']} | {row['queries']} queries | {row['total_kb']:.1f} KB gz ({row['html_kb']:.1f} KB HTML)"
            )
            rows.append(row)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", action="store_true", help="a quick run on a small network")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")), help="ASGI server processes")
    parser.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients")
    parser.add_argument("--rounds", type=int, default=10, help="posts sent for the fan-out measure")
    parser.add_argument("--fanout-only", action="store_true", help="skip the page load test")
    parser.add_argument("--matrix-only", action="store_true", help="only the page matrix (visitor and member, 4 pages)")
    parser.add_argument("--serial", type=int, default=100, help="serial requests per page in the matrix")
    parser.add_argument("--matrix-requests", type=int, default=300, help="requests per concurrent run in the matrix")
    parser.add_argument("--matrix-seconds", type=int, default=10, help="duration of each wrk run in the matrix")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="clients connect to uvicorn --workers N's shared socket (earlier passes) instead of nginx over one process per worker",
    )
    parser.add_argument("--python-client", action="store_true", help="drive the page load with Python threads even if wrk is installed")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each wrk run")
    parser.add_argument("--ws-clients", type=int, default=0, help="websocket clients (default: 500, or 50 with --small)")
    parser.add_argument("--requests", type=int, default=0, help="requests per page type (default: 600, or 200 with --small)")
    args = parser.parse_args()
    size = SIZES["small" if args.small else "full"]
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench" + ("_small" if args.small else ""))
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    out = print
    behind_nginx = not args.direct and nginx_binary() is not None
    topology = f"nginx over {args.workers} uvicorn processes" if behind_nginx else f"{args.workers} ASGI worker(s), no nginx"
    out(f"== Maillage forum bench ({'small' if args.small else 'full'}) on {db_url}, {topology}, Redis {redis_url}")
    ensure_database(db_url, args.rebuild)
    setup_django(db_url, redis_url)
    world = build(size, out)
    out("data: " + ", ".join(f"{k} {v}" for k, v in world["counts"].items()))
    group, topic = world["group"], world["topic"]
    cookies = session_cookies(world["member_ids"][: max(args.clients, size["ws_clients"])])
    from django.db import connections

    connections.close_all()
    port = free_port()
    # PostgreSQL connections come from each process' pool (DATABASE_POOL, hub/settings/base.py).
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
    }
    servers = start_behind_nginx(port, args.workers, env) if behind_nginx else [start_server(port, args.workers, env)]
    base = f"http://127.0.0.1:{port}"
    try:
        from groups.selectors import POSTS_PER_PAGE

        last_page = max(1, -(-world["counts"]["big_topic_posts"] // POSTS_PER_PAGE))
        topic_paths = [f"/groupes/{group.slug}/sujets/{topic.pk}/", f"/groupes/{group.slug}/sujets/{topic.pk}/?page={last_page}"]
        group_paths = [f"/groupes/{group.slug}/"]
        from groups.models import AccessMode, Group
        from groups.visitor_cache import visitor_pages_expire

        # the bench group opens to visitors (an open, public group) for the visitor rows
        Group.objects.filter(pk=group.pk).update(access=AccessMode.OPEN, is_public=True)
        visitor_pages_expire(group.pk)
        deep_page = min(last_page, 10)
        member = world["member_ids"][1]
        pages = [
            ("group page", f"/groupes/{group.slug}/"),
            ("topic page, first", f"/groupes/{group.slug}/sujets/{topic.pk}/"),
            (f"topic page, page {deep_page}", f"/groupes/{group.slug}/sujets/{topic.pk}/?page={deep_page}"),
            ("directory", "/membres/"),
            ("profile", f"/membres/{member}/"),
        ]
        keys = [c.split("=", 1)[1] for c in cookies]
        out(f"load average before the matrix: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        import shutil

        use_wrk = shutil.which("wrk") and not args.python_client
        out(f"matrix client: {'wrk, ' + str(args.matrix_seconds) + ' s per run' if use_wrk else 'Python threads'}")
        viewers = {"visitor": ([""], None), "member": (cookies, keys[0])}
        page_matrix(base, pages, viewers, args.serial, args.matrix_requests, out, args.matrix_seconds if use_wrk else 0)
        out(f"load average after the matrix: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.matrix_only:
            return
        for label, paths in () if args.fanout_only else (("topic page", topic_paths), ("group page", group_paths)):
            warm = load_test(base, paths, cookies, args.clients, args.clients * 2)  # warm-up, and every session answers 200
            if warm["errors"]:
                raise SystemExit(f"{label}: {warm['errors']} warm-up requests did not answer 200")
            if use_wrk:
                r = load_test_wrk(base, paths, cookies, args.clients, args.seconds)
                client = f"wrk, {args.seconds} s"
            else:
                r = load_test(base, paths, cookies, args.clients, args.requests or size["requests"])
                client = "Python threads"
            out(
                f"{label:<11} {args.clients} clients ({client}), {r['n']} requests: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, "
                f"{r['rps']:.0f} req/s, errors {r['errors']}"
            )

        import re

        import requests

        from groups.models import Post

        # A member posts through the web server, as in real life: the broadcast runs in the web
        # process that served the POST. The post's created_at (set at INSERT, before COMMIT) is
        # the start of the measure, so the figure slightly overstates commit→arrival.
        author = requests.Session()
        author.headers["Cookie"] = cookies[0]
        topic_url = f"{base}/groupes/{group.slug}/sujets/{topic.pk}/"
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', author.get(topic_url).text).group(1)
        author.headers["Cookie"] += "; " + "; ".join(f"{k}={v}" for k, v in author.cookies.items())

        def poster():
            response = author.post(
                topic_url + "repondre/",
                data={"body": f"Message de fan-out {time.time()}", "csrfmiddlewaretoken": csrf},
                headers={"Referer": topic_url},
                allow_redirects=False,
            )
            post_id = int(re.search(r"#post-(\d+)", response.headers["Location"]).group(1))
            return post_id, Post.objects.get(pk=post_id).created_at.timestamp()

        ws_cookies = cookies[: args.ws_clients or size["ws_clients"]]
        last_id = topic.posts.order_by("-id").values_list("id", flat=True).first() or 0
        ws_path = f"/ws/groupes/{group.slug}/sujets/{topic.pk}/"
        r = asyncio.run(fanout(f"ws://127.0.0.1:{port}", ws_path, ws_cookies, args.rounds, poster, last_id))
        out(
            f"connect     {r['connected']}/{len(ws_cookies)} websocket clients connected and synced in {r['connect_time']:.1f} s "
            f"({r['retries']} retries)"
        )
        out(
            f"fan-out     {r['connected']} websocket clients × {args.rounds} posts: commit→arrival p50 {r['p50']:.1f} ms, "
            f"p95 {r['p95']:.1f} ms, max {r['max']:.1f} ms, delivered/expected {r['delivered']}/{r['expected']} = "
            f"{r['delivered'] / r['expected'] if r['expected'] else 0:.3f}"
        )
        out("            median per post, in order: " + ", ".join(f"{v:.0f}" for v in r["per_post"]) + " ms")
    finally:
        stop_all(servers)


if __name__ == "__main__":
    main()
