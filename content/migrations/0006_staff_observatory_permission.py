"""Hub staff ("Équipe du hub") may choose the public observatory charts in /cms/ (Paramètres)."""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group = Group.objects.filter(name="Équipe du hub").first()
    if group is None:
        return
    content_type, _ = ContentType.objects.get_or_create(app_label="content", model="observatorysettings")
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="change_observatorysettings", defaults={"name": "Can change observatoire"}
    )
    group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [("content", "0005_resource_event"), ("community", "0004_staff_group")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
