"""Bench: the staff observatory on 10,000 members and 2,000 places.

Run on PostgreSQL (its own database, created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_content .venv/bin/python bench/observatory.py

Seeds the members (with départements, métiers and skills) and the places once, then requests
``/observatoire/`` as hub staff several times and prints the median and worst response times and
the number of queries (target: under 300 ms). ``BENCH_MEMBERS`` and ``BENCH_PLACES`` change the
sizes. Uses ``hub.settings.dev`` with ``DEBUG=False`` unless ``DJANGO_SETTINGS_MODULE`` says otherwise.
"""

import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_content")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.benchlib import ensure_database  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
PLACES = int(os.environ.get("BENCH_PLACES", "2000"))
RUNS = int(os.environ.get("BENCH_RUNS", "10"))


@transaction.atomic
def seed_members(rng):
    from django.contrib.auth.hashers import make_password

    from community.demo import SKILLS
    from community.models import Department, MemberStatus, Metier, Profile, Skill, User

    existing = User.objects.filter(username__startswith="bench-").count()
    if existing >= MEMBERS:
        return
    password = make_password("bench-password-0")
    departments = list(Department.objects.filter(region__code="27"))
    skills = [Skill.objects.get_or_create(name=name)[0] for name in SKILLS]
    metiers = [m for m, _label in Metier.choices]
    users = User.objects.bulk_create(
        [User(username=f"bench-{i}", email=f"bench-{i}@bench.invalid", password=password) for i in range(existing, MEMBERS)],
        batch_size=2000,
    )
    # Profiles may be created by a post_save signal on User; bulk_create skips signals.
    have = set(Profile.objects.filter(user__in=users).values_list("user_id", flat=True))
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                display_name=u.username,
                status=MemberStatus.APPROVED,
                metier=rng.choice(metiers),
                department=rng.choice(departments),
            )
            for u in users
            if u.pk not in have
        ],
        batch_size=2000,
    )
    Profile.objects.filter(user__in=users).update(status=MemberStatus.APPROVED)
    through = Profile.skills.through
    rows = []
    for profile_id in Profile.objects.filter(user__username__startswith="bench-").values_list("pk", flat=True):
        for skill in rng.sample(skills, k=rng.randint(0, 4)):
            rows.append(through(profile_id=profile_id, skill_id=skill.pk))
    through.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


@transaction.atomic
def seed_places(rng):
    try:
        from places.models import Place
    except ImportError:
        print("places app absent: members only")
        return
    existing = Place.objects.filter(nom__startswith="Bench ").count()
    if existing >= PLACES:
        return
    postcodes = ["21000", "25000", "39000", "58000", "70000", "71000", "89000", "90000"]
    Place.objects.bulk_create(
        [
            Place(
                nom=f"Bench {i}",
                pivot="12345678901234",
                commune="Dijon",
                code_postal=rng.choice(postcodes),
                adresse="1 rue du Bench",
                latitude=46.2 + rng.random() * 2,
                longitude=3.0 + rng.random() * 4,
                is_published=rng.random() < 0.9,
                is_labelled=rng.random() < 0.2,
            )
            for i in range(existing, PLACES)
        ],
        batch_size=2000,
    )


def main():
    ensure_database()
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    start = time.perf_counter()
    seed_members(rng)
    seed_places(rng)
    print(f"seed: {time.perf_counter() - start:.1f} s")

    from community.models import Profile, User

    staff = User.objects.filter(username="bench-staff").first()
    if staff is None:
        staff = User.objects.create(username="bench-staff", email="bench-staff@bench.invalid", is_staff=True)
    client = Client()
    client.force_login(staff, backend="community.backends.ModelBackend")
    print(f"members: {Profile.objects.filter(status='approved').count()}", end="")
    try:
        from places.models import Place

        print(f", places: {Place.objects.count()}")
    except ImportError:
        print(", places: (no places app)")

    from django.core.cache import cache
    from django.test import override_settings

    response = client.get("/observatoire/")  # warm up
    assert response.status_code == 200, response.status_code
    for label, seconds in (("sans cache (figures recalculées)", 0), ("avec le cache de 5 min", 300)):
        timings = []
        queries = 0
        with override_settings(OBSERVATORY_CACHE_SECONDS=seconds):
            cache.clear()
            client.force_login(staff, backend="community.backends.ModelBackend")
            client.get("/observatoire/")
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as ctx:
                    t0 = time.perf_counter()
                    response = client.get("/observatoire/")
                    timings.append((time.perf_counter() - t0) * 1000)
                queries = len(ctx.captured_queries)
        print(
            f"/observatoire/ {label} ({len(response.content) // 1024} Ko): médiane {statistics.median(timings):.0f} ms, "
            f"pire {max(timings):.0f} ms, {queries} requêtes, {RUNS} passages (cible < 300 ms)"
        )
    print(f"charge de la machine (load average 1 min): {os.getloadavg()[0]:.1f} sur {os.cpu_count()} cœurs")
    t0 = time.perf_counter()
    client.get("/observatoire/skills_census.csv")
    print(f"/observatoire/skills_census.csv: {(time.perf_counter() - t0) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
