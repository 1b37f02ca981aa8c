"""Bench: partner matching (issue 15 item 3) for 200 consortia on a network of 10,000 members.

Run on PostgreSQL (its own database, created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_matching .venv/bin/python bench/matching.py

Creates (once) 10,000 approved members in the directory spread over the départements of
Bourgogne-Franche-Comté, with organisations of every type and 0–4 skills of the référentiel each
(with levels), then 200 published calls (themes, beneficiaries, national / regional /
departmental scope) with one consortium each (a lead and 0–3 partners). Times
``partner_suggestions`` — what the lead's consortium page computes — for every consortium: p50,
p95, max and total, with its query count. It runs first with 1,000 members in the directory,
then with all 10,000, to show the query count does not grow with the number of members.
``BENCH_MEMBERS`` / ``BENCH_CONSORTIA`` change the sizes; ``BENCH_SAMPLE`` (default 20, 0 for
all) is how many of the consortia, evenly spread, are timed in each pass. The calls and consortia are deleted at
the end (the members stay for the next run).
"""

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_matching")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.benchlib import ensure_database, pct  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
CONSORTIA = int(os.environ.get("BENCH_CONSORTIA", "200"))
# consortia timed per pass (evenly spread over the 200; 0 = all of them)
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "20"))
DOMAIN = "@bench-matching.local"


def members(rng):
    """10,000 members with organisations and référentiel skills (bulk inserts, once)."""
    from community.models import Commune, MemberStatus, Organisation, OrganisationType, Profile, ProfileSkill, Skill, SkillLevel, User

    existing = User.objects.filter(email__endswith=DOMAIN).count()
    if existing < MEMBERS:
        communes = list(Commune.objects.filter(department__region__code="27").values_list("pk", "department_id"))
        orgs = [
            Organisation(
                name=f"Structure bench {i}",
                slug=f"bench-matching-{i}",
                type=rng.choice(OrganisationType.values),
                commune_id=rng.choice(communes)[0],
            )
            for i in range(MEMBERS // 10)
        ]
        Organisation.objects.bulk_create(orgs, batch_size=2000, ignore_conflicts=True)
        org_ids = list(Organisation.objects.filter(slug__startswith="bench-matching-").values_list("pk", flat=True))
        users = [User(username=f"bench-matching-{i}", email=f"bench-{i}{DOMAIN}", password="!") for i in range(existing, MEMBERS)]
        User.objects.bulk_create(users, batch_size=2000)
        created = User.objects.filter(email__endswith=DOMAIN, profile__isnull=True)
        profiles = []
        for user in created:
            commune_id, department_id = rng.choice(communes)
            profiles.append(
                Profile(
                    user=user,
                    display_name=user.username,
                    commune_id=commune_id,
                    department_id=department_id,
                    organisation_id=rng.choice(org_ids) if rng.random() < 0.8 else None,
                    status=MemberStatus.APPROVED,
                )
            )
        Profile.objects.bulk_create(profiles, batch_size=2000)
        skills = list(Skill.objects.filter(in_referential=True).values_list("pk", flat=True))
        rows = [
            ProfileSkill(profile_id=pid, skill_id=sid, level=rng.choice(SkillLevel.values))
            for pid in Profile.objects.filter(user__email__endswith=DOMAIN).values_list("pk", flat=True)
            for sid in rng.sample(skills, rng.randint(0, 4))
        ]
        ProfileSkill.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return list(User.objects.filter(email__endswith=DOMAIN).order_by("pk").values_list("pk", flat=True)[:MEMBERS])


def consortia(rng, user_ids):
    """200 published calls with one consortium each (lead + 0–3 active partners)."""
    from community.models import Department, Profile, Region
    from funding.filters import normalise
    from funding.models import Beneficiary, CallKind, Consortium, ConsortiumMember, FundingCall, Scope, Theme, codes_to_text

    themes, audiences = list(Theme.values), list(Beneficiary.values)
    region = Region.objects.get(code="27").pk
    departments = list(Department.objects.filter(region__code="27").values_list("pk", flat=True))
    today, now = timezone.localdate(), timezone.now()
    calls = []
    for i in range(CONSORTIA):
        scope = rng.choice([Scope.NATIONAL, Scope.NATIONAL, Scope.REGION, Scope.DEPARTMENT])
        title = f"Appel bench matching {i}"
        calls.append(
            FundingCall(
                title=title,
                slug=f"bench-matching-{i}",
                funders=f"Financeur {i % 20}",
                description="Appel du banc d'essai.",
                kind=rng.choice(CallKind.values),
                themes=codes_to_text(rng.sample(themes, rng.randint(1, 3))),
                beneficiaries=codes_to_text(rng.sample(audiences, rng.randint(1, 4))),
                scope=scope,
                region_id=region if scope == Scope.REGION else None,
                department_id=rng.choice(departments) if scope == Scope.DEPARTMENT else None,
                deadline=today + timedelta(days=rng.randint(10, 90)),
                state="published",
                published_at=now,
                external_id=f"bench-matching-{i}",
                title_key=normalise(title),
                search_text=f" {normalise(title)} ",
            )
        )
    FundingCall.objects.bulk_create(calls, batch_size=500)
    orgs = dict(Profile.objects.filter(user_id__in=user_ids, organisation__isnull=False).values_list("user_id", "organisation_id"))
    leads = [uid for uid in user_ids if uid in orgs]
    rows = []
    for call in FundingCall.objects.filter(external_id__startswith="bench-matching-").order_by("pk"):
        lead = rng.choice(leads)
        rows.append(
            Consortium(
                call=call, name=f"Consortium {call.pk}", lead_organisation_id=orgs[lead], created_by_id=lead, partners_announced_at=now
            )
        )
    Consortium.objects.bulk_create(rows)
    members = []
    for consortium in Consortium.objects.filter(call__external_id__startswith="bench-matching-"):
        members.append(ConsortiumMember(consortium=consortium, user_id=consortium.created_by_id, is_lead=True, status="active"))
        for uid in rng.sample(leads, rng.randint(0, 3)):
            if uid != consortium.created_by_id:
                members.append(ConsortiumMember(consortium=consortium, user_id=uid, status="active"))
    ConsortiumMember.objects.bulk_create(members, ignore_conflicts=True)
    return list(Consortium.objects.filter(call__external_id__startswith="bench-matching-").select_related("call__commune").order_by("pk"))


def run(label, all_consortia):
    from funding.matching import partner_suggestions

    times, queries, found = [], set(), 0
    start = time.perf_counter()
    for consortium in all_consortia:
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            found += len(partner_suggestions(consortium=consortium))
            times.append(time.perf_counter() - t0)
        queries.add(len(ctx.captured_queries))
    total = time.perf_counter() - start
    print(
        f"{label:<34} par consortium p50 {pct(times, 50) * 1000:5.0f} ms, p95 {pct(times, 95) * 1000:5.0f} ms, "
        f"max {max(times) * 1000:5.0f} ms ; {len(times)} consortiums en {total:5.1f} s ; requêtes par consortium {sorted(queries)} ; "
        f"{found / len(times):.1f} suggestions en moyenne"
    )
    return pct(times, 95), queries


def main():
    ensure_database()
    call_command("migrate", verbosity=0)
    from community.models import Profile
    from funding.models import Consortium, FundingCall

    rng = random.Random(15)
    Consortium.objects.filter(call__external_id__startswith="bench-matching-").delete()
    FundingCall.objects.filter(external_id__startswith="bench-matching-").delete()
    t0 = time.perf_counter()
    user_ids = members(rng)
    all_consortia = consortia(rng, user_ids)
    print(f"données : {len(user_ids)} membres, {len(all_consortia)} consortiums ({time.perf_counter() - t0:.1f} s)\n")

    if SAMPLE and len(all_consortia) > SAMPLE:
        step = len(all_consortia) / SAMPLE
        all_consortia = [all_consortia[int(i * step)] for i in range(SAMPLE)]
    small = min(1000, MEMBERS)
    # the consortia's own members stay in the directory: a member who left it costs two more
    # queries whatever the network's size (their profile is loaded apart), which is not what is compared
    from funding.models import ConsortiumMember

    team = ConsortiumMember.objects.filter(consortium__in=all_consortia).values("user_id")
    Profile.objects.filter(user_id__in=user_ids[small:]).exclude(user_id__in=team).update(in_directory=False)
    _p95, small_queries = run(f"~{small} membres dans l'annuaire", all_consortia)
    Profile.objects.filter(user_id__in=user_ids).update(in_directory=True)
    p95, big_queries = run(f"{MEMBERS} membres dans l'annuaire", all_consortia)
    same = "identique" if small_queries == big_queries else "DIFFÉRENT"
    print(
        f"\nRÉSULTAT : p95 {p95 * 1000:.0f} ms par consortium (objectif ≤ 1 000 ms), nombre de requêtes {same} à {small} et {MEMBERS} "
        f"membres ; charge machine : {os.getloadavg()[0]:.1f}"
    )
    Consortium.objects.filter(call__external_id__startswith="bench-matching-").delete()
    FundingCall.objects.filter(external_id__startswith="bench-matching-").delete()


if __name__ == "__main__":
    main()
