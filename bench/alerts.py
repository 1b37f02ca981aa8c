"""Bench: match 300 new funding calls against the watches of 10,000 members.

Run on PostgreSQL (its own database, created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_funding .venv/bin/python bench/alerts.py

Creates (once) 10,000 members spread over the communes of Bourgogne-Franche-Comté, each with a
confirmed daily watch (themes, territory, beneficiaries, keywords, amounts…), then 300 calls
published after the watches' cursors, and times the matching step of ``alerts_run``: loading
the due watches and ``watches_match`` (which call interests which watch). The match is run at
1,000 and at 10,000 watches to show the query count does not grow with the number of members.
``BENCH_MEMBERS`` / ``BENCH_CALLS`` change the sizes. The calls and watches are deleted at the end.
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_funding")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.benchlib import ensure_database  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
CALLS = int(os.environ.get("BENCH_CALLS", "300"))
WORDS = ["numerique", "tiers", "fablab", "seniors", "jeunesse", "reconditionnement", "formation", "droits", "mediation", "ruralite"]


def timed(label, func):
    with CaptureQueriesContext(connection) as ctx:
        start, cpu = time.perf_counter(), time.process_time()
        result = func()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<52} {elapsed * 1000:8.0f} ms (CPU Python {cpu * 1000:6.0f} ms)  {len(ctx.captured_queries):4d} requêtes")
    return result


def members(rng):
    from community.models import Commune, MemberStatus, Profile, User

    existing = User.objects.filter(email__endswith="@bench-funding.local").count()
    if existing < MEMBERS:
        communes = list(Commune.objects.filter(department__region__code="27").values_list("pk", "department_id"))
        users = [
            User(username=f"bench-funding-{i}", email=f"bench-{i}@bench-funding.local", password="!") for i in range(existing, MEMBERS)
        ]
        User.objects.bulk_create(users, batch_size=2000)
        created = User.objects.filter(email__endswith="@bench-funding.local").exclude(profile__isnull=False)
        profiles = []
        for user in created:
            commune_id, department_id = rng.choice(communes)
            profiles.append(Profile(user=user, commune_id=commune_id, department_id=department_id, status=MemberStatus.APPROVED))
        Profile.objects.bulk_create(profiles, batch_size=2000)
    return list(User.objects.filter(email__endswith="@bench-funding.local").order_by("pk").values_list("pk", flat=True)[:MEMBERS])


def main():
    ensure_database()
    call_command("migrate", verbosity=0)
    from community.models import Department, Region
    from funding import services
    from funding.filters import normalise
    from funding.models import Beneficiary, CallKind, FundingCall, Scope, Theme, Watch, codes_to_text

    rng = random.Random(5)
    user_ids = timed(f"membres ({MEMBERS})", lambda: members(rng))
    Watch.objects.filter(name="bench").delete()
    FundingCall.objects.filter(external_id__startswith="bench-").delete()

    start = timezone.now() - timedelta(hours=1)
    themes, audiences = list(Theme.values), list(Beneficiary.values)

    def criteria():
        c = {}
        if rng.random() < 0.7:
            c["themes"] = rng.sample(themes, rng.randint(1, 2))
        if rng.random() < 0.6:
            c["my_territory"] = True
        if rng.random() < 0.4:
            c["beneficiaries"] = rng.sample(audiences, rng.randint(1, 2))
        if rng.random() < 0.3:
            c["q"] = rng.choice(WORDS)
        if rng.random() < 0.1:
            c["amount_min"] = rng.choice([5000, 20000])
        if rng.random() < 0.2:
            c["open_now"] = True
        return c

    watches = [
        Watch(user_id=pk, name="bench", criteria=criteria(), frequency="daily", email_confirmed_at=start, cursor=start) for pk in user_ids
    ]
    timed(f"alertes ({len(watches)})", lambda: Watch.objects.bulk_create(watches, batch_size=2000))

    regions = list(Region.objects.values_list("pk", flat=True))
    bfc_departments = list(Department.objects.filter(region__code="27").values_list("pk", flat=True))
    today = timezone.localdate()
    calls = []
    for i in range(CALLS):
        scope = rng.choice([Scope.NATIONAL, Scope.NATIONAL, Scope.REGION, Scope.DEPARTMENT])
        title = f"Appel {i} {rng.choice(WORDS)} {rng.choice(WORDS)}"
        description = " ".join(rng.choice(WORDS) for _ in range(12))
        calls.append(
            FundingCall(
                title=title,
                slug=f"bench-{i}",
                funders=f"Financeur {i % 40}",
                description=description,
                kind=rng.choice(CallKind.values),
                themes=codes_to_text(rng.sample(themes, rng.randint(1, 3))),
                beneficiaries=codes_to_text(rng.sample(audiences, rng.randint(1, 4))),
                scope=scope,
                region_id=rng.choice(regions) if scope == Scope.REGION else None,
                department_id=rng.choice(bfc_departments) if scope == Scope.DEPARTMENT else None,
                amount_max=rng.choice([None, 5000, 15000, 50000]),
                deadline=today + timedelta(days=rng.randint(5, 120)),
                state="published",
                published_at=start + timedelta(seconds=i + 1),
                external_id=f"bench-{i}",
                title_key=normalise(title),
                search_text=f" {normalise(title + ' ' + description)} ",
            )
        )
    timed(f"appels publiés ({CALLS})", lambda: FundingCall.objects.bulk_create(calls, batch_size=500))

    upper = timezone.now()
    print()
    due = timed(f"chargement des alertes dues ({MEMBERS})", lambda: services.watches_due(frequencies=["daily"], upper=upper))
    for size in sorted({min(1000, MEMBERS), MEMBERS}):
        result = timed(
            f"appariement {size} alertes × {CALLS} appels", lambda size=size: services.watches_match(watches=due[:size], upper=upper)
        )
        hits = sum(len(ids) for _w, ids in result)
        print(f"  → {sum(1 for _w, ids in result if ids)} alertes à envoyer, {hits} couples alerte-appel")

    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx("services.watches_match(watches=due, upper=upper)", globals(), locals(), "/tmp/bench-funding.prof")
        pstats.Stats("/tmp/bench-funding.prof").sort_stats("tottime").print_stats(12)

    with CaptureQueriesContext(connection) as ctx:
        start_all, cpu = time.perf_counter(), time.process_time()
        due = services.watches_due(frequencies=["daily"], upper=upper)
        services.watches_match(watches=due, upper=upper)
        total, cpu = time.perf_counter() - start_all, time.process_time() - cpu
    print(
        f"\nTOTAL appariement ({len(due)} membres, {CALLS} appels) : {total:.2f} s (CPU Python {cpu:.2f} s), "
        f"{len(ctx.captured_queries)} requêtes ; charge machine : {os.getloadavg()[0]:.1f}"
    )

    Watch.objects.filter(name="bench").delete()
    FundingCall.objects.filter(external_id__startswith="bench-").delete()


if __name__ == "__main__":
    main()
