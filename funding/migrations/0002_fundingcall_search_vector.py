"""Store each call's text-search vector: the search page stemmed every call's text per request."""

import django.contrib.postgres.search
from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    FundingCall = apps.get_model("funding", "FundingCall")
    FundingCall.objects.update(
        search_vector=SearchVector("title_key", weight="A", config="french") + SearchVector("search_text", weight="C", config="french")
    )


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="fundingcall",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
