#!/usr/bin/env python
"""Load test of the prod-like stack on the national dataset (issue 8, § 3).

    .venv/bin/python bench/load.py                    # everything below, about 10 minutes
    .venv/bin/python bench/load.py --only http --users 50 --duration 60
    .venv/bin/python bench/load.py --only fanout --fanout-clients 1000
    .venv/bin/python bench/load.py --only unread
    .venv/bin/python bench/load.py --compare-servers  # uvicorn vs daphne: one page and a fan-out

It builds the dataset when missing (``bench/dataset.py``, database ``BENCH_DATABASE_URL``, default
``maillage_load``), starts ``scripts/prod-like --no-demo`` on it (two ASGI processes on two free ports,
a task worker and the scheduler, Redis ``BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/5``),
and prints:

* **unread counter**: the exact query of ``community.notifications.unread_count`` (also run by the
  page context processor and the live counter) for the member with the most notifications and
  for typical members — median / p95 over repeated runs — with its ``EXPLAIN (ANALYZE, BUFFERS)``;
* **mixed member scenario** with 50 then 200 simulated logged-in members (threads with keep-alive
  sessions, each alternating between the two processes as nginx would): dashboard, directory
  search, topic read (the 5,000-post topic and other topics), reply in a topic (real form, CSRF),
  agenda, event sign-up (real form), funding search. Each simulated member waits ``--think``
  seconds (uniform, default 1–3 s, like a locust ``between(1, 3)``) between two pages. Prints
  requests/s, p50/p95/p99 and errors per page and overall; with ``--pg-statements N``, the N
  statements that took PostgreSQL the most time during the run (``pg_stat_statements``);
* **websocket fan-out**: ``--fanout-clients`` members (default 1,000) connected to the big topic,
  half on each process; a member replies through the web servers (alternating) and the time from commit to arrival
  is measured at every client (p50 / p95 / max, delivered / expected).

The load average of the machine is printed with each figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)  # bench/places.py & co. must not shadow the apps of the same name
sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402 - bench/dataset.py, next to this file
from bench.benchlib import free_port, pct, pg_database_ensure, reply_poster, session_keys, start_nginx, stop_all  # noqa: E402

SECRET_KEY = "bench-load-local-only-3f9a1c7e5b2d4f6a8c0e2b4d6f8a1c3e5b7d9f0a2c4e"
SEARCH_TERMS = ["Camille", "Martin", "médiation", "Pix", "numérique", "Leroy", "atelier", "CCAS"]
FUNDING_TERMS = ["numérique", "inclusion", "atelier", "seniors", "formation", "réseau", "médiation"]
# Weights of the mixed scenario (a member's visit).
SCENARIO = [
    ("dashboard", 3),
    ("directory search", 2),
    ("topic read", 3),
    ("topic post", 1),
    ("agenda", 2),
    ("event sign-up", 1),
    ("funding search", 2),
]


def load_avg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def stack_env(db_url: str, redis_url: str, ports: list[int], server: str) -> dict:
    return {
        **os.environ,
        "PRODLIKE_DATABASE_URL": db_url,
        "PRODLIKE_REDIS_URL": redis_url,
        "PRODLIKE_PORTS": ",".join(map(str, ports)),
        "PRODLIKE_SERVER": server,
        "SECRET_KEY": SECRET_KEY,
        "EMAIL_URL": "dummymail://",  # the worker still renders and "sends" every outbox e-mail
        "CACHE_PREFIX": "bench-load",
        "LOG_LEVEL": "WARNING",
    }


class Stack:
    """``scripts/prod-like --no-demo`` in the background; stopped (SIGTERM to its own id) on exit."""

    def __init__(self, db_url: str, redis_url: str, server: str, log_path: Path):
        self.ports = [free_port(), free_port()]
        self.urls = [f"http://127.0.0.1:{p}" for p in self.ports]
        self.server = server
        self.log_path = log_path
        self.env = stack_env(db_url, redis_url, self.ports, server)
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        log = open(self.log_path, "w")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "prod-like"), "--no-demo"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        deadline = time.monotonic() + 400
        for line in self.proc.stdout:
            log.write(line)
            log.flush()
            if line.startswith("prod-like ready:"):
                break
            if time.monotonic() > deadline:
                break
        else:
            raise RuntimeError(f"prod-like stopped before it was ready (see {self.log_path})")
        threading.Thread(target=self._drain, args=(log,), daemon=True).start()
        print(f"stack: {self.server} on {', '.join(self.urls)} + task_worker + run_periodic (log {self.log_path})")
        return self

    def _drain(self, log):
        for line in self.proc.stdout:
            log.write(line)

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class CpuMeter:
    """CPU seconds used by the stack's processes (ASGI, worker, scheduler) and by PostgreSQL's
    backends on the bench database, between two snapshots. On a shared machine latency measures the
    neighbours as much as the code; CPU per request does not."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, stack: Stack, db_name: str):
        self.stack, self.db_name = stack, db_name

    def _pids(self) -> dict[str, list[int]]:
        from django.db import connection

        root = self.stack.proc.pid
        children = []
        try:
            for task in os.listdir(f"/proc/{root}/task"):
                with open(f"/proc/{root}/task/{task}/children") as f:
                    children += [int(p) for p in f.read().split()]
        except OSError:
            pass
        with connection.cursor() as cur:
            cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.db_name])
            backends = [r[0] for r in cur.fetchall()]
        # "client": this process, the simulated members' threads, on the same cores as the stack
        kinds: dict[str, list[int]] = {"asgi": [], "worker": [], "scheduler": [], "postgres": backends, "client": [os.getpid()]}
        for pid in children:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmdline = f.read().replace(b"\0", b" ").decode()
            except OSError:
                continue
            kind = "worker" if "task_worker" in cmdline or "db_worker" in cmdline else "scheduler" if "run_periodic" in cmdline else "asgi"
            kinds[kind].append(pid)
        return kinds

    @classmethod
    def _ticks(cls, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime + stime
        except (OSError, IndexError, ValueError):
            return 0

    def snapshot(self) -> dict[tuple[str, int], int]:
        return {(kind, pid): self._ticks(pid) for kind, pids in self._pids().items() for pid in pids}

    def since(self, before: dict) -> dict[str, float]:
        after = self.snapshot()
        used = defaultdict(float)
        for key, ticks in after.items():
            used[key[0]] += (ticks - before.get(key, 0)) / self.TICK
        return used


def setup(db_url: str, redis_url: str) -> None:
    pg_database_ensure(db_url, rebuild=False)
    os.environ.update(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "hub.settings.production",
            "SECRET_KEY": SECRET_KEY,  # session auth hashes must match the servers'
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "EMAIL_URL": "dummymail://",
            "CACHE_PREFIX": "bench-load",
            "LOG_LEVEL": "WARNING",
            "CONN_MAX_AGE": "0",
        }
    )
    import django

    django.setup()
    dataset.build(print)


def world() -> dict:
    from community.models import User
    from events.models import Audience, Event, EventState
    from groups.models import Group, Topic

    group = Group.objects.get(slug=dataset.MARKER)
    topics = list(Topic.objects.filter(group=group).order_by("pk").values_list("pk", flat=True))
    users = list(
        User.objects.filter(username__startswith="load", group_memberships__group=group).order_by("pk").values_list("pk", flat=True)
    )
    reset_signups(users)
    from datetime import timedelta

    from django.utils import timezone

    open_events = list(
        Event.objects.filter(
            slug__startswith="bench-evenement-",
            state=EventState.PUBLISHED,
            capacity__isnull=True,
            audience__in=[Audience.MEMBERS, Audience.PUBLIC],
            start__gt=timezone.now() + timedelta(days=1),
        )
        .order_by("pk")
        .values_list("slug", flat=True)
    )
    return {"group": group, "big_topic": topics[0], "topics": topics, "user_ids": users, "events": open_events}


def reset_signups(user_ids) -> None:
    """Undo the bench members' sign-ups, so that every run (and every rerun) signs up afresh, and
    clear their rate-limit counters: a member may sign up for 20 events an hour, and the same bench
    members sign up in every run (runs within the hour came back with 429s)."""
    from django.core.cache import cache
    from django.db import connection

    from events.models import Registration

    Registration.objects.filter(user_id__in=user_ids).delete()
    if hasattr(cache, "delete_pattern"):  # django-redis (production settings): django-ratelimit's "rl:<hash>" keys
        cache.delete_pattern("rl:*")
    with connection.cursor() as cur:
        # Only the events whose count changed: every rewritten row leaves a dead one behind, and
        # where autovacuum is off (this machine's PostgreSQL) 2,000 per run made the agenda's scan
        # of events_event read 100 MB after a few dozen runs.
        cur.execute(
            """UPDATE events_event e SET seats_taken = c.taken FROM (
                 SELECT e2.id, COALESCE(SUM(r.seats) FILTER (WHERE r.status IN ('confirmed', 'offered')), 0) AS taken
                 FROM events_event e2 LEFT JOIN events_registration r ON r.event_id = e2.id
                 WHERE e2.slug LIKE 'bench-evenement-%%' GROUP BY e2.id) c
               WHERE e.id = c.id AND e.seats_taken <> c.taken"""
        )
        if connection.vendor == "postgresql":  # what autovacuum does in production, before measuring
            cur.execute(
                "VACUUM (ANALYZE) events_event, events_registration, groups_post, groups_topic, community_activity, "
                "django_tasks_database_dbtaskresult"
            )


# --- unread counter -------------------------------------------------------------------------------
def measure_unread(out) -> dict:
    from django.db import connection
    from django.db.models import Count
    from notifications.models import Notification

    from community.models import User
    from community.notifications import unread_count

    heavy_id = Notification.objects.values("recipient_id").annotate(n=Count("id")).order_by("-n").values_list("recipient_id", flat=True)[0]
    heavy = User.objects.get(pk=heavy_id)
    typical = list(User.objects.filter(username__startswith="load").order_by("pk")[100:130])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        unread_count(heavy)
    sql = captured.captured_queries[-1]["sql"]  # the exact statement the app sends
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join("    " + r[0] for r in cur.fetchall())
    results = {}
    for label, members in (("heaviest member", [heavy]), ("typical members", typical)):
        times = []
        for _ in range(5):
            unread_count(members[0])  # warm
        for i in range(200):
            member = members[i % len(members)]
            t = time.perf_counter()
            unread_count(member)
            times.append((time.perf_counter() - t) * 1000)
        results[label] = times
        n_total = Notification.objects.filter(recipient=members[0]).count()
        out(
            f"unread count, {label} ({n_total:,} notifications, {unread_count(members[0]):,} unread): "
            f"median {pct(times, 50):.2f} ms, p95 {pct(times, 95):.2f} ms, max {max(times):.2f} ms  [load {load_avg()}]"
        )
    out(f"  query: {sql}")
    out("  EXPLAIN (ANALYZE, BUFFERS), heaviest member:\n" + plan)
    return results


# --- mixed HTTP scenario --------------------------------------------------------------------------
def http_scenario(
    urls: list[str], keys: list[str], w: dict, users: int, duration: float, think: tuple[float, float], out, meter: CpuMeter | None = None
) -> dict:
    import requests
    from django.conf import settings

    group_slug = w["group"].slug
    stats: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    stop_at = time.monotonic() + duration
    labels = [name for name, weight in SCENARIO for _ in range(weight)]
    events = w["events"]

    def user(n: int):
        rng = random.Random(n)
        http = requests.Session()
        http.cookies.set(settings.SESSION_COOKIE_NAME, keys[n % len(keys)])
        signups = [events[(n * 7 + i) % len(events)] for i in range(len(events))]
        time.sleep(rng.uniform(0, think[1]))  # users arrive over the first seconds
        k = 0
        while time.monotonic() < stop_at:
            base = urls[k % len(urls)]  # round robin over the processes, as nginx does
            k += 1
            label = rng.choice(labels)
            ok_status = (200,)
            method, data = "GET", None
            if label == "dashboard":
                path = "/tableau-de-bord/"
            elif label == "directory search":
                path = f"/membres/?q={rng.choice(SEARCH_TERMS)}"
            elif label == "topic read":
                topic = w["big_topic"] if rng.random() < 0.5 else rng.choice(w["topics"])
                path = f"/groupes/{group_slug}/sujets/{topic}/"
            elif label == "topic post":
                topic = rng.choice(w["topics"][:20])
                method, path, ok_status = "POST", f"/groupes/{group_slug}/sujets/{topic}/repondre/", (302,)
                data = {"body": f"Réponse de charge {n}-{k} : on en parle à la prochaine rencontre ?"}
            elif label == "agenda":
                path = "/agenda/"
            elif label == "event sign-up":
                if not signups:
                    continue
                method, path, ok_status = "POST", f"/agenda/{signups.pop(0)}/inscription/", (302,)
                data = {}
            else:
                path = f"/financements/?q={rng.choice(FUNDING_TERMS)}"
            if method == "POST":
                token = http.cookies.get(settings.CSRF_COOKIE_NAME)
                if not token:  # any page with a form sets the CSRF cookie
                    try:
                        page = http.get(base + "/agenda/", timeout=60).status_code
                    except requests.RequestException as exc:
                        page = type(exc).__name__
                    token = http.cookies.get(settings.CSRF_COOKIE_NAME)
                    if not token:  # that page failed (a 503 when overloaded): counted, no POST without a token
                        with lock:
                            errors[label].append(f"form page {page}")
                        time.sleep(rng.uniform(*think))
                        continue
                data["csrfmiddlewaretoken"] = token
            t = time.perf_counter()
            try:
                response = http.request(method, base + path, data=data, allow_redirects=False, timeout=60, headers={"Referer": base + "/"})
                status = response.status_code
                response.content  # noqa: B018 - read the whole body
                if status == 403:  # which refusal: the CSRF check, or the view's own permission
                    status = "403 CSRF" if b"CSRF" in response.content else "403"
            except requests.RequestException as exc:
                status = type(exc).__name__
            elapsed = (time.perf_counter() - t) * 1000
            with lock:
                stats[label].append(elapsed)
                if status not in ok_status:
                    errors[label].append(str(status))
            time.sleep(rng.uniform(*think))

    before = meter.snapshot() if meter else {}
    start = time.monotonic()
    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - start
    cpu = meter.since(before) if meter else {}
    loadavg = load_avg()
    out(f"mixed scenario, {users} members, {duration:.0f} s, think time {think[0]:g}–{think[1]:g} s, load average {loadavg}:")
    out(f"  {'page':<17} {'requests':>8} {'req/s':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    everything, all_errors = [], []
    rows = {}
    for label, _weight in SCENARIO:
        values = stats.get(label, [])
        everything += values
        all_errors += errors.get(label, [])
        rows[label] = (len(values), len(values) / wall, pct(values, 50), pct(values, 95), pct(values, 99), len(errors.get(label, [])))
        out(
            f"  {label:<17} {len(values):>8} {len(values) / wall:>6.1f} {pct(values, 50):>8.0f} {pct(values, 95):>8.0f} {pct(values, 99):>8.0f} {len(errors.get(label, [])):>7}"
        )
    out(
        f"  {'overall':<17} {len(everything):>8} {len(everything) / wall:>6.1f} {pct(everything, 50):>8.0f} {pct(everything, 95):>8.0f} "
        f"{pct(everything, 99):>8.0f} {len(all_errors):>7}"
    )
    if cpu and everything:
        per = {k: v * 1000 / len(everything) for k, v in cpu.items()}
        server = sum(v for k, v in per.items() if k != "client")
        out(
            f"  server CPU per request: {per.get('asgi', 0):.0f} ms ASGI, {per.get('worker', 0):.0f} ms task worker, "
            f"{per.get('scheduler', 0):.0f} ms scheduler, {per.get('postgres', 0):.0f} ms PostgreSQL → about "
            f"{2000 / max(1, server):.0f} requests/s would saturate 2 quiet cores"
        )
        out(
            f"  the simulated members (this process, same cores): {per.get('client', 0):.1f} ms of CPU per request, "
            f"{cpu.get('client', 0) * 100 / wall:.0f} % of one core"
        )
    if all_errors:
        kinds = defaultdict(int)
        for label, errs in errors.items():
            for e in errs:
                kinds[f"{label}: {e}"] += 1
        out("  errors: " + ", ".join(f"{k} ×{v}" for k, v in sorted(kinds.items())))
    return {"rows": rows, "overall": (len(everything), pct(everything, 95), len(all_errors)), "load": loadavg}


class PgStatements:
    """Where PostgreSQL's time went during one mixed run, statement by statement (executing and
    planning), from ``pg_stat_statements``, reset when the run starts. The extension must be loaded
    by the server (``ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`` and, for
    planning times, ``pg_stat_statements.track_planning = on``, then a restart); without it this
    says so and the run goes on."""

    def __init__(self, db_url: str, out):
        import psycopg

        self.out, self.conn = out, None
        try:
            self.conn = psycopg.connect(db_url, autocommit=True)
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self.conn.execute("SELECT pg_stat_statements_reset()")
        except psycopg.Error as exc:
            out(f"  (pg_stat_statements unavailable: {str(exc).strip().splitlines()[0]})")
            self.conn = None

    def report(self, top: int) -> None:
        if self.conn is None:
            return
        plan = (
            "total_plan_time"
            if self.conn.execute("SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.track_planning' AND setting = 'on'").fetchone()
            else "0"
        )
        rows = self.conn.execute(
            f"SELECT calls, total_exec_time, {plan}, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
        self.conn.close()
        total = sum(e + p for _c, e, p, _q in rows) or 1
        self.out(f"  PostgreSQL, {sum(c for c, *_ in rows):,} statements, {total / 1000:.1f} s executing and planning; the top {top}:")
        self.out(f"  {'calls':>7} {'exec ms':>9} {'plan ms':>8} {'per call':>9} {'share':>6}  statement")
        for calls, exe, pln, query in sorted(rows, key=lambda r: -(r[1] + r[2]))[:top]:
            self.out(
                f"  {calls:>7} {exe:>9.0f} {pln:>8.0f} {(exe + pln) / max(calls, 1):>9.2f} {100 * (exe + pln) / total:>5.1f}%  {query[:110]}"
            )


# --- websocket fan-out ----------------------------------------------------------------------------
async def fanout(urls: list[str], path: str, keys: list[str], rounds: int, poster, out) -> dict:
    import websockets
    from django.conf import settings

    arrivals: dict[int, list[tuple[int, float]]] = defaultdict(list)
    ready = 0
    failed: list[str] = []
    connect_times: list[float] = []
    gate = asyncio.Semaphore(50)  # browsers of 1,000 members do not all connect in the same millisecond

    async def client(i: int, key: str):
        nonlocal ready
        base = urls[i % len(urls)].replace("http://", "ws://")
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}", "Origin": urls[i % len(urls)]}
        try:
            async with gate:
                t = time.perf_counter()
                ws = await websockets.connect(base + path, additional_headers=headers, max_size=2**22, open_timeout=120, ping_interval=None)
                connect_times.append((time.perf_counter() - t) * 1000)
            ready += 1
            async with ws:
                async for raw in ws:
                    now = time.time()
                    data = json.loads(raw)
                    if data.get("type") == "post" and data.get("action", "new") == "new":
                        arrivals[data["post_id"]].append((i % len(urls), now))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failed.append(type(exc).__name__)

    t0 = time.monotonic()
    tasks = [asyncio.create_task(client(i, key)) for i, key in enumerate(keys)]
    deadline = time.monotonic() + 300
    while ready + len(failed) < len(keys) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    connected_in = time.monotonic() - t0
    await asyncio.sleep(2)
    await asyncio.to_thread(poster)  # warm-up, not counted: the bench process's first render and Redis connection
    await asyncio.sleep(2)
    commits = {}
    for _ in range(rounds):
        post_id, committed_at = await asyncio.to_thread(poster)
        commits[post_id] = committed_at
        await asyncio.sleep(2)
    await asyncio.sleep(5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    delays = [(t - commits[pid]) * 1000 for pid, times in arrivals.items() if pid in commits for _p, t in times]
    by_process = {
        n: [(t - commits[pid]) * 1000 for pid, times in arrivals.items() if pid in commits for p, t in times if p == n]
        for n in range(len(urls))
    }
    expected = len(keys) * rounds
    result = {
        "clients": len(keys),
        "connected": ready,
        "failed": len(failed),
        "connect_s": connected_in,
        "connect_p95": pct(connect_times, 95),
        "expected": expected,
        "delivered": len(delays),
        "p50": pct(delays, 50),
        "p95": pct(delays, 95),
        "max": max(delays) if delays else float("nan"),
        "load": load_avg(),
    }
    out(
        f"fan-out {len(keys)} websocket clients over {len(urls)} processes × {rounds} posts: connected {ready} in {connected_in:.0f} s "
        f"(connect p95 {result['connect_p95']:.0f} ms, {len(failed)} failed{': ' + ', '.join(sorted(set(failed))) if failed else ''}); "
        f"commit→client p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms, max {result['max']:.0f} ms; delivered/expected "
        f"{len(delays)}/{expected} = {len(delays) / expected if expected else 0:.3f}  [load {result['load']}]"
    )
    per_post = [pct([(t - commits[pid]) * 1000 for _p, t in arrivals.get(pid, [])], 50) for pid in commits]
    out("  median per post, in order: " + ", ".join(f"{v:.0f}" for v in per_post) + " ms")
    out(
        "  per process: "
        + "; ".join(f"{urls[n]} p50 {pct(v, 50):.0f} ms, p95 {pct(v, 95):.0f} ms ({len(v)} deliveries)" for n, v in by_process.items())
    )
    return result


def cross_process_check(urls: list[str], keys: list[str], w: dict, out) -> bool:
    """A reply posted through the form on process B reaches a websocket client on process A."""
    import requests
    import websockets
    from django.conf import settings

    path = f"/groupes/{w['group'].slug}/sujets/{w['big_topic']}/"
    http = requests.Session()
    http.cookies.set(settings.SESSION_COOKIE_NAME, keys[1])
    http.get(urls[1] + path)
    body = f"Vérification multi-processus {time.time()}"

    async def scenario():
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={keys[0]}", "Origin": urls[0]}
        async with websockets.connect(urls[0].replace("http://", "ws://") + "/ws" + path, additional_headers=headers) as ws:
            t = time.perf_counter()
            response = await asyncio.to_thread(
                http.post,
                urls[1] + path + "repondre/",
                data={"body": body, "csrfmiddlewaretoken": http.cookies.get(settings.CSRF_COOKIE_NAME, "")},
                headers={"Referer": urls[1] + "/"},
                allow_redirects=False,
            )
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 20))
                if message.get("type") == "post" and body in message.get("html", ""):
                    return response.status_code, (time.perf_counter() - t) * 1000

    try:
        status, elapsed = asyncio.run(scenario())
    except (TimeoutError, OSError) as exc:
        out(f"cross-process: FAILED ({type(exc).__name__}): a post through {urls[1]} did not reach a client on {urls[0]}")
        return False
    out(f"cross-process: a reply posted through {urls[1]} (HTTP {status}) reached a websocket client on {urls[0]} in {elapsed:.0f} ms")
    return status == 302


def poster_for(w: dict, urls: list[str], key: str):
    """A member replies to the big topic through the web servers (alternating, as nginx would), as in
    real life: the broadcast runs in the web process that served the POST (``benchlib.reply_poster``)."""
    from groups.models import Topic

    return reply_poster(urls, Topic.objects.select_related("group").get(pk=w["big_topic"]), key)


def compare_servers(db_url: str, redis_url: str, w: dict, keys: list[str], out) -> None:
    """The same page and a 200-client fan-out through uvicorn then daphne (2 processes each)."""
    import requests
    from django.conf import settings

    page = "/tableau-de-bord/"
    for server in ("uvicorn", "daphne"):
        with Stack(db_url, redis_url, server, Path(f"/tmp/maillage-load-{server}.log")) as stack:
            lat, errors, lock = [], 0, threading.Lock()
            stop_at = time.monotonic() + 40

            def client(n, stack=stack, lat=lat, lock=lock, stop_at=stop_at):
                nonlocal errors
                http = requests.Session()
                http.cookies.set(settings.SESSION_COOKIE_NAME, keys[n])
                k = 0
                while time.monotonic() < stop_at:
                    t = time.perf_counter()
                    r = http.get(stack.urls[k % 2] + page, allow_redirects=False)
                    with lock:
                        if time.monotonic() < stop_at - 35:
                            continue  # 5 s warm-up
                        lat.append((time.perf_counter() - t) * 1000)
                        errors += r.status_code != 200
                    k += 1

            start = time.monotonic()
            threads = [threading.Thread(target=client, args=(n,)) for n in range(10)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            wall = time.monotonic() - start - 5
            out(
                f"{server:<8} dashboard, 10 clients without think time, 35 s: {len(lat) / wall:.1f} req/s, p50 {pct(lat, 50):.0f} ms, "
                f"p95 {pct(lat, 95):.0f} ms, errors {errors}  [load {load_avg()}]"
            )
            path = f"/ws/groupes/{w['group'].slug}/sujets/{w['big_topic']}/"
            asyncio.run(
                fanout(
                    stack.urls, path, keys[:200], 5, poster_for(w, stack.urls, keys[0]), lambda s, server=server: out(f"{server:<8} {s}")
                )
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", default="50,200", help="simulated members, comma-separated runs (default 50,200)")
    parser.add_argument("--duration", type=float, default=90, help="seconds per run of the mixed scenario")
    parser.add_argument("--think", default="1-3", help="think time between two pages, seconds (min-max)")
    parser.add_argument("--fanout-clients", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10, help="posts sent during the fan-out")
    parser.add_argument("--only", choices=["unread", "http", "fanout"], action="append", help="run only these parts")
    parser.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn")
    parser.add_argument("--compare-servers", action="store_true", help="uvicorn against daphne, then stop")
    parser.add_argument(
        "--nginx",
        action="store_true",
        help="the members' pages through nginx (deploy/nginx.conf's upstream: least_conn) instead of alternating between the processes",
    )
    parser.add_argument(
        "--pg-statements",
        type=int,
        default=0,
        metavar="N",
        help="after each mixed run, the N statements that took PostgreSQL the most time (pg_stat_statements, see PgStatements)",
    )
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", dataset.DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    parts = set(args.only or ["unread", "http", "fanout"])
    think = tuple(float(x) for x in args.think.split("-")) if "-" in args.think else (float(args.think), float(args.think))
    out = print
    out(f"== Maillage load bench on {db_url}, Redis {redis_url}, {os.cpu_count()} CPUs, load average {load_avg()}")
    setup(db_url, redis_url)
    dataset.describe(out)
    if "unread" in parts and not args.compare_servers:
        measure_unread(out)
    if not (parts & {"http", "fanout"}) and not args.compare_servers:
        return
    w = world()
    keys = session_keys(w["user_ids"][: max(args.fanout_clients, 200, *[int(u) for u in args.users.split(",")])])
    from django.db import connections

    connections.close_all()
    if args.compare_servers:
        compare_servers(db_url, redis_url, w, keys, out)
        return
    with Stack(db_url, redis_url, args.server, Path("/tmp/maillage-load-stack.log")) as stack:
        from urllib.parse import urlparse

        meter = CpuMeter(stack, urlparse(db_url).path.lstrip("/"))
        if "http" in parts:
            front, urls = [], stack.urls
            if args.nginx:
                nginx_port = free_port()
                front, urls = [start_nginx(nginx_port, stack.ports)], [f"http://127.0.0.1:{nginx_port}"]
                out(f"the members' pages go through nginx on {urls[0]} (least_conn over both processes; its CPU is not counted below)")
            try:
                for users in (int(u) for u in args.users.split(",")):
                    reset_signups(w["user_ids"])
                    statements = PgStatements(db_url, out) if args.pg_statements else None
                    http_scenario(urls, keys, w, users, args.duration, think, out, meter)
                    if statements:
                        statements.report(top=args.pg_statements)
            finally:
                stop_all(front)
        if "fanout" in parts:
            cross_process_check(stack.urls, keys, w, out)
            path = f"/ws/groupes/{w['group'].slug}/sujets/{w['big_topic']}/"
            asyncio.run(fanout(stack.urls, path, keys[: args.fanout_clients], args.rounds, poster_for(w, stack.urls, keys[0]), out))


if __name__ == "__main__":
    main()
