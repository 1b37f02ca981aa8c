"""Demo content: news articles, about thirty resources with licences and themes, a collection,
and a public subset of the observatory. Idempotent: returns at once when its data is there."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from community.models import Department, Organisation, User

from .models import (
    Audience,
    Collection,
    CollectionItem,
    HomePage,
    Licence,
    NewsIndexPage,
    NewsPage,
    ObservatorySettings,
    Resource,
    ResourceStatus,
    ResourceType,
    ResourceVote,
    Theme,
)

NEWS = [
    ("Lancement de la ressourcerie du réseau", "Guides, supports d'atelier et modèles : partagez vos outils et retrouvez ceux des autres."),
    (
        "Retour sur les rencontres régionales de la médiation numérique",
        "Plus de 150 participant·es à Besançon pour deux jours d'ateliers et d'échanges.",
    ),
    (
        "Campagne de labellisation 2027 : c'est parti",
        "Les lieux de médiation numérique peuvent déposer leur candidature au label régional.",
    ),
    ("Nouveau groupe de travail « Numérique et parentalité »", "Un groupe pour mutualiser les pratiques d'accompagnement des familles."),
]

TITLES = [
    ("Guide de l'accompagnement aux démarches en ligne", ResourceType.GUIDE),
    ("Atelier « Premiers pas sur smartphone » : déroulé et fiches", ResourceType.WORKSHOP),
    ("Modèle de charte d'accueil d'un lieu de médiation", ResourceType.TEMPLATE),
    ("Étude : les besoins numériques des seniors en milieu rural", ResourceType.STUDY),
    ("Vidéo : sécuriser ses comptes en ligne", ResourceType.VIDEO),
    ("Kit d'animation « Repérer les arnaques »", ResourceType.WORKSHOP),
    ("Fiche pratique : créer son espace France Travail", ResourceType.GUIDE),
    ("Modèle de convention de partenariat avec un CCAS", ResourceType.TEMPLATE),
    ("Diagnostic des compétences numériques : grille d'entretien", ResourceType.FILE),
    ("Guide Aidants Connect pour les structures", ResourceType.GUIDE),
    ("Atelier parentalité et écrans : support", ResourceType.WORKSHOP),
    ("Étude d'impact des conseillers numériques en région", ResourceType.STUDY),
    ("Vidéo : utiliser FranceConnect", ResourceType.VIDEO),
    ("Modèle de fiche de suivi d'accompagnement", ResourceType.TEMPLATE),
    ("Guide du reconditionnement solidaire", ResourceType.GUIDE),
    ("Atelier « Ma santé en ligne » : déroulé", ResourceType.WORKSHOP),
    ("Cartographie des lieux de médiation du Doubs", ResourceType.STUDY),
    ("Guide de l'itinérance numérique en milieu rural", ResourceType.GUIDE),
    ("Modèle de questionnaire de satisfaction", ResourceType.TEMPLATE),
    ("Vidéo : l'identité numérique La Poste", ResourceType.VIDEO),
    ("Support de formation de formateurs Pix", ResourceType.WORKSHOP),
    ("Fiche : accueillir un public allophone", ResourceType.GUIDE),
    ("Étude : la fracture numérique dans les quartiers prioritaires", ResourceType.STUDY),
    ("Jeu de cartes « Cybersécurité au quotidien »", ResourceType.FILE),
    ("Guide des logiciels libres pour les associations", ResourceType.GUIDE),
    ("Atelier éducation aux médias : démêler le vrai du faux", ResourceType.WORKSHOP),
    ("Modèle de budget d'un projet d'inclusion numérique", ResourceType.TEMPLATE),
    ("Vidéo : prendre rendez-vous en ligne chez le médecin", ResourceType.VIDEO),
    ("Guide d'accessibilité numérique des supports d'atelier", ResourceType.GUIDE),
    ("Tableau de suivi de l'activité d'un lieu", ResourceType.FILE),
]

DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 595 842]/Parent 2 0 R/Resources<<>>>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _news(home: HomePage, stdout) -> None:
    index = NewsIndexPage.objects.child_of(home).first()
    if index is None or NewsPage.objects.exists():
        return
    today = timezone.localdate()
    for i, (title, intro) in enumerate(NEWS):
        page = NewsPage(
            title=title,
            slug=slugify(title)[:80],
            date=today - timedelta(days=7 * i + 2),
            intro=intro,
            body=f"<p>{intro}</p><p>Retrouvez toutes les informations auprès de l'équipe du hub.</p>",
        )
        index.add_child(instance=page)
        page.save_revision().publish()
    if stdout:
        stdout.write(f"  content: {len(NEWS)} actualités")


@transaction.atomic
def load_content_demo(stdout=None) -> None:
    home = HomePage.objects.first()
    if home is not None:
        _news(home, stdout)
    if Resource.objects.exists():
        return
    rng = random.Random(2027)
    themes = list(Theme.objects.all())
    audiences = list(Audience.objects.all())
    members = list(User.objects.filter(is_active=True, profile__status="approved").order_by("pk")[:40])
    staff = User.objects.filter(is_staff=True, is_active=True).order_by("pk").first()
    organisations = list(Organisation.objects.order_by("pk")[:30])
    departments = list(Department.objects.filter(region__code="27").order_by("code"))
    licences = [Licence.ETALAB, Licence.CC_BY, Licence.CC_BY_SA, Licence.CC_BY_SA, Licence.CC_BY_NC_SA, Licence.ALL_RIGHTS]
    now = timezone.now()
    resources = []
    for i, (title, kind) in enumerate(TITLES):
        author = members[i % len(members)] if members else staff
        organisation = organisations[i % len(organisations)] if organisations else None
        resource = Resource(
            title=title,
            slug=slugify(title)[:200],
            summary=f"{title} : une ressource partagée par le réseau, prête à être adaptée à votre territoire.",
            description="## Contenu\n\n- objectifs et public visé\n- déroulé pas à pas\n- conseils d'animation\n\n"
            "Ressource issue du travail collectif des membres du réseau.",
            type=kind,
            licence=licences[i % len(licences)],
            department=departments[i % len(departments)] if departments and i % 3 else None,
            authors=organisation.name if organisation else "",
            organisation=organisation,
            submitted_by=author,
            status=ResourceStatus.PUBLISHED if i < 27 else ResourceStatus.SUBMITTED,
            published_at=now - timedelta(days=3 * i) if i < 27 else None,
            published_by=staff if i < 27 else None,
        )
        if kind == ResourceType.VIDEO:
            resource.url = "https://www.example.org/videos/" + resource.slug
        else:
            resource.file_name = f"{resource.slug[:60]}.pdf"
            resource.file_type = "application/pdf"
            resource.file_size = len(DEMO_PDF)
            resource.file.save(resource.file_name, ContentFile(DEMO_PDF), save=False)
        resource.save()
        resource.themes.set(rng.sample(themes, k=min(2, len(themes))))
        resource.audiences.set(rng.sample(audiences, k=min(2, len(audiences))))
        resources.append(resource)
    ResourceVote.objects.bulk_create(
        [ResourceVote(resource=r, user=m) for r in resources[:27] for m in rng.sample(members, k=min(len(members), rng.randint(0, 8)))],
        ignore_conflicts=True,
    )
    if members:
        collection = Collection.objects.create(owner=members[0], title="Mes indispensables pour débuter", is_public=True)
        CollectionItem.objects.bulk_create([CollectionItem(collection=collection, resource=r) for r in resources[:6]])
    settings_row = ObservatorySettings.load()
    settings_row.public_charts = ["members_department", "members_metier", "resources_theme"]
    settings_row.public_intro = "Quelques chiffres sur le réseau, mis à jour en continu."
    settings_row.save()
    if stdout:
        stdout.write(f"  content: {len(resources)} ressources, 1 collection")
