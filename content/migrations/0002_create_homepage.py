"""Replace Wagtail's default welcome page with Maillage's home page, served at ``/``."""

from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("content.HomePage")

    Page.objects.filter(depth=2, slug="home").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="content")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Accueil",
        draft_title="Accueil",
        slug="accueil",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/accueil/",
        hero_title="Le réseau des acteurs du numérique inclusif",
        hero_text=(
            "Médiateur·rices et conseiller·ères numériques, travailleur·ses sociaux, bibliothécaires, "
            "bénévoles et collectivités : Maillage relie celles et ceux qui accompagnent les habitants "
            "dans leur vie numérique."
        ),
        body="<p>Retrouvez les membres du réseau, les groupes de travail, l'agenda des ateliers et des "
        "rencontres, la veille sur les appels à projets et la carte des lieux de médiation numérique.</p>",
        live=True,
        has_unpublished_changes=False,
        locale_id=root.locale_id,
    )
    root.numchild = 1
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page_id=home.pk, is_default_site=True, site_name="Maillage")


def remove_homepage(apps, schema_editor):
    apps.get_model("content.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
