"""Accent- and case-free search in the resource library: ``search_text`` filled for existing rows,
and on PostgreSQL a trigram index so that ``search_text LIKE '%mot%'`` stays fast."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models

from common.text import normalize

INDEX_NAME = "resource_search_text_trgm"


def fill(apps, schema_editor):
    Resource = apps.get_model("content", "Resource")
    rows = list(Resource.objects.only("pk", "title", "summary", "description", "authors"))
    for r in rows:
        r.search_text = normalize(" ".join((r.title, r.summary, r.description, r.authors)))
    Resource.objects.bulk_update(rows, ["search_text"], batch_size=500)


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    Resource = apps.get_model("content", "Resource")
    schema_editor.add_index(Resource, GinIndex(OpClass("search_text", name="gin_trgm_ops"), name=INDEX_NAME))


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0007_resource_funding_call"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="texte de recherche"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
