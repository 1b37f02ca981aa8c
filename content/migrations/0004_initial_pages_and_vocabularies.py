"""Initial public pages (the hub, missions, partners, legal notice, accessibility statement,
news) under the home page, and the library's themes and publics. Staff edit them in /cms/."""

from django.db import migrations
from django.utils.text import slugify

THEMES = [
    "Accès aux droits",
    "Accompagnement aux démarches",
    "Citoyenneté et éducation aux médias",
    "Cybersécurité",
    "Emploi et insertion",
    "Équipement et reconditionnement",
    "Financement et montage de projet",
    "Parentalité et jeunesse",
    "Santé",
    "Usages de base (ordinateur, smartphone)",
    "Accessibilité numérique",
    "Coopération territoriale",
]
AUDIENCES = [
    "Seniors",
    "Jeunes",
    "Familles",
    "Personnes en situation de handicap",
    "Personnes allophones",
    "Demandeur·ses d'emploi",
    "Aidants et professionnels",
    "Tous publics",
]

PAGES = [
    (
        "StandardPage",
        "Le hub",
        "le-hub",
        "Le hub fédère les acteurs de l'inclusion numérique de la région.",
        "<h2>Qui sommes-nous ?</h2><p>Le hub territorial pour un numérique inclusif anime le réseau des médiateur·rices, "
        "conseiller·ères numériques, travailleur·ses sociaux, bibliothécaires, bénévoles et collectivités.</p>",
    ),
    (
        "StandardPage",
        "Nos missions",
        "missions",
        "Recenser, outiller, former, financer, évaluer.",
        "<ul><li>Recenser et cartographier les lieux de médiation numérique ;</li><li>outiller les professionnels "
        "(ressourcerie, formations) ;</li><li>accompagner la recherche de financements ;</li><li>animer le réseau et "
        "ses groupes de travail ;</li><li>observer et évaluer l'inclusion numérique du territoire.</li></ul>",
    ),
    ("StandardPage", "Partenaires", "partenaires", "Ils soutiennent et font vivre le réseau.", "<p>Liste des partenaires à compléter.</p>"),
    (
        "StandardPage",
        "Mentions légales",
        "mentions-legales",
        "",
        "<h2>Éditeur</h2><p>À compléter : nom de la structure porteuse du hub, adresse, directeur·rice de la publication.</p>"
        "<h2>Hébergement</h2><p>À compléter : hébergeur, adresse.</p><h2>Données personnelles</h2><p>Chaque membre peut "
        "télécharger ses données et supprimer son compte depuis la page « Mes données personnelles ».</p>",
    ),
    (
        "StandardPage",
        "Déclaration d'accessibilité",
        "accessibilite",
        "Le hub s'engage à rendre son site accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005.",
        "<h2>État de conformité</h2><p>Ce site est <strong>partiellement conforme</strong> avec le référentiel général "
        "d'amélioration de l'accessibilité (RGAA), version 4.1. Un audit reste à conduire.</p><h2>Contenus non accessibles</h2>"
        "<p>Certains documents de la ressourcerie, déposés par les membres, peuvent ne pas être accessibles.</p>"
        "<h2>Retour d'information et contact</h2><p>Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez "
        "l'équipe du hub pour être orienté·e vers une alternative accessible.</p><h2>Voies de recours</h2><p>Si vous constatez "
        "un défaut d'accessibilité vous empêchant d'accéder à un contenu et que vous n'obtenez pas de réponse, vous pouvez "
        "écrire au Défenseur des droits (https://formulaire.defenseurdesdroits.fr/) ou par courrier gratuit à : Défenseur des "
        "droits, Libre réponse 71120, 75342 Paris CEDEX 07.</p>",
    ),
    ("NewsIndexPage", "Actualités", "actualites", "Les nouvelles du réseau et du hub.", None),
]


def _alphabet_path(n: int) -> str:
    # Wagtail's tree paths: base-36 steps of four characters.
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    for _ in range(4):
        n, r = divmod(n, 36)
        out = alphabet[r] + out
    return out


def create(apps, schema_editor):
    Theme = apps.get_model("content", "Theme")
    Audience = apps.get_model("content", "Audience")
    for name in THEMES:
        Theme.objects.get_or_create(slug=slugify(name)[:90], defaults={"name": name})
    for name in AUDIENCES:
        Audience.objects.get_or_create(slug=slugify(name)[:90], defaults={"name": name})

    HomePage = apps.get_model("content", "HomePage")
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    home = HomePage.objects.first()
    if home is None:
        return
    last = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).order_by("-path").values_list("path", flat=True).first()
    position = int(last[-4:], 36) if last else 0
    created = 0
    for model_name, title, slug, intro, body in PAGES:
        if Page.objects.filter(path__startswith=home.path, depth=home.depth + 1, slug=slug).exists():
            continue
        model = apps.get_model("content", model_name)
        content_type, _ = ContentType.objects.get_or_create(app_label="content", model=model_name.lower())
        position += 1
        fields = {"intro": intro}
        if body is not None:
            fields["body"] = body
        model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=home.path + _alphabet_path(position),
            depth=home.depth + 1,
            numchild=0,
            url_path=f"{home.url_path}{slug}/",
            live=True,
            has_unpublished_changes=False,
            show_in_menus=True,
            locale_id=home.locale_id,
            **fields,
        )
        created += 1
    if created:
        Page.objects.filter(pk=home.pk).update(numchild=home.numchild + created)


def remove(apps, schema_editor):
    for model_name in ("StandardPage", "NewsIndexPage"):
        apps.get_model("content", model_name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("content", "0003_site_pages_and_library")]

    operations = [migrations.RunPython(create, remove)]
