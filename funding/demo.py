"""Demo funding calls for ``make run``: about 40 believable (fictional) calls, two sources and a
watch for the demo member. Idempotent: does nothing if the demo calls are there."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from community.models import Commune, Department, Region, User

from .models import CallInterest, CallKind, CallState, FundingCall, Scope, Source, SourceKind, Watch, WatchFrequency, codes_to_text
from .services import call_create, consortium_create, consortium_member_decide, consortium_request_join

MARK = "demo-funding"

# (title, funders, kind, themes, beneficiaries, perimeter, amount_max, days to deadline or None=permanent)
CALLS = [
    (
        "Appel à projets France Services itinérantes 2027",
        "ANCT",
        "appel_a_projets",
        "acces_aux_droits",
        "collectivite;france_services",
        "national",
        30000,
        45,
    ),
    (
        "Conseillers numériques : renouvellement des postes",
        "ANCT, Banque des Territoires",
        "subvention",
        "inclusion_numerique",
        "collectivite;association;etablissement_public",
        "national",
        25000,
        20,
    ),
    (
        "Fonds de soutien aux tiers-lieux numériques de Bourgogne-Franche-Comté",
        "Région Bourgogne-Franche-Comté",
        "appel_a_projets",
        "tiers_lieux;inclusion_numerique",
        "association;tiers_lieu;collectivite",
        "region:27",
        50000,
        60,
    ),
    (
        "Fondation Orange — Maisons digitales 2027",
        "Fondation Orange",
        "appel_a_projets",
        "inclusion_numerique;formation",
        "association;centre_social",
        "national",
        15000,
        30,
    ),
    (
        "Équipement numérique des médiathèques de Côte-d'Or",
        "Département de la Côte-d'Or",
        "subvention",
        "equipement",
        "mediatheque;collectivite",
        "department:21",
        8000,
        75,
    ),
    (
        "Reconditionnement solidaire : AMI filière régionale",
        "Région Bourgogne-Franche-Comté, ADEME",
        "ami",
        "equipement;insertion",
        "entreprise_ess;association",
        "region:27",
        100000,
        40,
    ),
    (
        "Prix de l'innovation sociale numérique",
        "Fondation Crédit Coopératif",
        "prix",
        "inclusion_numerique",
        "association;entreprise_ess",
        "national",
        10000,
        90,
    ),
    (
        "Pass numérique Doubs : déploiement 2027",
        "Département du Doubs",
        "subvention",
        "inclusion_numerique;acces_aux_droits",
        "ccas;association;centre_social",
        "department:25",
        20000,
        35,
    ),
    (
        "Programme Société numérique — ingénierie territoriale",
        "ANCT",
        "appel_a_projets",
        "inclusion_numerique",
        "collectivite",
        "national",
        80000,
        120,
    ),
    (
        "Éducation aux médias et à l'information : projets jeunesse",
        "DRAJES Bourgogne-Franche-Comté",
        "appel_a_projets",
        "education_numerique",
        "association;etablissement_public",
        "region:27",
        12000,
        25,
    ),
    (
        "Prêt Banque des Territoires pour les tiers-lieux",
        "Banque des Territoires",
        "pret",
        "tiers_lieux",
        "collectivite;entreprise_ess",
        "national",
        500000,
        None,
    ),
    (
        "Fondation SNCF — Apprendre pour grandir, volet numérique",
        "Fondation SNCF",
        "appel_a_projets",
        "education_numerique",
        "association",
        "national",
        20000,
        15,
    ),
    (
        "Accessibilité numérique des services publics locaux",
        "Département de Saône-et-Loire",
        "subvention",
        "accessibilite",
        "collectivite;ccas",
        "department:71",
        10000,
        50,
    ),
    (
        "Aidants Connect : habilitation et formation des aidants",
        "ANCT",
        "subvention",
        "acces_aux_droits;formation",
        "france_services;ccas;association;centre_social",
        "national",
        5000,
        None,
    ),
    (
        "Appel à manifestation d'intérêt Hubs territoriaux d'inclusion numérique",
        "ANCT, Banque des Territoires",
        "ami",
        "inclusion_numerique",
        "collectivite;association;entreprise_ess",
        "national",
        250000,
        10,
    ),
    (
        "Fonds social européen : inclusion par le numérique (FSE+)",
        "Région Bourgogne-Franche-Comté",
        "appel_a_projets",
        "insertion;formation",
        "association;etablissement_public;entreprise_ess",
        "region:27",
        150000,
        80,
    ),
    (
        "Ateliers numériques seniors — Conférence des financeurs du Jura",
        "Département du Jura, CNSA",
        "appel_a_projets",
        "inclusion_numerique",
        "association;ccas;centre_social",
        "department:39",
        15000,
        28,
    ),
    (
        "Parentalité numérique : actions collectives 2027",
        "CAF de l'Yonne",
        "subvention",
        "education_numerique",
        "centre_social;association",
        "department:89",
        6000,
        33,
    ),
    (
        "Fondation de France — Numérique et lien social",
        "Fondation de France",
        "appel_a_projets",
        "inclusion_numerique",
        "association",
        "national",
        30000,
        55,
    ),
    (
        "Politique de la ville : volet inclusion numérique",
        "Préfecture de la Côte-d'Or",
        "subvention",
        "inclusion_numerique;acces_aux_droits",
        "association;centre_social",
        "department:21",
        12000,
        18,
    ),
    (
        "Tiers-lieux ruraux : fabriques de territoire",
        "ANCT",
        "appel_a_projets",
        "tiers_lieux",
        "association;collectivite;tiers_lieu",
        "national",
        150000,
        65,
    ),
    (
        "Formation des médiateurs numériques — plan régional",
        "Région Bourgogne-Franche-Comté",
        "appel_a_projets",
        "formation",
        "association;etablissement_public",
        "region:27",
        40000,
        42,
    ),
    (
        "Fondation Free — Numérique solidaire",
        "Fondation Free",
        "appel_a_projets",
        "equipement;inclusion_numerique",
        "association",
        "national",
        10000,
        22,
    ),
    (
        "Dotation de soutien à l'investissement local : équipements numériques",
        "Préfecture de région Bourgogne-Franche-Comté",
        "subvention",
        "equipement",
        "collectivite",
        "region:27",
        200000,
        95,
    ),
    (
        "Espaces publics numériques de Dijon : soutien au fonctionnement",
        "Ville de Dijon",
        "subvention",
        "inclusion_numerique",
        "association;centre_social",
        "commune:21231",
        5000,
        38,
    ),
    (
        "Territoires d'industrie : compétences numériques des salariés",
        "Région Bourgogne-Franche-Comté, OPCO",
        "appel_a_projets",
        "formation;insertion",
        "entreprise_ess;entreprise",
        "region:27",
        60000,
        70,
    ),
    (
        "Fonds de dotation Solidatech — équipement des associations",
        "Solidatech",
        "subvention",
        "equipement",
        "association",
        "national",
        3000,
        None,
    ),
    (
        "Appel à projets Numérique responsable dans les collectivités",
        "ADEME",
        "appel_a_projets",
        "equipement",
        "collectivite;etablissement_public",
        "national",
        50000,
        48,
    ),
    (
        "Mobilisation des bibliothèques pour l'inclusion numérique",
        "DRAC Bourgogne-Franche-Comté",
        "appel_a_projets",
        "inclusion_numerique",
        "mediatheque;collectivite",
        "region:27",
        20000,
        31,
    ),
    (
        "Accès aux droits des personnes allophones",
        "Fondation Abbé Pierre",
        "appel_a_projets",
        "acces_aux_droits",
        "association;centre_social",
        "national",
        15000,
        26,
    ),
    # Past deadlines: closed, still searchable in the archives.
    (
        "Conseillers numériques France Services : vague 2025",
        "ANCT",
        "subvention",
        "inclusion_numerique",
        "collectivite;association",
        "national",
        50000,
        -60,
    ),
    (
        "Fondation Orange — Maisons digitales 2026",
        "Fondation Orange",
        "appel_a_projets",
        "inclusion_numerique;formation",
        "association;centre_social",
        "national",
        15000,
        -120,
    ),
    (
        "Tiers-lieux Bourgogne-Franche-Comté : édition 2026",
        "Région Bourgogne-Franche-Comté",
        "appel_a_projets",
        "tiers_lieux",
        "association;tiers_lieu",
        "region:27",
        50000,
        -30,
    ),
    (
        "Équipement numérique des écoles rurales 2026",
        "Département de la Nièvre",
        "subvention",
        "equipement;education_numerique",
        "collectivite",
        "department:58",
        10000,
        -15,
    ),
    (
        "Prix de l'innovation sociale numérique 2026",
        "Fondation Crédit Coopératif",
        "prix",
        "inclusion_numerique",
        "association;entreprise_ess",
        "national",
        10000,
        -200,
    ),
    (
        "Plan France Relance : inclusion numérique",
        "ANCT",
        "appel_a_projets",
        "inclusion_numerique",
        "collectivite;association",
        "national",
        100000,
        -400,
    ),
    (
        "Pass numérique Haute-Saône 2026",
        "Département de la Haute-Saône",
        "subvention",
        "inclusion_numerique",
        "ccas;association",
        "department:70",
        15000,
        -45,
    ),
    (
        "Ateliers seniors Territoire de Belfort 2026",
        "Département du Territoire de Belfort",
        "appel_a_projets",
        "inclusion_numerique",
        "association;centre_social",
        "department:90",
        8000,
        -10,
    ),
    # Waiting in the review queue.
    (
        "Fondation Crédit Agricole — Numérique dans les campagnes",
        "Fondation Crédit Agricole Champagne-Bourgogne",
        "appel_a_projets",
        "inclusion_numerique",
        "association",
        "national",
        10000,
        58,
    ),
    (
        "Mécénat numérique : appel à initiatives locales",
        "Fondation La Poste",
        "appel_a_projets",
        "inclusion_numerique;acces_aux_droits",
        "association;centre_social",
        "national",
        8000,
        44,
    ),
]

DESCRIPTION = (
    "Cet appel soutient les projets qui rapprochent les habitants du numérique : ateliers collectifs, "
    "accompagnement individuel aux démarches, équipement des lieux de médiation, formation des aidants.\n\n"
    "**Dépenses éligibles** : ingénierie, matériel, rémunération des médiateurs, actions de communication.\n\n"
    "*Appel fictif créé pour la démonstration de Maillage.*"
)
ELIGIBILITY = "- Structure implantée sur le périmètre de l'appel\n- Projet démarrant dans les 6 mois\n- Co-financement d'au moins 20 %"


def _perimeter(value: str) -> dict:
    if value == "national":
        return {"scope": Scope.NATIONAL}
    kind, code = value.split(":")
    if kind == "region":
        return {"scope": Scope.REGION, "region": Region.objects.get(code=code)}
    if kind == "department":
        return {"scope": Scope.DEPARTMENT, "department": Department.objects.get(code=code)}
    commune = Commune.objects.filter(insee=code).first()
    return {"scope": Scope.COMMUNE, "commune": commune} if commune else {"scope": Scope.NATIONAL}


def load_demo(stdout=None) -> None:
    if Source.objects.filter(name="Saisie de l'équipe du hub").exists():
        return
    today = timezone.localdate()
    staff = User.objects.filter(email="equipe@maillage.localhost").first()
    with transaction.atomic():
        manual = Source.objects.create(name="Saisie de l'équipe du hub", kind=SourceKind.MANUAL)
        Source.objects.create(
            name="Aides-territoires — inclusion numérique",
            kind=SourceKind.JSON,
            url="https://aides-territoires.beta.gouv.fr/api/aids/?text=inclusion+num%C3%A9rique",
            is_active=False,
        )
        Source.objects.create(
            name="Région Bourgogne-Franche-Comté — appels à projets",
            kind=SourceKind.FEED,
            url="https://www.bourgognefranchecomte.fr/appels-a-projets/rss.xml",
            default_funder="Région Bourgogne-Franche-Comté",
            is_active=False,
        )
        for i, (title, funders, kind, themes, beneficiaries, perimeter, amount, days) in enumerate(CALLS):
            data = {
                "title": title,
                "funders": funders,
                "kind": kind if kind in CallKind.values else CallKind.CALL_FOR_PROJECTS,
                "themes": codes_to_text(themes.split(";")),
                "beneficiaries": codes_to_text(beneficiaries.split(";")),
                "description": DESCRIPTION,
                "eligibility": ELIGIBILITY,
                "amount_min": min(1000, amount),
                "amount_max": amount,
                "rate": "jusqu'à 80 %" if kind == "subvention" else "",
                "opens_on": today - timedelta(days=30 + (i % 20)) if days is None or days > 0 else today - timedelta(days=abs(days) + 60),
                "deadline": today + timedelta(days=days) if days is not None else None,
                "is_permanent": days is None,
                "official_url": f"https://exemple.fr/financements/{i + 1}",
                **_perimeter(perimeter),
            }
            pending = i >= len(CALLS) - 2
            call = call_create(data=data, actor=staff, source=manual, publish=not pending, external_id=f"{MARK}-{i}")
            if call.state == CallState.PUBLISHED:
                published = timezone.now() - timedelta(days=(i * 3) % 40 + (abs(days) if days and days < 0 else 0))
                FundingCall.objects.filter(pk=call.pk).update(published_at=published)
                if days is not None and days < 0:
                    FundingCall.objects.filter(pk=call.pk).update(state=CallState.CLOSED)
        member = User.objects.filter(email="membre@maillage.localhost").first()
        if member:
            Watch.objects.create(
                user=member,
                name="Inclusion numérique sur mon territoire",
                criteria={"themes": ["inclusion_numerique"], "my_territory": True, "open_now": True},
                frequency=WatchFrequency.WEEKLY,
                email_confirmed_at=timezone.now(),
            )
            first = FundingCall.objects.filter(external_id=f"{MARK}-2").first()
            if first:
                CallInterest.objects.create(call=first, user=member, kind="interested", organisation=member.profile.organisation)
        _demo_consortium(member)
    if stdout:
        stdout.write(f"funding: {len(CALLS)} appels, 3 sources, 1 alerte, 1 consortium")


def _demo_consortium(member) -> None:
    """One consortium led by the demo member's structure, with a partner from another structure."""
    if member is None or member.profile.organisation is None:
        return
    call = next((c for c in FundingCall.objects.filter(state=CallState.PUBLISHED, deadline__isnull=False) if c.is_open), None)
    if call is None:
        return
    consortium = consortium_create(
        call=call,
        actor=member,
        name="Numérique pour tous en Bourgogne-Franche-Comté",
        description="Des ateliers itinérants et un accompagnement administratif partagé entre nos structures.",
        partners_wanted="Une structure du Jura, compétence : accompagnement administratif.",
        role="Coordination et ateliers",
    )
    partner = (
        User.objects.filter(is_active=True, profile__status="approved", profile__organisation__isnull=False)
        .exclude(pk=member.pk)
        .exclude(profile__organisation=member.profile.organisation)
        .order_by("pk")
        .first()
    )
    if partner is not None:
        request = consortium_request_join(consortium=consortium, actor=partner, role="Permanences d'accès aux droits")
        consortium_member_decide(member=request, actor=member, accept=True)
