#!/usr/bin/env python
"""Dashboard ("Mon réseau") benchmark: a member of 200 groups with their activity (issue 16, item 8).

    .venv/bin/python bench/dashboard.py                      # build once, then measure
    .venv/bin/python bench/dashboard.py --rebuild            # drop and rebuild the bench database
    .venv/bin/python bench/dashboard.py --items-per-group 20 # a lighter network

It uses its own PostgreSQL database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_dashboard``) and ``BENCH_REDIS_URL`` (default
``redis://127.0.0.1:6379/9``). The network: 2,000 members, 200 groups (one in ten secret), the
viewers members of all 200, and the activity those groups and the hub produce — per group
``--items-per-group`` stream items (topics, replies, events, minutes) plus hub-wide items
(funding calls, resources, new members), spread over 90 days, written with bulk inserts in the
shape ``community.services.activity_record`` writes. It starts the project under uvicorn
(``--workers`` processes, DEBUG off) and prints, for the dashboard and its "groupes" filter and
second page: serial p50/p95, req/s and p95 at 10 and 20 clients, queries per page (in process,
second GET) and the compressed weight — ``bench/forum.py``'s page matrix.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchlib import GROUP_ACTIVITY, HUB_ACTIVITY, free_port  # noqa: E402
from bench.forum import ensure_database, page_matrix, session_cookies, setup_django, start_server  # noqa: E402

DOMAIN = "@bench-dashboard.invalid"
MEMBERS = 2000
GROUPS = 200
VIEWERS = 20


def build(items_per_group: int, out) -> dict:
    """Bulk-insert the bench network once (reused when it is there at this size)."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from community.models import Activity, MemberStatus, Profile, User
    from groups.models import AccessMode, Group, Membership, Role

    call_command("migrate", verbosity=0)
    marker = f"bench-dashboard-{items_per_group}"
    if Group.objects.filter(slug=marker).exists():
        out(f"reusing bench data ({marker})")
    else:
        rng = random.Random(16)
        t0 = time.monotonic()
        Activity.objects.all().delete()
        Group.objects.filter(slug__startswith="bench-dashboard").delete()
        User.objects.filter(email__endswith=DOMAIN).delete()
        User.objects.bulk_create(
            [User(username=f"bench-dash-{i}", email=f"m{i}{DOMAIN}", password="!") for i in range(MEMBERS)], batch_size=2000
        )
        users = list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True))
        # the post_save signal made profiles for some setups: only the missing ones are inserted
        have = set(Profile.objects.filter(user_id__in=users).values_list("user_id", flat=True))
        Profile.objects.bulk_create(
            [Profile(user_id=pk, display_name=f"Membre {n}", status=MemberStatus.APPROVED) for n, pk in enumerate(users) if pk not in have],
            batch_size=2000,
        )
        Profile.objects.filter(user_id__in=users).update(status=MemberStatus.APPROVED)
        groups = Group.objects.bulk_create(
            [
                Group(
                    name=f"Groupe bench {i}",
                    slug=f"bench-dashboard-g{i}",
                    access=AccessMode.SECRET if i % 10 == 0 else AccessMode.OPEN,
                )
                for i in range(GROUPS)
            ]
            + [Group(name="Marqueur du bench", slug=marker, access=AccessMode.SECRET)]
        )[:GROUPS]
        viewers = users[:VIEWERS]
        Membership.objects.bulk_create(
            [Membership(group=g, user_id=pk, role=Role.MEMBER) for g in groups for pk in viewers]
            + [Membership(group=g, user_id=pk, role=Role.MEMBER) for g in groups for pk in rng.sample(users[VIEWERS:], 30)],
            batch_size=5000,
            ignore_conflicts=True,
        )
        now = timezone.now()
        rows = []
        for g in groups:
            # the audience rule of groups.access: secret groups' items to their people, others to members
            audience = f"group:{g.pk}" if g.access == AccessMode.SECRET else "members"
            for n in range(items_per_group):
                verb, kind, title = rng.choice(GROUP_ACTIVITY)
                rows.append(
                    Activity(
                        actor_id=rng.choice(users),
                        verb=verb,
                        kind=kind,
                        title=f"{title} {n} de {g.name}",
                        summary="Échanges du groupe de travail sur l'accompagnement des publics. " * 2,
                        url=f"/groupes/{g.slug}/",
                        audience=audience,
                        object_ref=f"bench.item:{g.pk}-{n}",
                        group_id=g.pk,
                        created_at=now - timedelta(seconds=rng.randint(0, 90 * 86400)),
                    )
                )
        for n in range(GROUPS * items_per_group // 4):
            verb, kind, title = rng.choice(HUB_ACTIVITY)
            rows.append(
                Activity(
                    actor_id=rng.choice(users) if kind != "funding" else None,
                    verb=verb,
                    kind=kind,
                    title=f"{title} {n}",
                    summary="Un extrait de ce qui a bougé dans le réseau.",
                    url="/",
                    audience=rng.choice(["members", "public"]),
                    object_ref=f"bench.hub:{n}",
                    created_at=now - timedelta(seconds=rng.randint(0, 90 * 86400)),
                )
            )
        Activity.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after such a load: the planner sees the real sizes
        out(f"built in {time.monotonic() - t0:.0f} s")
    viewers = list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True)[:VIEWERS])
    return {
        "viewers": viewers,
        "counts": {
            "members": User.objects.filter(email__endswith=DOMAIN).count(),
            "groups": Group.objects.filter(slug__startswith="bench-dashboard-g").count(),
            "stream items": Activity.objects.count(),
            "memberships of a viewer": Membership.objects.filter(user_id=viewers[0]).count(),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the bench database")
    parser.add_argument("--items-per-group", type=int, default=100, help="stream items per group (default 100: 20,000 + 5,000 hub items)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "2")), help="ASGI server processes")
    parser.add_argument("--serial", type=int, default=100, help="serial requests per page")
    parser.add_argument("--matrix-requests", type=int, default=300, help="requests per concurrent run")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_dashboard")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    out = print
    out(f"== Maillage dashboard bench on {db_url}, {args.workers} ASGI worker(s), Redis {redis_url}, load {os.getloadavg()[0]:.1f}")
    ensure_database(db_url, args.rebuild)
    setup_django(db_url, redis_url)
    world = build(args.items_per_group, out)
    out("data: " + ", ".join(f"{k} {v}" for k, v in world["counts"].items()))

    from bench.benchlib import session_keys

    keys = session_keys(world["viewers"])
    cookies = session_cookies(world["viewers"])
    # a second page starts where the first ends: read its "avant" cursor from the first page
    import re

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    from django.conf import settings

    client.cookies[settings.SESSION_COOKIE_NAME] = keys[0]
    first = client.get("/tableau-de-bord/").content.decode()
    cursor = re.search(r"avant=([\d.]+)", first)
    pages = [("dashboard", "/tableau-de-bord/"), ("dashboard, groupes", "/tableau-de-bord/?filtre=groupes")]
    if cursor:
        pages.append(("stream, page 2", f"/reseau/?avant={cursor.group(1)}"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_url, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "hub.settings.dev", "DEBUG": "false"}
    server = start_server(port, args.workers, env)
    try:
        page_matrix(f"http://127.0.0.1:{port}", pages, {"member": (cookies, keys[0])}, args.serial, args.matrix_requests, out)
    finally:
        server.terminate()
        server.wait(timeout=30)
    out(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
