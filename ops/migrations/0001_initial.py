"""PeriodicRun moves here from ``community`` (its rows are copied, so no job runs twice)."""

from django.db import migrations, models


def copy_runs(apps, schema_editor):
    Old = apps.get_model("community", "PeriodicRun")
    New = apps.get_model("ops", "PeriodicRun")
    New.objects.bulk_create([New(key=run.key, last_run_at=run.last_run_at) for run in Old.objects.all()])


class Migration(migrations.Migration):
    initial = True

    # The old table must still exist when its rows are copied: community drops it after this.
    dependencies = [("community", "0004_staff_group")]

    operations = [
        migrations.CreateModel(
            name="PeriodicRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.CharField(max_length=100, unique=True)),
                ("last_run_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(copy_runs, migrations.RunPython.noop),
    ]
