#!/usr/bin/env python
"""Date-poll benchmark on PostgreSQL: 50 concurrent voters answer one poll through a real server.

    .venv/bin/python bench/datepolls.py                       # 50 voters, 4 slots, 3 rounds
    .venv/bin/python bench/datepolls.py --voters 200 --workers 4 --no-race

It uses its own database (``BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/maillage_bench_datepolls``), starts a real ASGI server
(uvicorn, ``--workers`` processes), logs each voter in with its own session, loads the poll page
(CSRF cookie and token, like a browser), then releases every voter at once on the answer POST.
With ``--race`` (the default) each voter sends two different answers at the same instant, as a
double click or two open tabs would: one of them must be kept, whole. For each round it prints
answers/s (votes/s = answers × slots), p50 / p95 / max latency of the POST, and what the database
holds: one answer per voter, one vote per slot per answer, each answer equal to one the voter
sent (never a mix of both, never lost, never doubled).
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

CHOICES = ("yes", "maybe", "no")


def wanted_choices(voter_no: int, slot_ids: list[int], variant: int) -> dict[int, str]:
    """The answer a voter sends: distinct per voter and per variant (so a mix would show)."""
    return {sid: CHOICES[(voter_no + i + variant) % 3] for i, sid in enumerate(slot_ids)}


def race(base: str, poll, sessions, slot_ids, *, double: bool) -> tuple[list[float], list[int], float]:
    """Release every request at once; return latencies, statuses, wall time."""
    path = f"/agenda/sondages/{poll.token}/repondre/"
    return post_race(
        base,
        [
            (s, path, {f"slot_{k}": v for k, v in wanted_choices(n, slot_ids, variant).items()}, poll.get_absolute_url())
            for n, s in enumerate(sessions)
            for variant in ((0, 1) if double else (0,))
        ],
    )


def check(poll, users, slot_ids, *, double: bool) -> list[str]:
    """What went wrong in the database (empty: nothing lost, nothing doubled, nothing mixed)."""
    from events.models import DateAnswer, DateVote

    problems = []
    answers = {a.user_id: a for a in DateAnswer.objects.filter(poll=poll)}
    if len(answers) != len(users) or DateAnswer.objects.filter(poll=poll).count() != len(users):
        problems.append(f"{DateAnswer.objects.filter(poll=poll).count()} answers for {len(users)} voters")
    votes: dict[int, dict[int, str]] = {}
    for answer_id, slot_id, choice in DateVote.objects.filter(answer__poll=poll).values_list("answer_id", "slot_id", "choice"):
        votes.setdefault(answer_id, {})[slot_id] = choice
    total = sum(len(v) for v in votes.values())
    if total != len(users) * len(slot_ids):
        problems.append(f"{total} votes, expected {len(users) * len(slot_ids)}")
    for n, user in enumerate(users):
        answer = answers.get(user.pk)
        if answer is None:
            problems.append(f"voter {n}: answer lost")
            continue
        got = votes.get(answer.pk, {})
        sent = [wanted_choices(n, slot_ids, v) for v in ((0, 1) if double else (0,))]
        if got not in sent:
            problems.append(f"voter {n}: kept {got}, sent {sent}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=50)
    parser.add_argument("--slots", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-race", action="store_true", help="one answer per voter (no second answer racing the first)")
    args = parser.parse_args()
    double = not args.no_race

    race_bench_setup("maillage_bench_datepolls")
    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from community.models import MemberStatus, Profile, User
    from events.datepolls.services import datepoll_create

    print("migrating…", flush=True)
    call_command("migrate", verbosity=0)
    organiser = User.objects.filter(username="bench-dp-organiser").first()
    if organiser is None:
        organiser = User.objects.create_user(username="bench-dp-organiser", email="organiser@bench-dp.invalid", password=None)
        Profile.objects.filter(user=organiser).update(status=MemberStatus.APPROVED, display_name="Organisatrice")
        organiser.refresh_from_db()
    users = []
    for i in range(args.voters):
        user = User.objects.filter(username=f"bench-dp-{i}").first()
        if user is None:
            user = User.objects.create_user(username=f"bench-dp-{i}", email=f"bench-dp-{i}@bench.invalid", password=None)
            Profile.objects.filter(user=user).update(status=MemberStatus.APPROVED, display_name=f"Votant·e {i}")
        users.append(user)

    failed = False
    with asgi_server(workers=args.workers) as base:
        mode = "two racing answers per voter" if double else "one answer per voter"
        print(f"server up on {base} ({args.workers} workers), {args.voters} voters, {args.slots} slots, {mode}", flush=True)

        for round_no in range(1, args.rounds + 1):
            day = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
            poll = datepoll_create(
                actor=organiser,
                title=f"Bench réunion {uuid.uuid4().hex[:8]}",
                slots=[(day + timedelta(days=i), day + timedelta(days=i, hours=2)) for i in range(args.slots)],
                invitees_kind="link",
            )
            slot_ids = list(poll.slots.order_by("start", "pk").values_list("pk", flat=True))
            sessions = []
            for user in users:
                s = requests.Session()
                s.cookies.set(settings.SESSION_COOKIE_NAME, session_key(user), domain="127.0.0.1")
                assert s.get(f"{base}{poll.get_absolute_url()}", timeout=30).status_code == 200
                sessions.append(s)
            latencies, statuses, wall = race(base, poll, sessions, slot_ids, double=double)
            ok = sum(1 for c in statuses if c == 302)
            problems = check(poll, users, slot_ids, double=double)
            print(
                f"round {round_no}: {ok}/{len(statuses)} answers in {wall:.2f} s = {ok / wall:.1f} answers/s "
                f"({ok * len(slot_ids) / wall:.0f} votes/s); latency p50 {pct(latencies, 50) * 1000:.0f} ms, "
                f"p95 {pct(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
                f"kept {len(users)} answers expected, problems: {len(problems)}",
                flush=True,
            )
            if ok != len(statuses):
                print(f"  {len(statuses) - ok} request(s) not 302 (HTTP {sorted(set(statuses) - {302})})", flush=True)
            for problem in problems[:10]:
                print(f"  {problem}", flush=True)
            failed = failed or bool(problems)
    if failed:
        raise SystemExit("VOTES LOST, DOUBLED OR MIXED")


if __name__ == "__main__":
    main()
