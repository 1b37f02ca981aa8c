"""Accent- and case-free search in the directory: ``search_text`` on profiles (display name),
organisations (name) and skills (name), filled for existing rows, and on PostgreSQL trigram
indexes so that ``search_text LIKE '%mot%'`` stays fast (SQLite needs none at the hub's size)."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import migrations, models

from common.text import normalize

SOURCES = {"Profile": "display_name", "Organisation": "name", "Skill": "name"}
TRIGRAM_INDEXES = {"Profile": "profile_search_text_trgm", "Organisation": "organisation_search_text_trgm"}


def fill(apps, schema_editor):
    for model_name, source in SOURCES.items():
        model = apps.get_model("community", model_name)
        rows = list(model.objects.only("pk", source))
        for row in rows:
            row.search_text = normalize(getattr(row, source))[: 120 if model_name == "Skill" else None]
        model.objects.bulk_update(rows, ["search_text"], batch_size=500)


def trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for model_name, index_name in TRIGRAM_INDEXES.items():
        model = apps.get_model("community", model_name)
        schema_editor.add_index(model, GinIndex(OpClass("search_text", name="gin_trgm_ops"), name=index_name))


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for index_name in TRIGRAM_INDEXES.values():
            schema_editor.execute(f"DROP INDEX IF EXISTS {index_name}")


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0006_activity"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="texte de recherche"),
        ),
        migrations.AddField(
            model_name="profile",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="texte de recherche"),
        ),
        migrations.AddField(
            model_name="skill",
            name="search_text",
            field=models.CharField(blank=True, default="", editable=False, max_length=120, verbose_name="texte de recherche"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_indexes, drop_trigram_indexes),
    ]
