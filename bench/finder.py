"""Bench: the prescribers' finder over 5,000 places — p50/p95 of 10 typical searches.

Run on PostgreSQL (its own database, created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_finder .venv/bin/python bench/finder.py

Each search is the list page (``/lieux/?…``, rendered) and its map data (``carte.geojson``),
through Django's test client, repeated ``BENCH_REPEAT`` times (20); prints p50, p95 and the
number of queries. ``BENCH_PLACES`` sets the number of places (5000). The places it creates are
deleted at the end.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_finder")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.benchlib import ensure_database  # noqa: E402

N = int(os.environ.get("BENCH_PLACES", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "20"))

SEARCHES = [
    ("tous les lieux", {}),
    ("besoin : démarches", {"services": "Aide aux démarches administratives"}),
    ("texte sans accents « mediatheque »", {"q": "mediatheque"}),
    ("gratuit + seniors", {"frais": "Gratuit", "publics": "Seniors"}),
    ("ouvert maintenant", {"ouvert": "maintenant"}),
    ("ouvert samedi", {"ouvert": "samedi"}),
    ("ouvert samedi matin + démarches", {"ouvert": "samedi_matin", "services": "Aide aux démarches administratives"}),
    ("ouvert après 18 h", {"ouvert": "soir"}),
    ("à 20 km de Dijon", {"commune": "Dijon", "rayon": "20"}),
    ("ouvert mardi 10 h à 30 km de Besançon", {"commune": "Besançon", "rayon": "30", "jour": "1", "heure": "10:00"}),
]


# Communes of the region with their position: the bench does not depend on the reference table.
TOWNS = [
    ("Dijon", "21000", "21231", 47.322, 5.041),
    ("Besançon", "25000", "25056", 47.238, 6.024),
    ("Dole", "39100", "39198", 47.092, 5.490),
    ("Beaune", "21200", "21054", 47.025, 4.840),
    ("Auxerre", "89000", "89024", 47.798, 3.567),
    ("Nevers", "58000", "58194", 46.990, 3.159),
    ("Belfort", "90000", "90010", 47.640, 6.863),
    ("Montbéliard", "25200", "25388", 47.510, 6.798),
    ("Chalon-sur-Saône", "71100", "71076", 46.781, 4.854),
    ("Mâcon", "71000", "71270", 46.307, 4.833),
]


def make_places(n):
    """``n`` published places spread over the towns, with the demo's hours and vocabularies."""
    import random

    from common.text import of_place
    from places import schema
    from places.demo import HOURS, KINDS
    from places.models import Place

    rng = random.Random(14)
    places = []
    for i in range(n):
        town, postcode, insee, lat, lon = TOWNS[i % len(TOWNS)]
        pattern, typology, presentation = KINDS[i % len(KINDS)]
        place = Place(
            schema_id=f"bench-{i:05d}",
            pivot="00000000000000",
            nom=pattern.format(city=town, of_city=of_place(town), name=f"n°{i}"),
            adresse=f"{i} rue de la République",
            code_postal=postcode,
            commune=town,
            code_insee=insee,
            latitude=lat + rng.uniform(-0.15, 0.15),
            longitude=lon + rng.uniform(-0.15, 0.15),
            typologie=typology,
            horaires=rng.choice(HOURS),
            presentation_resume=presentation,
            source="bench",
            services=schema.join_values(rng.sample(schema.SERVICES, rng.randint(1, 4))),
            publics_specifiquement_adresses=schema.join_values(rng.sample(schema.PUBLICS, rng.randint(0, 2))),
            frais_a_charge=rng.choice(["Gratuit", "Gratuit", "Gratuit sous condition", "Payant"]),
            langues=schema.join_values(["Français", *rng.sample(schema.LANGUES[1:6], rng.randint(0, 2))]),
            is_published=True,
        )
        place.fill_search_text()
        places.append(place)
    Place.objects.bulk_create(places, batch_size=500)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main():
    ensure_database()
    call_command("migrate", verbosity=0)
    from places.models import Place

    Place.objects.filter(source="bench").delete()
    make_places(N)
    print(f"{connection.vendor} — {Place.objects.published().count()} lieux publiés, {REPEAT} passages par recherche")
    print(f"{'recherche':<42} {'résultats':>9} {'p50':>8} {'p95':>8} {'requêtes':>9}")
    client = Client(SERVER_NAME="127.0.0.1")
    try:
        for label, params in SEARCHES:
            timings = []
            for _ in range(REPEAT):
                with CaptureQueriesContext(connection) as ctx:
                    start = time.perf_counter()
                    page = client.get("/lieux/", params)
                    geo = client.get("/lieux/carte.geojson", params)
                    timings.append((time.perf_counter() - start) * 1000)
                assert page.status_code == 200 and geo.status_code == 200
            count = len(geo.json()["features"])
            p50, p95 = statistics.median(timings), percentile(timings, 95)
            print(f"{label:<42} {count:>9} {p50:>6.0f} ms {p95:>6.0f} ms {len(ctx.captured_queries):>9}")
    finally:
        Place.objects.filter(source="bench").delete()


if __name__ == "__main__":
    main()
