#!/usr/bin/env python
"""Sign-up benchmark on PostgreSQL: 50 concurrent clients race for 5 seats through a real server.

    .venv/bin/python bench/signup.py                    # 50 clients, 5 seats, 3 rounds
    .venv/bin/python bench/signup.py --clients 200 --seats 20 --workers 4

It uses its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_events``), starts a real ASGI server
(uvicorn, ``--workers`` processes), logs each client in with its own session, loads the event
page (CSRF cookie and token, like a browser), then releases all clients at once on the sign-up
POST. For each round it prints sign-ups/s, p50 / p95 / max latency of the POST, and the
confirmed / waitlisted counts read back from the database: confirmed must equal the capacity.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchlib import asgi_server, pct, post_race, race_bench_setup, session_key  # noqa: E402


def race(base: str, event, sessions) -> tuple[list[float], list[int], float]:
    """Release every client at once on the sign-up POST; return latencies, statuses, wall time."""
    return post_race(base, [(s, f"/agenda/{event.slug}/inscription/", {}, event.get_absolute_url()) for s in sessions])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seats", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    race_bench_setup("maillage_bench_events")
    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from community.models import MemberStatus, Profile, User
    from events.models import Event, Registration
    from events.services import event_create

    print("migrating…", flush=True)
    call_command("migrate", verbosity=0)
    staff = User.objects.filter(username="bench-events-staff").first() or User.objects.create_user(
        username="bench-events-staff", email="staff@bench-events.invalid", is_staff=True
    )
    users = []
    for i in range(args.clients):
        user = User.objects.filter(username=f"bench-ev-{i}").first()
        if user is None:
            user = User.objects.create_user(username=f"bench-ev-{i}", email=f"bench-ev-{i}@bench.invalid", password=None)
            Profile.objects.filter(user=user).update(status=MemberStatus.APPROVED, display_name=f"Membre {i}")
        users.append(user)

    with asgi_server(workers=args.workers) as base:
        print(f"server up on {base} ({args.workers} workers), {args.clients} clients, {args.seats} seats", flush=True)

        for round_no in range(1, args.rounds + 1):
            start = timezone.now() + timedelta(days=7)
            event = event_create(
                actor=staff,
                title=f"Bench atelier {uuid.uuid4().hex[:8]}",
                start=start,
                end=start + timedelta(hours=2),
                state="published",
                audience="members",
                capacity=args.seats,
            )
            sessions = []
            for user in users:
                s = requests.Session()
                s.cookies.set(settings.SESSION_COOKIE_NAME, session_key(user), domain="127.0.0.1")
                assert s.get(f"{base}{event.get_absolute_url()}", timeout=30).status_code == 200
                sessions.append(s)
            latencies, statuses, wall = race(base, event, sessions)
            confirmed = Registration.objects.filter(event=event, status="confirmed").count()
            waitlisted = Registration.objects.filter(event=event, status="waitlisted").count()
            seats_taken = Event.objects.get(pk=event.pk).seats_taken
            ok = sum(1 for c in statuses if c == 302)
            print(
                f"round {round_no}: {ok}/{len(statuses)} sign-ups in {wall:.2f} s = {ok / wall:.1f} sign-ups/s; "
                f"latency p50 {pct(latencies, 50) * 1000:.0f} ms, p95 {pct(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
                f"confirmed {confirmed} (capacity {args.seats}, seats_taken {seats_taken}), waitlisted {waitlisted}",
                flush=True,
            )
            errors = len(statuses) - ok
            if errors:
                print(f"  {errors} request(s) failed (HTTP {sorted(set(statuses) - {302})}): see the server log above", flush=True)
            if confirmed != args.seats or seats_taken != args.seats or confirmed + waitlisted != ok:
                raise SystemExit("OVER- OR UNDER-BOOKED")


if __name__ == "__main__":
    main()
