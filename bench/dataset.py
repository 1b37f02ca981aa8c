#!/usr/bin/env python
"""A national-size Maillage network on PostgreSQL, built in minutes through ``COPY``.

    .venv/bin/python bench/dataset.py             # build once (reused when already built)
    .venv/bin/python bench/dataset.py --rebuild   # drop the database and build it again

Database: ``BENCH_DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/maillage_load``).

Contents (the sizes of issue 8): 20,000 approved members with profiles (organisations, départements,
skills), 400 groups with about 100,000 memberships, 400,000 posts in about 20,000 topics (one big
topic of 5,000 posts in the first group), 2,000 events (half upcoming) with 60,000 registrations,
1,000 funding calls, 3,000 places with 500 label applications, 1,000,000 in-app notifications
(``notifications.Notification``: one "heavy" member with 50,000 of them, 5,000 unread; about 47
for everyone else, one in ten unread) and a year of activity stream (120,000 items: four in five
in the groups, the others the hub's, to members or to the public; ``fill_activities``).

Rows go in with psycopg's ``COPY``; every column the script does not set gets its model default, so
a field added later with a default needs no change here. Users ``load0`` … ``load1999`` (the
first 2,000 members) belong to the big group and are the ones ``bench/load.py`` logs in as
(sessions are created directly, nobody has a usable password). Prints the time taken per table.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchlib import GROUP_ACTIVITY, HUB_ACTIVITY, pg_database_ensure  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/maillage_load"
MARKER = "bench-load-grand-groupe"
SIZES = {
    "members": 20_000,
    "load_users": 2_000,
    "organisations": 2_000,
    "groups": 400,
    "members_per_group": 250,
    "posts": 400_000,
    "big_topic": 5_000,
    "posts_per_topic": 20,
    "events": 2_000,
    "registrations": 60_000,
    "calls": 1_000,
    "places": 3_000,
    "applications": 500,
    "notifications": 1_000_000,
    "heavy_notifications": 50_000,
    "heavy_unread": 5_000,
    "activities": 120_000,
}
PASSWORD_HASH = "!bench-no-password"  # unusable: bench users log in through sessions created directly
WORDS = [
    "accompagnement",
    "numérique",
    "atelier",
    "démarches",
    "seniors",
    "médiation",
    "inclusion",
    "réseau",
    "usages",
    "smartphone",
    "France",
    "services",
    "Aidants",
    "Connect",
    "Pix",
    "parentalité",
    "reconditionnement",
    "cybersécurité",
    "fablab",
    "bibliothèque",
    "CCAS",
    "centre",
    "social",
    "formation",
    "tiers-lieu",
    "itinérance",
    "accès",
    "aux",
    "droits",
    "allocataires",
    "emploi",
]
FIRST = [
    "Camille",
    "Dominique",
    "Claude",
    "Alix",
    "Sacha",
    "Yannick",
    "Maxime",
    "Lou",
    "Charlie",
    "Morgan",
    "Éloïse",
    "Hugo",
    "Inès",
    "Léo",
    "Manon",
    "Nathan",
    "Zoé",
    "Jules",
    "Lina",
    "Arthur",
]
LAST = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefèbvre",
    "Leroy",
    "Roux",
    "Fournier",
    "Girard",
    "Bonnet",
]


def setup_django(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # building needs no channel layer
    import django

    django.setup()


def _const(value):
    return lambda: value


class Copier:
    """``COPY`` rows of a model: rows are dicts of attnames; missing columns get the model default."""

    def __init__(self, out):
        self.out = out
        self.timings: list[tuple[str, int, float]] = []

    def copy(self, model, rows, *, label: str | None = None) -> int:
        from django.db import connection, models
        from django.utils import timezone
        from psycopg.types.json import Jsonb

        now = timezone.now()
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = [f.column for f in fields]
        makers = []
        for f in fields:
            if f.has_default():
                default = f.default
                makers.append(default if callable(default) else _const(f.get_default()))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                makers.append(lambda: now)
            elif f.null:
                makers.append(lambda: None)
            elif isinstance(f, (models.CharField, models.TextField, models.FileField)):
                makers.append(lambda: "")
            else:
                makers.append(None)
        json_idx = {i for i, f in enumerate(fields) if isinstance(f, models.JSONField)}
        attnames = [f.attname for f in fields]
        t0 = time.monotonic()
        n = 0
        sql = f'COPY "{model._meta.db_table}" ({", ".join(f'"{c}"' for c in columns)}) FROM STDIN'
        connection.ensure_connection()
        with connection.connection.cursor() as cur, cur.copy(sql) as cp:
            for row in rows:
                values = []
                for i, att in enumerate(attnames):
                    if att in row:
                        v = row[att]
                    else:
                        maker = makers[i]
                        if maker is None:
                            raise ValueError(f"{model.__name__}.{att} needs a value")
                        v = maker()
                    if i in json_idx and v is not None:
                        v = Jsonb(v)
                    values.append(v)
                cp.write_row(values)
                n += 1
        elapsed = time.monotonic() - t0
        name = label or model._meta.db_table
        self.timings.append((name, n, elapsed))
        self.out(f"  {name:<34} {n:>9,} rows  {elapsed:6.1f} s  ({n / elapsed if elapsed else 0:,.0f} rows/s)")
        return n


def ids(model, **filters) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


def fill_search_text(out) -> None:
    """Datasets built before the rows carried ``search_text`` (the directory found no one): what
    ``save`` would have written, for the rows where it is missing."""
    from django.db import transaction

    from common.text import normalize
    from community.models import Organisation, Profile

    for model, source in ((Profile, "display_name"), (Organisation, "name")):
        rows = list(model.objects.filter(search_text="").exclude(**{source: ""}).only("pk", source))
        for row in rows:
            row.search_text = normalize(getattr(row, source))
        with transaction.atomic():
            model.objects.bulk_update(rows, ["search_text"], batch_size=2000)
        if rows:
            out(f"  search_text filled for {len(rows):,} {model._meta.verbose_name_plural}")


def fill_activities(cp: Copier, out, *, analyze: bool = True) -> None:
    """A year of activity stream (``SIZES["activities"]`` items), the shape
    ``community.services.activity_record`` writes: group items to the group's audience (a secret
    group's people, else the members), the hub's to members or to the public. Datasets built before
    the stream existed get it here; the dashboard's stream read an empty table until then."""
    from django.db import connection
    from django.utils import timezone

    from community.models import Activity, User
    from groups.models import AccessMode, Group

    if Activity.objects.filter(object_ref__startswith="bench.").exists():
        return
    rng = random.Random(16)
    now = timezone.now()
    users = list(User.objects.filter(username__startswith="load").order_by("pk").values_list("pk", flat=True))
    groups = list(Group.objects.order_by("pk").values_list("pk", "slug", "name", "access"))
    total = SIZES["activities"]

    def rows():
        for i in range(total):
            at = now - timedelta(seconds=rng.randint(60, 365 * 86400))
            if i % 5:
                pk, slug, name, access = groups[rng.randrange(len(groups))]
                verb, kind, title = rng.choice(GROUP_ACTIVITY)
                yield {
                    "actor_id": rng.choice(users),
                    **{"verb": verb, "kind": kind, "title": f"{title} {i} de {name}", "url": f"/groupes/{slug}/"},
                    "summary": "Échanges du groupe de travail sur l'accompagnement des publics.",
                    "audience": f"group:{pk}" if access == AccessMode.SECRET else "members",
                    **{"object_ref": f"bench.item:{i}", "group_id": pk, "created_at": at},
                }
            else:
                verb, kind, title = rng.choice(HUB_ACTIVITY)
                yield {
                    "actor_id": None if kind == "funding" else rng.choice(users),
                    **{"verb": verb, "kind": kind, "title": f"{title} {i}", "url": "/"},
                    "summary": "Un extrait de ce qui a bougé dans le réseau.",
                    **{"audience": rng.choice(["members", "public"]), "object_ref": f"bench.hub:{i}", "created_at": at},
                }

    cp.copy(Activity, rows())
    if analyze:
        with connection.cursor() as cur:
            cur.execute("ANALYZE community_activity")


def build(out) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.text import slugify
    from notifications.models import Notification

    from common.text import normalize
    from community.models import Commune, Department, Metier, Organisation, OrganisationType, Profile, Skill, User
    from events.models import Audience, Event, EventFormat, EventState, EventType, Registration, RegistrationStatus
    from funding.filters import normalise
    from funding.importers import funder_key
    from funding.models import Beneficiary, CallKind, CallState, FundingCall, Theme, codes_to_text
    from groups.models import AccessMode, Group, Membership, Post, Topic
    from labels.models import Application, ApplicationState, Axis, Criterion, Referential
    from places.models import Place

    t_start = time.monotonic()
    t = time.monotonic()
    call_command("migrate", verbosity=0)
    out(f"  {'migrate':<34} {'':>9}       {time.monotonic() - t:6.1f} s")
    if Group.objects.filter(slug=MARKER).exists():
        out(f"reusing the dataset already built (group {MARKER!r} exists); --rebuild to start again")
        fill_search_text(out)
        fill_activities(Copier(out), out)
        return
    rng = random.Random(8)
    now = timezone.now()
    cp = Copier(out)
    s = SIZES

    def text(k: int) -> str:
        return " ".join(rng.choices(WORDS, k=k))

    with transaction.atomic():
        # --- members, organisations, profiles, skills --------------------------------------
        departments = list(Department.objects.order_by("pk").values_list("pk", flat=True))
        communes = list(Commune.objects.order_by("pk").values_list("pk", "department_id"))
        skills = []
        for i, word in enumerate(sorted(set(WORDS))):
            skills.append(
                Skill.objects.get_or_create(slug=f"bench-{slugify(word)}-{i}", defaults={"name": f"{word.capitalize()} ({i})"})[0].pk
            )
        cp.copy(
            Organisation,
            (
                {
                    "name": (name := f"{rng.choice([lbl for _v, lbl in OrganisationType.choices])} {LAST[i % len(LAST)]} n°{i}"),
                    "search_text": normalize(name),  # what Organisation.save writes
                    "slug": f"bench-org-{i}",
                    "type": OrganisationType.values[i % len(OrganisationType.values)],
                    "commune_id": communes[i % len(communes)][0] if communes else None,
                }
                for i in range(s["organisations"])
            ),
        )
        orgs = ids(Organisation, slug__startswith="bench-org-")
        cp.copy(
            User,
            (
                {
                    "username": f"load{i}",
                    "email": f"load{i}@bench.invalid",
                    "first_name": FIRST[i % len(FIRST)],
                    "last_name": f"{LAST[(i // len(FIRST)) % len(LAST)]}",
                    "password": PASSWORD_HASH,
                    "is_active": True,
                    "is_staff": False,
                    "is_superuser": False,
                    "date_joined": now - timedelta(days=i % 900),
                }
                for i in range(s["members"])
            ),
        )
        users = ids(User, username__startswith="load")
        metiers = Metier.values

        def profile_rows():
            for i, uid in enumerate(users):
                c = communes[rng.randrange(len(communes))] if communes else (None, rng.choice(departments))
                yield {
                    "user_id": uid,
                    "display_name": (name := f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"),
                    "search_text": normalize(name),  # what Profile.save writes: the directory searches it
                    "metier": metiers[i % len(metiers)],
                    "organisation_id": orgs[i % len(orgs)],
                    "department_id": c[1] if i % 3 else rng.choice(departments),
                    "commune_id": c[0] if i % 3 else None,
                    "bio": text(25),
                    "status": "approved",
                    "approved_at": now,
                }

        cp.copy(Profile, profile_rows())
        profiles = ids(Profile, user__username__startswith="load")
        cp.copy(
            Profile.skills.through,
            ({"profile_id": p, "skill_id": sk} for p in profiles for sk in rng.sample(skills, 3)),
            label="community_profile_skills",
        )

        # --- groups, memberships, topics, posts -------------------------------------------
        cp.copy(
            Group,
            (
                {
                    "name": "Le grand groupe du bench" if i == 0 else f"Groupe {text(2)} {i}",
                    "slug": MARKER if i == 0 else f"bench-groupe-{i}",
                    "access": AccessMode.OPEN if i % 10 else AccessMode.REQUEST,
                    "description": f"Groupe de **bench** : {text(30)}",
                    "created_by_id": users[i],
                }
                for i in range(s["groups"])
            ),
        )
        groups = ids(Group, slug__startswith="bench-groupe-")
        big_group = Group.objects.get(slug=MARKER).pk
        groups = [big_group, *groups]

        def membership_rows():
            for gi, g in enumerate(groups):
                members = users[: s["load_users"]] if gi == 0 else rng.sample(users, s["members_per_group"])
                for j, u in enumerate(members):
                    yield {"group_id": g, "user_id": u, "role": "owner" if j == 0 else "member", "status": "active"}

        cp.copy(Membership, membership_rows())
        topics_per_group = max(1, (s["posts"] - s["big_topic"]) // (s["groups"] * s["posts_per_topic"]))
        cp.copy(
            Topic,
            (
                {
                    "group_id": g,
                    "author_id": rng.choice(users),
                    "title": "Le grand sujet du bench" if gi == 0 and ti == 0 else f"Sujet {ti} : {text(5)}",
                    "tags": ["bench"],
                    "last_post_at": now - timedelta(minutes=gi * topics_per_group + ti),
                }
                for gi, g in enumerate(groups)
                for ti in range(topics_per_group)
            ),
        )
        topics = ids(Topic)
        big_topic = Topic.objects.filter(group_id=big_group).order_by("pk").values_list("pk", flat=True).first()
        others = [tp for tp in topics if tp != big_topic]
        load_authors = users[: s["load_users"]]

        def post_rows():
            start = now - timedelta(days=400)
            step = timedelta(days=400) / s["posts"]
            for i in range(s["posts"]):
                if i < s["big_topic"]:
                    topic, author = big_topic, rng.choice(load_authors)
                else:
                    topic, author = others[i % len(others)], rng.choice(users)
                yield {
                    "topic_id": topic,
                    "author_id": author,
                    "body": text(30),
                    "created_at": start + step * i,
                    "updated_at": start + step * i,
                }

        cp.copy(Post, post_rows())
        t = time.monotonic()
        with connection.cursor() as cur:
            cur.execute(
                """UPDATE groups_topic t SET post_count = s.n, last_post_at = s.last_at, last_post_id_cache = s.last_id
                   FROM (SELECT topic_id, COUNT(*) n, MAX(created_at) last_at, MAX(id) last_id FROM groups_post GROUP BY topic_id) s
                   WHERE s.topic_id = t.id"""
            )
        Topic.objects.filter(pk=big_topic).update(last_post_at=now)
        out(f"  {'groups_topic counters':<34} {len(topics):>9,} rows  {time.monotonic() - t:6.1f} s")

        # --- events and registrations ---------------------------------------------------------
        types, formats = EventType.values, EventFormat.values
        regs_per_event = s["registrations"] // s["events"]

        def event_rows():
            for i in range(s["events"]):
                upcoming = i % 2 == 0
                start = now + timedelta(days=1 + (i // 2) % 300, hours=i % 8) if upcoming else now - timedelta(days=1 + (i // 2) % 700)
                capacity = None if i % 4 == 0 else (25 if i % 4 == 1 else 40)
                confirmed = min(regs_per_event, capacity) if capacity else regs_per_event
                yield {
                    "title": f"{types[i % len(types)].capitalize()} : {text(4)}",
                    "slug": f"bench-evenement-{i}",
                    "summary": text(12),
                    "description": text(60),
                    "type": types[i % len(types)],
                    "format": formats[i % len(formats)],
                    "address": "1 rue du Bench, Dijon",
                    "start": start,
                    "end": start + timedelta(hours=2),
                    "audience": Audience.MEMBERS if i % 5 else Audience.PUBLIC,
                    "state": EventState.PUBLISHED if i % 50 else EventState.DRAFT,
                    "capacity": capacity,
                    "seats_taken": confirmed,
                    "organiser_group_id": groups[i % len(groups)] if i % 3 == 0 else None,
                }

        cp.copy(Event, event_rows())
        events = list(Event.objects.filter(slug__startswith="bench-evenement-").order_by("pk").values_list("pk", "capacity"))

        def registration_rows():
            n = 0
            for pk, capacity in events:
                for j, u in enumerate(rng.sample(users[s["load_users"] :], regs_per_event)):
                    status = RegistrationStatus.CONFIRMED if capacity is None or j < capacity else RegistrationStatus.WAITLISTED
                    yield {
                        "event_id": pk,
                        "user_id": u,
                        "email": f"inscrit{u}@bench.invalid",
                        "name": f"Inscrit·e {u}",
                        "status": status,
                        "code": f"B{n:07d}",
                        "waitlisted_at": now if status == RegistrationStatus.WAITLISTED else None,
                    }
                    n += 1

        cp.copy(Registration, registration_rows())

        # --- funding calls ------------------------------------------------------------------------
        themes, beneficiaries = Theme.values, Beneficiary.values

        def call_rows():
            for i in range(s["calls"]):
                title = f"Appel à projets {text(4)} {i}"
                funders = rng.choice(["Banque des Territoires", "ANCT", "Région Bourgogne-Franche-Comté", "Fondation Orange", "CAF"])
                description = text(80)
                eligibility = text(20)
                yield {
                    "title": title,
                    "slug": f"bench-appel-{i}",
                    "funders": funders,
                    "description": description,
                    "eligibility": eligibility,
                    "kind": CallKind.values[i % len(CallKind.values)],
                    "themes": codes_to_text(rng.sample(themes, 2)),
                    "beneficiaries": codes_to_text(rng.sample(beneficiaries, 3)),
                    "scope": "national",
                    "deadline": (now + timedelta(days=(i % 200) - 40)).date(),
                    "official_url": f"https://financements.bench.invalid/appel/{i}",
                    "funder_key": funder_key(funders),
                    "title_key": normalise(title)[:300],
                    "search_text": f" {normalise(' '.join((title, funders, description, eligibility)))} ",
                    "state": CallState.PUBLISHED if i % 10 else CallState.CLOSED,
                    "published_at": now - timedelta(days=i % 300),
                }

        cp.copy(FundingCall, call_rows())
        if any(f.name == "search_vector" for f in FundingCall._meta.fields):
            from funding.models import search_vector_expression

            t = time.monotonic()  # what FundingCall.save() stores: COPY bypasses it
            n = FundingCall.objects.filter(search_vector__isnull=True).update(search_vector=search_vector_expression())
            out(f"  {'funding_fundingcall search vectors':<34} {n:>9,} rows  {time.monotonic() - t:6.1f} s")

        # --- places and label applications ----------------------------------------------------
        cp.copy(
            Place,
            (
                {
                    "schema_id": f"bench-lieu-{i}",
                    "pivot": f"{10000000000000 + i}",
                    "nom": f"Espace numérique {LAST[i % len(LAST)]} {i}",
                    "commune": "Dijon",
                    "code_postal": "21000",
                    "code_insee": "21231",
                    "adresse": f"{i} rue du Bench",
                    "latitude": 47.0 + (i % 100) / 100,
                    "longitude": 4.0 + (i // 100) / 100,
                    "services": "Aide aux démarches administratives|Maîtriser les outils numériques du quotidien",
                    "date_maj": date(2026, 1, 1),
                    "is_published": True,
                }
                for i in range(s["places"])
            ),
        )
        places = ids(Place, schema_id__startswith="bench-lieu-")
        referential, _created = Referential.objects.get_or_create(
            version=900, defaults={"title": "Référentiel du bench", "status": Referential.Status.PUBLISHED, "published_at": now}
        )
        axis = Axis.objects.create(referential=referential, name="Accueil", order=1)
        Criterion.objects.create(axis=axis, code="B1", title="Accueil inconditionnel", order=1)
        states = [ApplicationState.SUBMITTED, ApplicationState.IN_REVIEW, ApplicationState.GRANTED, ApplicationState.DRAFT]
        cp.copy(
            Application,
            (
                {
                    "place_id": places[i],
                    "referential_id": referential.pk,
                    "applicant_id": users[i],
                    "state": states[i % len(states)],
                    "submitted_at": now - timedelta(days=i % 100) if i % 4 != 3 else None,
                }
                for i in range(s["applications"])
            ),
        )

        # --- notifications ----------------------------------------------------------------------
        user_ct = ContentType.objects.get_for_model(User).pk
        heavy = users[0]
        verbs = ["a répondu dans un sujet que vous suivez", "vous a mentionné·e", "Nouvel appel à projets", "Rappel : atelier demain"]

        def notification_rows():
            start = now - timedelta(days=365)
            total, heavy_n = s["notifications"], s["heavy_notifications"]
            step = timedelta(days=365) / total
            for i in range(total):
                if i % (total // heavy_n) == 0:
                    recipient = heavy
                    unread = i >= total - s["heavy_unread"] * (total // heavy_n)
                else:
                    recipient = users[1 + rng.randrange(len(users) - 1)]
                    unread = rng.random() < 0.1
                yield {
                    "level": "info",
                    "recipient_id": recipient,
                    "unread": unread,
                    "actor_content_type_id": user_ct,
                    "actor_object_id": str(users[i % len(users)]),
                    "verb": verbs[i % len(verbs)],
                    "description": None,
                    "timestamp": start + step * i,
                    "public": True,
                    "deleted": False,
                    "emailed": False,
                    "data": {"kind": "bench", "url": "/tableau-de-bord/"},
                }

        cp.copy(Notification, notification_rows())
    fill_activities(cp, out, analyze=False)

    t = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    out(f"  {'vacuum analyze':<34} {'':>9}       {time.monotonic() - t:6.1f} s")
    out(f"built in {time.monotonic() - t_start:.0f} s")


def describe(out) -> dict:
    from notifications.models import Notification

    from community.models import Activity, Profile, User
    from events.models import Event, Registration
    from funding.models import FundingCall
    from groups.models import Group, Membership, Post, Topic
    from labels.models import Application
    from places.models import Place

    counts = {
        "members": User.objects.filter(username__startswith="load").count(),
        "profiles": Profile.objects.count(),
        "groups": Group.objects.count(),
        "memberships": Membership.objects.count(),
        "topics": Topic.objects.count(),
        "posts": Post.objects.count(),
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
        "funding calls": FundingCall.objects.count(),
        "places": Place.objects.count(),
        "label applications": Application.objects.count(),
        "notifications": Notification.objects.count(),
        "stream items": Activity.objects.count(),
    }
    out("data: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop the database and build it again")
    args = parser.parse_args()
    db_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    print(f"== Maillage national dataset on {db_url}")
    t = time.monotonic()
    pg_database_ensure(db_url, args.rebuild)
    setup_django(db_url)
    build(print)
    describe(print)
    print(f"done in {time.monotonic() - t:.0f} s, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
