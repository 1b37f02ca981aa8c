"""Accent- and case-free search on places: ``search_text`` filled for existing rows, and on
PostgreSQL a trigram index so that ``search_text LIKE '%mot%'`` stays fast (SQLite has no such
index and does not need one at the hub's size)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models

from common.text import normalize

FIELDS = ["nom", "commune", "code_postal", "adresse", "complement_adresse", "structure_parente", "presentation_resume", "typologie"]
INDEX_NAME = "place_search_text_trgm"


def fill(apps, schema_editor):
    Place = apps.get_model("places", "Place")
    rows = list(Place.objects.only("pk", *FIELDS))
    for place in rows:
        place.search_text = normalize(" ".join(getattr(place, name) or "" for name in FIELDS).replace("|", " "))
    Place.objects.bulk_update(rows, ["search_text"], batch_size=500)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    Place = apps.get_model("places", "Place")
    schema_editor.add_index(Place, GinIndex(OpClass("search_text", name="gin_trgm_ops"), name=INDEX_NAME))


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="place",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="texte de recherche"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
