#!/usr/bin/env python
"""Page matrix of a peer forum (django-machina or django-spirit), in the shape of Maillage's
bench/forum.py matrix, with the in-process CPU and call figures of bench/cpu.py.

    $V/bin/python measure.py --peer machina --cpu                          # full run (~4 min)
    $V/bin/python measure.py --peer spirit --seconds 3 --serial 20 --cpu   # quick check
    $V/bin/python measure.py --peer machina --cpu-only                     # in-process figures only

($V: the peer's virtualenv, see README.md.) The peer's server (serve.sh: gunicorn -w 2, machina on
127.0.0.1:8900, Spirit on 127.0.0.1:8901) must be running for the HTTP figures. This script runs
Django in process with the same settings (peer_<name>/settings.py) to find the pages
(peer_<name>/pages.py), to create the member's session(s) directly (Client.force_login: the
session is written to PostgreSQL and Redis, as a real login does; the cookie is printed), to count
queries and, with --cpu, to measure CPU per request.

Pages (the first group, "Forum 0" / "Category 0", and its big topic of 500 posts):
  group page         the group's topic list (20 topics a page for both peers)
  topic page, first  the big topic, page 1 (machina: 15 posts a page, Spirit: 20)
  topic page, deep   the big topic, page 6 (or its last page if it has fewer)
  profile            the profile of the big topic's first poster (a loose equivalent of Maillage's
                     profile page: the member's recent posts). Spirit's is login_required: the
                     visitor's row is reported (302 to the login page), not timed.
For each viewer (anonymous visitor, logged-in member) and page it prints:
  - a check: status 200 without redirect, a post's (or topic's) text in the HTML, the member's
    name in the page's header for the member / the site's log-in link for the visitor;
  - serial p50 / p95 over --serial requests with one keep-alive HTTP client (http.client);
  - requests/s and latency percentiles (p50 p75 p90 p95 p99, wrk --latency) for each of --clients
    concurrent connections, each run --seconds long, driven by wrk (a lua script adds the Cookie);
  - queries of one GET (in process, test client, after 3 warm-up GETs);
  - the HTML's gzip size (level 6, as a proxy would compress it; the server itself does not).
With --cpu (or --cpu-only): each page checked as above (in process), then CPU ms per request (time.process_time around --cpu-requests test-client
GETs after 3 warm-up GETs) and Python function calls per request (cProfile over
max(5, cpu_requests // 5) GETs), the method of Maillage's bench/cpu.py.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import http.client
import importlib
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

from base_settings import PEERS, PORTS, ROOT, out_dir, use

sys.path.append(str(ROOT))  # after the peer's packages: Maillage's apps must not shadow any of them
from bench.benchlib import pct  # noqa: E402

LOGIN_ONLY = "login-only"


def find_pages(adapter) -> tuple[list, dict]:
    """The measured pages and the texts that prove each page really shows its content."""
    (group_url, group_texts), (topic_url, posts), (profile_url, latest), (topics_per_page, per_page, big_posts) = adapter.find_pages()
    last_page = max(1, -(-big_posts // per_page))
    deep = min(6, last_page)
    return [
        ("group page", group_url, group_texts),
        ("topic page, first", topic_url, [posts[0], posts[per_page - 1]]),
        (
            f"topic page, page {deep}",
            f"{topic_url}?page={deep}",
            [posts[(deep - 1) * per_page], posts[min(len(posts), deep * per_page) - 1]],
        ),
        # machina's profile cuts each recent post at 160 characters: check the start of the latest
        ("profile", profile_url, [latest[:100]]),
    ], {"per_page": per_page, "topics_per_page": topics_per_page, "big_posts": big_posts, "deep": deep, "last_page": last_page}


def member_sessions(n):
    """Log in members member1..memberN (sessions written as a real login writes them)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    out = []
    for user in get_user_model().objects.filter(username__in=[f"member{i}" for i in range(1, n + 1)]).order_by("id"):
        c = Client()
        c.force_login(user)
        out.append((user.username, c.cookies[settings.SESSION_COOKIE_NAME].value))
    return out


class Http:
    """A keep-alive HTTP/1.1 client (http.client); reconnects if the server closed the connection."""

    def __init__(self, base, cookie=""):
        u = urlsplit(base)
        self.host, self.port = u.hostname, u.port or 80
        self.headers = {"Cookie": cookie} if cookie else {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def get(self, path):
        for attempt in (0, 1):
            try:
                self.conn.request("GET", path, headers=self.headers)
                r = self.conn.getresponse()
                body = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return r.status, dict(r.getheaders()), body
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError


WRK_LUA = """
local cookies = {%(cookies)s}
if #cookies == 1 then
  wrk.headers["Cookie"] = cookies[1]
elseif #cookies > 1 then
  local n = 0
  request = function()
    n = n + 1
    return wrk.format("GET", nil, {["Cookie"] = cookies[(n %% #cookies) + 1]})
  end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRKSUM %%d %%d %%.3f %%.3f %%.3f %%.3f %%.3f %%.3f %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(75) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(base, path, cookies, clients, seconds, threads, log):
    """cookies: [] for the visitor, one or more "sessionid=..." (several: one per request in turn)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_LUA % {"cookies": ", ".join('"' + c.replace('"', "") + '"' for c in cookies)})
    try:
        cmd = ["wrk", "-t", str(min(threads, clients)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "30s"]
        cmd += ["--latency", "-s", script.name, base.rstrip("/") + path]
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    finally:
        os.unlink(script.name)
    if log:
        log.write(f"$ {' '.join(cmd)}\n{res.stdout}{res.stderr}\n")
    line = next(x for x in res.stdout.splitlines() if x.startswith("WRKSUM "))
    n, dur, p50, p75, p90, p95, p99, pmax, sock_err, status_err = line.split()[1:]
    latencies = {"p50": float(p50), "p75": float(p75), "p90": float(p90), "p95": float(p95), "p99": float(p99), "max": float(pmax)}
    return {"n": int(n), "rps": int(n) / (int(dur) / 1e6), **latencies, "socket_errors": int(sock_err), "non2xx3xx": int(status_err)}


def test_client(session_key, crawler=False):
    from django.conf import settings
    from django.test import Client

    class CookielessClient(Client):
        def get(self, *a, **kw):
            self.cookies.clear()
            return super().get(*a, **kw)

    c = (CookielessClient if crawler else Client)(HTTP_HOST="127.0.0.1")
    if session_key:
        c.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return c


def count_queries(path, session_key, show_sql=False, crawler=False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = test_client(session_key, crawler)
    for _ in range(3):  # warm: trackers written, as in steady use
        c.get(path)
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(path)
    assert r.status_code == 200, (path, r.status_code)
    if show_sql:
        for q in ctx.captured_queries:
            print("      " + q["sql"][:200])
    return len(ctx.captured_queries)


def cpu_figures(client, path, n):
    """CPU ms per request and Python calls per request, in process (Maillage's bench/cpu.py method)."""
    t0 = time.process_time()
    for _ in range(n):
        client.get(path)
    cpu_ms = (time.process_time() - t0) * 1000 / n
    profiler = cProfile.Profile(time.process_time)
    k = max(5, n // 5)
    profiler.enable()
    for _ in range(k):
        client.get(path)
    profiler.disable()
    return cpu_ms, pstats.Stats(profiler).total_calls / k, profiler


def check_page(status, headers, body, viewer, username, texts, adapter):
    from django.conf import settings
    from django.shortcuts import resolve_url

    if status in (301, 302) and viewer != "member" and resolve_url(settings.LOGIN_URL) in headers.get("Location", ""):
        return [LOGIN_ONLY]  # Spirit's profile pages are login_required
    html = body.decode("utf-8", "replace")
    problems = []
    if status != 200:
        problems.append(f"status {status} {headers.get('Location', '')}")
    for t in texts:
        if t not in html:
            problems.append(f"missing text {t[:40]!r}")
    before, after = adapter.MEMBER_MARK.split("{}")
    if viewer == "member":
        if before + username + after not in html:
            problems.append("member's name not in the page's header (not logged in?)")
    elif adapter.LOGIN_LINK not in html or re.search(re.escape(before) + r"member\d+" + re.escape(after), html):
        problems.append("visitor page does not look anonymous")
    return problems


def arguments():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--peer", choices=PEERS, required=True, help="the peer forum (its settings and pages: peer_<name>/)")
    ap.add_argument("base", nargs="?", help="server base URL (default http://127.0.0.1:<the peer's port>)")
    ap.add_argument("--serial", type=int, default=100, help="serial requests per page and viewer")
    ap.add_argument("--seconds", type=int, default=10, help="duration of each wrk run")
    ap.add_argument("--clients", default="10,20", help="concurrent connections of the wrk runs (comma-separated)")
    ap.add_argument("--threads", type=int, default=2, help="wrk threads (at most one per client)")
    ap.add_argument(
        "--members",
        type=int,
        default=1,
        help="members logged in for the member rows (default 1, member1). With N > 1 each wrk request carries the next member's "
        "cookie in turn (as Maillage's forum.py does); the serial and in-process figures use member1",
    )
    ap.add_argument(
        "--viewers",
        default="visitor,member",
        help="visitor (anonymous, keeps the session cookie the site gives it, if any, as a browser: machina gives one, Spirit "
        "none), member, crawler (anonymous, no cookie: machina writes a new session on every request)",
    )
    ap.add_argument("--pages", default="", help="only pages whose label contains one of these (comma-separated)")
    ap.add_argument("--no-load", action="store_true", help="skip the wrk runs")
    ap.add_argument("--cpu", action="store_true", help="also print in-process CPU ms and calls per request")
    ap.add_argument("--cpu-only", action="store_true", help="only the in-process figures (no server needed)")
    ap.add_argument("--cpu-requests", type=int, default=30, help="timed test-client GETs per page for --cpu")
    ap.add_argument("--profile", default="", help="with --cpu: print cProfile's top for pages whose 'viewer label' contains this")
    ap.add_argument("--sql", action="store_true", help="print each page's queries")
    ap.add_argument("--log-dir", help="where wrk's full outputs are saved (default <PEER_OUT>/results, see base_settings.py)")
    args = ap.parse_args()
    args.base = args.base or f"http://127.0.0.1:{PORTS[args.peer]}"
    args.log_dir = args.log_dir or str(out_dir(args.peer) / "results")
    return args


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    args = arguments()
    use(args.peer)
    import django

    django.setup()
    from django.conf import settings

    adapter = importlib.import_module(f"peer_{args.peer}.pages")
    pages, info = find_pages(adapter)
    if args.pages:
        keep = [p.strip() for p in args.pages.split(",")]
        pages = [p for p in pages if any(k in p[0] for k in keep)]
    sessions = member_sessions(max(1, args.members))
    username, key = sessions[0]
    cookie_name = settings.SESSION_COOKIE_NAME
    cookie = f"{cookie_name}={key}"
    all_cookies = [f"{cookie_name}={k}" for _, k in sessions]
    # "visitor" is a browser: it keeps the session cookie of its first visit, if the site gives one.
    # machina's ForumPermissionMiddleware stores an anonymous forum key in the session of every
    # anonymous request: a visitor's first GET creates a session (INSERT + Set-Cookie), made once,
    # here. Spirit gives anonymous visitors no session (only the csrftoken cookie, which no page
    # reads on GET): its visitor sends no cookie, as Maillage's visitor rows. "crawler" sends no
    # cookie: with machina every request makes a new session row (not in the default run).
    if not args.cpu_only:
        _, headers, _ = Http(args.base).get("/")
        m = re.search(cookie_name + r"=([^;]+)", headers.get("Set-Cookie", ""))
        visitor_key = m.group(1) if m else None
    else:
        c = test_client(None)
        c.get("/")
        visitor_key = c.cookies[cookie_name].value if cookie_name in c.cookies else None
    visitor_cookie = f"{cookie_name}={visitor_key}" if visitor_key else ""
    viewers = {"visitor": (visitor_cookie, visitor_key, ""), "member": (cookie, key, username), "crawler": ("", None, "")}
    wrk_cookies = {"visitor": [visitor_cookie] if visitor_cookie else [], "member": all_cookies, "crawler": []}
    viewers = {v: viewers[v] for v in args.viewers.split(",")}

    from importlib.metadata import version

    dist = f"django-{args.peer}"
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(
        f"# {dist} {version(dist)} peer, gunicorn {version('gunicorn')}, Django {django.get_version()}, Python {sys.version.split()[0]}; {stamp}"
    )
    print(
        f"# page sizes: {info['topics_per_page']} topics per {adapter.GROUP} page, {info['per_page']} {adapter.POSTS} per topic page; "
        f"big topic {info['big_posts']} {adapter.POSTS} = {info['last_page']} pages; deep page = {info['deep']}"
    )
    print(f"# visitor cookie (the session {dist} gives an anonymous visitor): {visitor_cookie or '- (none)'}")
    more = f" (+{len(sessions) - 1} more members for wrk)" if len(sessions) > 1 else ""
    print(f"# sessions: {settings.SESSION_ENGINE}; member {username}, cookie: {cookie}{more}")
    print(f"# load average at start: {load_average()}")

    if not args.cpu_only:
        http_matrix(args, pages, viewers, wrk_cookies, stamp, adapter)
    if args.cpu or args.cpu_only:
        cpu_matrix(args, pages, viewers, adapter)


def http_matrix(args, pages, viewers, wrk_cookies, stamp, adapter):
    clients = [int(c) for c in args.clients.split(",") if c]
    if not args.no_load and not shutil.which("wrk"):
        sys.exit("wrk not found (apt-get install wrk)")
    os.makedirs(args.log_dir, exist_ok=True)
    log_path = os.path.join(args.log_dir, f"wrk-{stamp.replace(':', '')}.log")
    log = open(log_path, "w") if not args.no_load else None  # noqa: SIM115 - closed at the end of the matrix
    print(
        f"# base {args.base}; serial {args.serial} requests (keep-alive client); wrk {args.seconds} s per run at "
        f"{clients} connections, {args.threads} threads" + (f"; raw wrk output: {log_path}" if log else "")
    )
    print()
    head = f"{'viewer':<8} {'page':<18} {'check':<5} {'serial p50':>10} {'p95':>7}"
    for c in clients:
        head += f" | c={c:<3} {'req/s':>6} {'p50':>6} {'p95':>6} {'p99':>6} err"
    print(head + f" | {'queries':>7} {'gzip KB':>7} {'HTML KB':>7}")
    for viewer, (ck, skey, uname) in viewers.items():
        h = Http(args.base, ck)
        for label, path, texts in pages:
            status, headers, body = h.get(path)
            problems = check_page(status, headers, body, viewer, uname, texts, adapter)
            if problems == [LOGIN_ONLY]:
                print(f"{viewer:<8} {label:<18} n/a: {status} to {headers.get('Location', '')} (login required): not timed")
                continue
            if problems:
                print(f"{viewer:<8} {label:<18} FAIL: {'; '.join(problems)}")
                continue
            for _ in range(3):  # warm this path (trackers written, templates compiled in both workers)
                h.get(path)
            times = []
            for _ in range(args.serial):
                t = time.perf_counter()
                s, _, _ = h.get(path)
                times.append((time.perf_counter() - t) * 1000)
                assert s == 200, s
            row = f"{viewer:<8} {label:<18} {'ok':<5} {pct(times, 50):8.1f}ms {pct(times, 95):5.1f}ms"
            for c in clients:
                if args.no_load:
                    row += f" | c={c:<3} {'-':>6} {'-':>6} {'-':>6} {'-':>6}  - "
                    continue
                r = run_wrk(args.base, path, wrk_cookies[viewer], c, args.seconds, args.threads, log)
                row += (
                    f" | c={c:<3} {r['rps']:6.1f} {r['p50']:6.0f} {r['p95']:6.0f} {r['p99']:6.0f} {r['socket_errors'] + r['non2xx3xx']:3d}"
                )
            q = count_queries(path, skey, args.sql, viewer == "crawler")
            row += f" | {q:7d} {len(gzip.compress(body, 6)) / 1024:7.1f} {len(body) / 1024:7.1f}"
            print(row, flush=True)
    if log:
        log.close()
    print("(latencies in ms; wrk p50/p95/p99 from its latency histogram; err = socket errors + non-2xx/3xx)")
    print(f"# load average at end: {load_average()}")


def cpu_matrix(args, pages, viewers, adapter):
    print()
    print(
        f"# in process (test client, same settings, PostgreSQL + Redis): {args.cpu_requests} GETs per page after 3 warm-up GETs; "
        f"calls = cProfile total calls / {max(5, args.cpu_requests // 5)} GETs"
    )
    print(f"{'viewer':<8} {'page':<18} {'CPU ms/req':>10} {'calls/req':>10} {'queries':>8}")
    for viewer, (_, skey, uname) in viewers.items():
        for label, path, texts in pages:
            c = test_client(skey, viewer == "crawler")
            for _ in range(3):  # warm-up; the last answer is checked as the HTTP rows are
                r = c.get(path)
            problems = check_page(r.status_code, r.headers, r.content, viewer, uname, texts, adapter)
            if problems == [LOGIN_ONLY]:
                print(f"{viewer:<8} {label:<18} {'n/a (redirect to login)':>30}")
                continue
            if problems:
                print(f"{viewer:<8} {label:<18} FAIL: {'; '.join(problems)}")
                continue
            cpu_ms, calls, prof = cpu_figures(c, path, args.cpu_requests)
            q = count_queries(path, skey, crawler=viewer == "crawler")
            print(f"{viewer:<8} {label:<18} {cpu_ms:10.1f} {calls:10.0f} {q:8d}", flush=True)
            if args.profile and args.profile in f"{viewer} {label}":
                pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    print(f"# load average at end: {load_average()}")


if __name__ == "__main__":
    main()
