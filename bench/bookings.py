#!/usr/bin/env python
"""Booking benchmark: concurrent requests for one shared item through a real server.

    .venv/bin/python bench/bookings.py                  # 30 clients, 3 rounds, PostgreSQL
    .venv/bin/python bench/bookings.py --clients 60 --rounds 5 --workers 2
    BENCH_DATABASE_URL=sqlite:////tmp/bench-bookings.sqlite3 .venv/bin/python bench/bookings.py

It uses its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_sharing``), starts uvicorn (``--workers``
processes), logs each client in with its own session and loads the booking form (CSRF cookie and
token, like a browser), then releases every client at once on the booking POST. Each client asks
for one of a few overlapping slots of the same afternoon (quantity 1, accepted automatically).
Per round it prints requests/s, p50 / p95 / max latency, how many won (302) or were refused with
the nearest free slot (200), and the **overlaps** read back from the database: pairs of held
bookings that overlap, which must be 0.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

from bench.benchlib import asgi_server, pct, post_race, race_bench_setup, session_key  # noqa: E402

# (start hour, end hour) of the slots the clients ask for: every one overlaps at least one other
SLOTS = [(13, 15), (14, 16), (15, 17), (13, 17), (16, 18)]


def race(base: str, url: str, sessions, payloads) -> tuple[list[float], list[int], float]:
    """Release every client at once on the booking POST; return latencies, statuses, wall time."""
    return post_race(base, [(s, url, d, url) for s, d in zip(sessions, payloads, strict=True)], timeout=120)


def overlaps(rows) -> int:
    """Pairs of held bookings whose periods overlap (quantity-1 item: must be 0)."""
    rows = sorted(rows)
    return sum(1 for i, (s1, e1) in enumerate(rows) for s2, e2 in rows[i + 1 :] if s2 < e1 and s1 < e2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    race_bench_setup("maillage_bench_sharing")
    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from community.models import MemberStatus, Organisation, Profile, User
    from sharing.models import Booking, Item

    print("migrating…", flush=True)
    call_command("migrate", verbosity=0)
    org, _ = Organisation.objects.get_or_create(slug="bench-sharing", defaults={"name": "Structure du bench"})
    users = []
    for i in range(args.clients):
        user = User.objects.filter(username=f"bench-share-{i}").first()
        if user is None:
            user = User.objects.create_user(username=f"bench-share-{i}", email=f"bench-share-{i}@bench.invalid", password=None)
            Profile.objects.filter(user=user).update(status=MemberStatus.APPROVED, display_name=f"Membre {i}")
        users.append(user)

    total_overlaps = 0
    with asgi_server(workers=args.workers) as base:
        print(f"{connection.vendor}: server up on {base} ({args.workers} workers), {args.clients} clients per round", flush=True)
        for round_no in range(1, args.rounds + 1):
            item = Item.objects.create(organisation=org, name=f"Valise bench {round_no}", quantity=1, auto_approve=True)
            day = timezone.localdate() + timedelta(days=3 + round_no)
            url = f"/partage/{item.pk}/reserver/"
            sessions, payloads = [], []
            for i, user in enumerate(users):
                s = requests.Session()
                s.cookies.set(settings.SESSION_COOKIE_NAME, session_key(user), domain="127.0.0.1")
                assert s.get(f"{base}{url}", timeout=30).status_code == 200
                a, b = SLOTS[i % len(SLOTS)]
                start, end = datetime(day.year, day.month, day.day, a), datetime(day.year, day.month, day.day, b)
                payloads.append({"start": start.strftime("%Y-%m-%dT%H:%M"), "end": end.strftime("%Y-%m-%dT%H:%M"), "quantity": 1})
                sessions.append(s)
            latencies, statuses, wall = race(base, url, sessions, payloads)
            held = list(Booking.objects.filter(item=item, status__in=Booking.HOLDING).values_list("start", "end"))
            found = overlaps(held)
            total_overlaps += found
            won, refused = statuses.count(302), statuses.count(200)
            print(
                f"round {round_no}: {len(statuses)} requests in {wall:.2f} s = {len(statuses) / wall:.1f} requests/s; "
                f"latency p50 {pct(latencies, 50) * 1000:.0f} ms, p95 {pct(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
                f"won {won}, refused with a free slot {refused}, other {len(statuses) - won - refused}; "
                f"bookings held {len(held)}, overlaps {found}",
                flush=True,
            )
        print(f"overlaps over all rounds: {total_overlaps} (must be 0)", flush=True)
        if total_overlaps:
            raise SystemExit("DOUBLE-BOOKED")


if __name__ == "__main__":
    main()
