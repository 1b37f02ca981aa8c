"""Bench: export 2,000 places as GeoJSON and CSV, and import them back.

Run on PostgreSQL (its own database, created and migrated if needed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/maillage_bench_places .venv/bin/python bench/places.py

Prints the time of each step and its number of queries. Uses ``hub.settings.dev`` unless
``DJANGO_SETTINGS_MODULE`` says otherwise; the places it creates are deleted at the end.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/maillage_bench_places")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.benchlib import ensure_database  # noqa: E402

N = int(os.environ.get("BENCH_PLACES", "2000"))


def timed(label, func):
    """Wall time, the CPU time of this process (what the code costs, whatever the machine's load)
    and the number of queries."""
    with CaptureQueriesContext(connection) as ctx:
        start, cpu = time.perf_counter(), time.process_time()
        result = func()
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{label:<40} {elapsed * 1000:8.0f} ms  (CPU {cpu * 1000:6.0f} ms)  {len(ctx.captured_queries):4d} requêtes")
    return result


def main():
    ensure_database()
    call_command("migrate", verbosity=0)
    from community.models import User
    from places import opendata
    from places.demo import load_places_demo
    from places.models import Place
    from places.services import place_import

    prefix = "maillage-demo-"
    Place.objects.filter(source="bench").delete()
    Place.objects.filter(schema_id__startswith=prefix).delete()
    load_places_demo(count=N)
    Place.objects.filter(schema_id__startswith=prefix).update(source="bench", is_published=True)
    qs = Place.objects.filter(source="bench")
    print(f"{connection.vendor} — {qs.count()} lieux — charge de la machine {os.getloadavg()[0]:.1f} ({os.cpu_count()} cœurs)")
    geojson = timed("export GeoJSON", lambda: opendata.export_geojson(qs))
    content = timed("export CSV", lambda: opendata.export_csv(qs))
    timed("export JSON", lambda: opendata.export_json(qs))
    print(f"  CSV {len(content.encode()) / 1024:.0f} Kio, GeoJSON {len(geojson.encode()) / 1024:.0f} Kio")
    staff = User.objects.filter(is_staff=True, is_active=True).first() or User.objects.create_user(
        username="bench-places-staff", email="bench-places-staff@exemple.fr", password=None, is_staff=True
    )
    report = timed("ré-import du CSV (inchangé)", lambda: place_import(actor=staff, content=content, mode="all"))
    assert report.unchanged == N and not report.errors, report.as_dict()
    qs.delete()
    report = timed("import du CSV dans une base vide", lambda: place_import(actor=staff, content=content, mode="all"))
    assert report.created == N and not report.errors, report.errors[:3]
    Place.objects.filter(schema_id__startswith=prefix).delete()


if __name__ == "__main__":
    main()
