"""Accent-insensitive search: ``search_text`` is rebuilt with ``common.text.normalize`` (which also
folds ø, ł, ß…) and, on PostgreSQL, gets a trigram index so ``contains`` stays fast."""

import re

from django.contrib.postgres.search import SearchVector
from django.db import migrations

from common.text import normalize

INDEX = "funding_call_search_text_trgm"


def normalise(text):  # funding.filters.normalise as of this migration
    return " ".join(re.findall(r"[a-z0-9]+", normalize(text)))


def rebuild(apps, schema_editor):
    FundingCall = apps.get_model("funding", "FundingCall")
    calls = list(FundingCall.objects.only("pk", "title", "funders", "description", "eligibility"))
    for call in calls:
        call.title_key = normalise(call.title)[:300]
        call.search_text = f" {normalise(' '.join((call.title, call.funders, call.description, call.eligibility)))} "
    FundingCall.objects.bulk_update(calls, ["title_key", "search_text"], batch_size=500)
    if schema_editor.connection.vendor == "postgresql":
        FundingCall.objects.update(
            search_vector=SearchVector("title_key", weight="A", config="french") + SearchVector("search_text", weight="C", config="french")
        )


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON funding_fundingcall USING gin (search_text gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_fundingcall_search_vector")]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop),
        migrations.RunPython(add_index, drop_index),
    ]
