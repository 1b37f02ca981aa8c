"""Hub staff ("Équipe du hub") edit draft referentials and badge classes in the Django admin,
and may look at applications and issued badges there (changes go through the workflow pages)."""

from django.db import migrations

GROUP_NAME = "Équipe du hub"
EDITABLE = ["referential", "axis", "criterion", "badgeclass"]
VIEW_ONLY = ["application", "assertion"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for model in EDITABLE + VIEW_ONLY:
        ct, _ = ContentType.objects.get_or_create(app_label="labels", model=model)
        actions = ("add", "change", "delete", "view") if model in EDITABLE else ("view",)
        for action in actions:
            perm, _ = Permission.objects.get_or_create(
                content_type=ct, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
            )
            group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("labels", "0001_initial"),
        ("community", "0004_staff_group"),
    ]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
