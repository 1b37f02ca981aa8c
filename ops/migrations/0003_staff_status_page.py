"""Hub staff ("Équipe du hub") see the status page of background work in the Django admin:
periodic jobs (last run, state, failures in a row) and task workers' heartbeats, read-only."""

from django.db import migrations

GROUP_NAME = "Équipe du hub"
MODELS = ["periodicrun", "workerheartbeat"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for model in MODELS:
        ct, _ = ContentType.objects.get_or_create(app_label="ops", model=model)
        perm, _ = Permission.objects.get_or_create(content_type=ct, codename=f"view_{model}", defaults={"name": f"Can view {model}"})
        group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("ops", "0002_worker_heartbeat_periodic_outcome"),
        ("community", "0004_staff_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
