"""The "Équipe du hub" group: Wagtail admin access and page editing on the whole site."""

from django.db import migrations

GROUP_NAME = "Équipe du hub"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    admin_ct, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_ct, codename="access_admin", defaults={"name": "Can access Wagtail admin"}
    )
    group.permissions.add(access)
    page_ct = ContentType.objects.get(app_label="wagtailcore", model="page")
    root = Page.objects.filter(depth=1).first()
    if root is not None:
        for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"):
            perm, _ = Permission.objects.get_or_create(content_type=page_ct, codename=codename, defaults={"name": codename})
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)
    collection = Collection.objects.filter(depth=1).first()
    if collection is not None:
        for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            ct, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
            for action in ("add", "change", "choose"):
                perm, _ = Permission.objects.get_or_create(
                    content_type=ct, codename=f"{action}_{model}", defaults={"name": f"Can {action} {model}"}
                )
                GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=perm)
    settings_ct, _ = ContentType.objects.get_or_create(app_label="community", model="hubsettings")
    perm, _ = Permission.objects.get_or_create(
        content_type=settings_ct, codename="change_hubsettings", defaults={"name": "Can change réglages du hub"}
    )
    group.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_territories"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
