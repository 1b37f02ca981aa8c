"""Demo places for ``manage.py load_demo``: about 60 mediation places in Bourgogne-Franche-Comté.

Deterministic (seeded). The demo member (``membre@maillage.localhost``) manages the first place.
Idempotent: does nothing when the demo places are there.
"""

import random
from datetime import date, timedelta

from django.db import transaction

from common.text import of_place
from community.models import Commune, User
from community.validators import luhn_ok

from . import schema
from .models import Place

DEMO_SOURCE = "Maillage (démo)"
MEMBER_EMAIL = "membre@maillage.localhost"

KINDS = [
    ("Médiathèque {city}", "BIB", "Médiathèque municipale : postes en libre accès, ateliers d'initiation et aide aux démarches."),
    ("France services {city}", "FRANCE_SERVICE", "Accueil France services : accompagnement aux démarches administratives en ligne."),
    ("Centre social {name}", "CS", "Le centre social accueille les habitants pour des ateliers numériques en petit groupe."),
    (
        "Espace public numérique {city}",
        "MUNI",
        "Un espace ouvert à toutes et tous pour apprendre à se servir d'un ordinateur ou d'un smartphone.",
    ),
    ("CCAS {of_city}", "CCAS", "Le CCAS accompagne les personnes âgées et isolées dans leurs démarches en ligne."),
    (
        "Tiers-lieu {name}",
        "TIERS_LIEUX",
        "Tiers-lieu associatif : fablab, réparation et reconditionnement d'ordinateurs, ateliers créatifs.",
    ),
    ("Association {name}", "ASSO", "Association d'éducation populaire : ateliers collectifs et permanences numériques."),
    ("MJC {city}", "MJC", "Ateliers numériques pour les jeunes et les familles : jeux vidéo, création, éducation aux médias."),
]
NAMES = [
    "Les Tilleuls",
    "La Passerelle",
    "Le Lien",
    "L'Escale",
    "Les Lucioles",
    "Le Fil",
    "La Fabrique",
    "Le Relais",
    "Clic et Déclic",
    "Les Bruyères",
]
STREETS = [
    "rue de la République",
    "place de la Mairie",
    "avenue Jean Jaurès",
    "rue Victor Hugo",
    "rue Pasteur",
    "place du Marché",
    "rue des Écoles",
    "grande rue",
]
HOURS = [
    "Mo-Fr 09:00-12:00,14:00-17:30",
    "Tu-Sa 10:00-12:30,14:00-18:00; PH off",
    "Mo,We,Fr 14:00-18:00; Sa 09:00-12:00",
    "Tu 09:00-12:00; Th 14:00-17:00",
    "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00",
    "We 10:00-12:00,14:00-19:00; Sa 10:00-17:00",
]


def _siret(rng: random.Random) -> str:
    base = "".join(str(rng.randint(0, 9)) for _ in range(13))
    return next(base + str(d) for d in range(10) if luhn_ok(base + str(d)))


def _pick(rng: random.Random, values: list[str], low: int, high: int) -> str:
    return schema.join_values(sorted(rng.sample(values, rng.randint(low, high)), key=values.index))


def load_places_demo(stdout=None, count: int = 60) -> None:
    if Place.objects.filter(source=DEMO_SOURCE).exists():
        return
    rng = random.Random(6)
    communes = list(Commune.objects.filter(latitude__isnull=False).order_by("insee"))
    if not communes:
        return
    places = []
    for n in range(count):
        commune = communes[n % len(communes)]
        pattern, typology, presentation = KINDS[n % len(KINDS)]
        name = pattern.format(city=commune.name, of_city=of_place(commune.name), name=rng.choice(NAMES))
        slug = "".join(c for c in commune.name.lower() if c.isalnum())[:20]
        places.append(
            Place(
                schema_id=f"maillage-demo-{n + 1:03d}",
                pivot=_siret(rng),
                nom=name if n < len(communes) else f"{name} ({n + 1})",
                adresse=f"{rng.randint(1, 60)} {rng.choice(STREETS)}",
                code_postal=commune.postcode,
                commune=commune.name,
                code_insee=commune.insee,
                latitude=round(commune.latitude + rng.uniform(-0.01, 0.01), 5),
                longitude=round(commune.longitude + rng.uniform(-0.01, 0.01), 5),
                typologie=typology,
                telephone="+333" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
                courriels=f"numerique@{slug or 'lieu'}.example.org",
                site_web=f"https://{slug or 'lieu'}.example.org/",
                horaires=rng.choice(HOURS),
                presentation_resume=presentation,
                presentation_detail="Sans rendez-vous pendant les permanences, **sur rendez-vous** le reste du temps.",
                source=DEMO_SOURCE,
                itinerance="Itinérant" if n % 9 == 0 else "Fixe",
                date_maj=date(2025, 6, 1) if n % 10 == 5 else date(2026, 1, 1) + timedelta(days=n * 5),
                services=_pick(rng, schema.SERVICES, 2, 5),
                publics_specifiquement_adresses=_pick(rng, schema.PUBLICS, 0, 2),
                prise_en_charge_specifique=_pick(rng, schema.PRISE_EN_CHARGE, 0, 2),
                frais_a_charge=rng.choice(["Gratuit", "Gratuit", "Gratuit sous condition", "Payant"]),
                dispositif_programmes_nationaux=_pick(
                    rng, ["Conseillers numériques", "Aidants Connect", "France Services", "Certification PIX"], 0, 2
                ),
                formations_labels="Arnia/MedNum BFC (Bourgogne-Franche-Comté)" if n % 4 == 0 else "",
                modalites_acces=_pick(rng, schema.MODALITES_ACCES[:4], 1, 3),
                modalites_accompagnement=_pick(rng, schema.MODALITES_ACCOMPAGNEMENT, 1, 3),
                langues=schema.join_values(["Français", *_pick(rng, schema.LANGUES[1:7], 0, 2).split("|")]),
                accessibilite=_pick(rng, schema.ACCESSIBILITE, 0, 3),
                is_published=n != count - 1,  # the last one waits for moderation
            )
        )
    for place in places:
        place.fill_search_text()
    with transaction.atomic():
        Place.objects.bulk_create(places)
        member = User.objects.filter(email=MEMBER_EMAIL).first()
        if member is not None:
            Place.objects.get(schema_id="maillage-demo-001").managers.add(member)
    if stdout is not None:
        stdout.write(f"  {len(places)} lieux de médiation numérique")
