#!/usr/bin/env python
"""CPU per request of the forum pages, measured in process (issue 18 item 2).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_small \\
    BENCH_REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/cpu.py --requests 50

Wall-clock figures on a shared machine move with the other processes; the CPU time a request
costs the web process (``time.process_time``) and the number of Python function calls it makes
(cProfile) do not, or much less. On the ``forum.py --small`` network (built here if missing, same
database) it sends GETs through Django's test client — the whole middleware stack, sessions from
Redis, templates, PostgreSQL — for the member's group page, topic page (first and a deep page),
directory, a profile and the dashboard, and the visitor's public group and topic pages, and prints
per page: CPU ms per request (mean of ``--requests`` GETs after a warm-up), function calls per
request, queries. ``--profile PAGE`` prints the top of cProfile's cumulative listing for that page.
The member is the network's second (a plain member); ``BENCH_MEMBER_INDEX=0`` views the pages as
the bench group's owner, who moderates it (the moderation tools on the topic page), as the serial
rows of ``forum.py``'s matrix do.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import forum  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50, help="timed GETs per page")
    parser.add_argument("--profile", default="", help="print cProfile's top functions for pages whose label contains this")
    parser.add_argument("--sql", action="store_true", help="print each page's queries (first 160 characters)")
    parser.add_argument("--dump", default="", help="save each page's cProfile stats in this folder (pstats files)")
    parser.add_argument("--top", type=int, default=40, help="lines of the profile listing")
    parser.add_argument(
        "--network",
        choices=["small", "load"],
        default="small",
        help="small: forum.py's --small network (forum pages); load: load.py's national dataset (its mixed scenario's pages)",
    )
    args = parser.parse_args()
    runs = load_pages() if args.network == "load" else forum_pages()
    measure(runs, args)


def load_pages() -> list:
    """The GET pages of ``load.py``'s mixed scenario, as one of its members, on the national dataset
    (``BENCH_DATABASE_URL``, default ``maillage_load``; built when missing), production settings."""
    from bench import load

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_load")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    load.setup(db_url, redis_url)
    w = load.world()

    from django.conf import settings
    from django.test import Client

    from bench.benchlib import session_keys

    member = Client(HTTP_HOST="127.0.0.1")
    member.cookies[settings.SESSION_COOKIE_NAME] = session_keys([w["user_ids"][3]])[0]
    topic_base = f"/groupes/{w['group'].slug}/sujets/"
    pages = [
        ("dashboard", "/tableau-de-bord/"),
        ("directory search", f"/membres/?q={load.SEARCH_TERMS[1]}"),
        ("big topic", f"{topic_base}{w['big_topic']}/"),
        ("other topic", f"{topic_base}{w['topics'][7]}/"),
        ("agenda", "/agenda/"),
        ("event page", f"/agenda/{w['events'][0]}/"),
        ("funding search", f"/financements/?q={load.FUNDING_TERMS[0]}"),
    ]
    return [("member", member, pages)]


def forum_pages() -> list:
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_small")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/2")
    forum.ensure_database(db_url, rebuild=False)
    forum.setup_django(db_url, redis_url)
    world = forum.build(forum.SIZES["small"], print)

    from django.conf import settings
    from django.test import Client

    from bench.benchlib import session_keys
    from groups.models import AccessMode, Group
    from groups.selectors import POSTS_PER_PAGE
    from groups.visitor_cache import visitor_pages_expire

    group, topic = world["group"], world["topic"]
    Group.objects.filter(pk=group.pk).update(access=AccessMode.OPEN, is_public=True)
    visitor_pages_expire(group.pk)
    deep = min(max(1, -(-world["counts"]["big_topic_posts"] // POSTS_PER_PAGE)), 6)
    member_id, profiled_id = world["member_ids"][int(os.environ.get("BENCH_MEMBER_INDEX", "1"))], world["member_ids"][2]
    topic_url = f"/groupes/{group.slug}/sujets/{topic.pk}/"
    member_pages = [
        ("group page", f"/groupes/{group.slug}/"),
        ("topic page, first", topic_url),
        (f"topic page, page {deep}", f"{topic_url}?page={deep}"),
        ("directory", "/membres/"),
        ("profile", f"/membres/{profiled_id}/"),
        ("dashboard", "/tableau-de-bord/"),
    ]
    member = Client(HTTP_HOST="127.0.0.1")
    member.cookies[settings.SESSION_COOKIE_NAME] = session_keys([member_id])[0]
    visitor = Client(HTTP_HOST="127.0.0.1")
    return [("member", member, member_pages), ("visitor", visitor, member_pages[:3])]


def measure(runs: list, args) -> None:
    from django.db import connection

    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; {args.requests} GETs per page")
    print(f"{'viewer':<8} {'page':<20} {'CPU ms/req':>10} {'calls/req':>10} {'queries':>8}")
    for viewer, client, pages in runs:
        for label, path in pages:
            for _ in range(3):  # warm: fragments cached, read markers written
                response = client.get(path)
            if response.status_code != 200:
                print(f"{viewer:<8} {label:<20} {response.status_code}")
                continue
            queries = []

            def record(execute, sql, params, many, context, queries=queries):
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                client.get(path)
            t0 = time.process_time()
            for _ in range(args.requests):
                client.get(path)
            cpu = (time.process_time() - t0) * 1000 / args.requests
            profiler = cProfile.Profile(time.process_time)  # CPU time, not wall
            n = max(5, args.requests // 5)
            profiler.enable()
            for _ in range(n):
                client.get(path)
            profiler.disable()
            stats = pstats.Stats(profiler)
            if args.dump:
                Path(args.dump).mkdir(parents=True, exist_ok=True)
                stats.dump_stats(Path(args.dump) / f"{viewer}-{label.replace(' ', '-').replace(',', '')}.prof")
            print(f"{viewer:<8} {label:<20} {cpu:10.1f} {stats.total_calls / n:10.0f} {len(queries):8d}")
            if args.sql:
                print("\n".join("    " + q[:160] for q in queries))
            if args.profile and args.profile in f"{viewer} {label}":
                stats.sort_stats("cumulative").print_stats(args.top)
                stats.sort_stats("tottime").print_stats(args.top)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
