"""Demo network for ``make run``: a fictional hub in Bourgogne-Franche-Comté.

About 200 members with French names, their organisations (CCAS, médiathèques, centres sociaux,
associations, collectivités, France services…) spread over the region's departments, with
métiers and skills. Deterministic (seeded) so every newcomer sees the same network.
"""

import random

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from faker import Faker

from common.text import normalize, of_place

from .activity import activity_comment_create, activity_like_toggle
from .models import (
    Activity,
    Commune,
    Department,
    MemberStatus,
    Metier,
    Organisation,
    OrganisationType,
    Profile,
    Skill,
    SkillLevel,
    User,
    Visibility,
)
from .services import member_joined_record, skills_from_text

DEMO_PASSWORD = "maillage-demo"
STAFF_EMAIL = "equipe@maillage.localhost"
MEMBER_EMAIL = "membre@maillage.localhost"

SKILLS = [
    "Accompagnement aux démarches en ligne",
    "Aidants Connect",
    "Pix",
    "Animation d'ateliers collectifs",
    "Accès aux droits",
    "Parentalité numérique",
    "Reconditionnement",
    "Cybersécurité",
    "Fablab",
    "Inclusion numérique des seniors",
    "Formation de formateurs",
    "Bureautique",
    "Usage du smartphone",
    "FranceConnect",
    "Montage de projet",
    "Recherche de financements",
    "Éducation aux médias",
    "Accessibilité numérique",
    "Logiciels libres",
    "Coordination territoriale",
    "Intelligence collective",
    "Public allophone",
    "Insertion professionnelle",
    "Itinérance",
    "Diagnostic des compétences numériques",
]

ORG_PATTERNS = [
    (OrganisationType.CCAS, "CCAS {of_city}"),
    (OrganisationType.MEDIATHEQUE, "Médiathèque {of_city}"),
    (OrganisationType.CENTRE_SOCIAL, "Centre social {name}"),
    (OrganisationType.ASSOCIATION, "{assoc}"),
    (OrganisationType.COLLECTIVITE, "Mairie {of_city}"),
    (OrganisationType.FRANCE_SERVICES, "France services {city}"),
    (OrganisationType.TIERS_LIEU, "Tiers-lieu {name}"),
]
ASSOC_NAMES = [
    "Numérique pour tous",
    "Les Connecteurs",
    "Emmaüs Connect",
    "Clic & Lien",
    "Solidarité Numérique",
    "Le Pixel Solidaire",
    "Les Petits Débrouillards",
    "Familles Rurales",
    "Espace Jeunes Connectés",
    "Ordi Solidaire",
]
CENTRE_NAMES = ["Les Tilleuls", "La Passerelle", "Le Grand Parc", "Les Acacias", "Le Trait d'Union", "La Fontaine", "Les Lilas"]

METIER_WEIGHTS = [
    (Metier.MEDIATEUR, 30),
    (Metier.CONSEILLER, 30),
    (Metier.TRAVAILLEUR_SOCIAL, 12),
    (Metier.BIBLIOTHECAIRE, 10),
    (Metier.AGENT_ACCUEIL, 8),
    (Metier.COORDINATEUR, 6),
    (Metier.BENEVOLE, 8),
    (Metier.ELU, 3),
    (Metier.FORMATEUR, 4),
    (Metier.CHARGE_MISSION, 4),
]


def siret_with_checksum(rng: random.Random) -> str:
    """A fictional SIRET that passes the Luhn check."""
    from .validators import luhn_ok

    while True:
        candidate = "".join(str(rng.randint(0, 9)) for _ in range(13))
        for last in "0123456789":
            if luhn_ok(candidate + last) and not (candidate + last).startswith("356000000"):
                return candidate + last


def organisation_names(rng: random.Random, communes: list, *, count: int) -> list[tuple[str, str, object]]:
    """(type, name, commune) of ``count`` demo structures, each name unique and written as people
    write it: « CCAS d'Arbois », « Médiathèque du Creusot »; a structure named without its town
    (association, centre social, tiers-lieu) gets it after a dash. A name already taken moves the
    structure to the next commune, never to « CCAS d'Arbois (Arbois) »."""
    result, used = [], set()
    for i in range(count):
        kind, pattern = ORG_PATTERNS[i % len(ORG_PATTERNS)]
        # consecutive communes (a stride of 7 visited only 7 of them when there were 49)
        start, label = i % len(communes), rng.choice(CENTRE_NAMES if "{name}" in pattern else ASSOC_NAMES)
        for step in range(len(communes)):
            commune = communes[(start + step) % len(communes)]
            name = pattern.format(city=commune.name, of_city=of_place(commune.name), name=label, assoc=label)
            if commune.name not in name:
                name = f"{name} – {commune.name}"
            if name not in used:
                used.add(name)
                result.append((kind, name, commune))
                break
    return result


@transaction.atomic
def load_community_demo(stdout=None, *, members: int = 200) -> None:
    if User.objects.filter(email=STAFF_EMAIL).exists():
        return
    rng = random.Random(2026)
    fake = Faker("fr_FR")
    fake.seed_instance(2026)
    password = make_password(DEMO_PASSWORD)
    communes = list(Commune.objects.select_related("department").filter(department__region__code="27"))
    # the names of the référentiel (or its aliases) join it; the others stay free skills
    skills = skills_from_text(", ".join(SKILLS)) + list(Skill.objects.filter(in_referential=True).order_by("name")[:6])

    organisations = [
        Organisation(name=name, type=kind, commune=commune, siret=siret_with_checksum(rng) if rng.random() < 0.7 else "")
        for kind, name, commune in organisation_names(rng, communes, count=60)
    ]
    for org in organisations:
        org.save()

    staff_group = Group.objects.filter(name="Équipe du hub").first()

    def make_user(email, first, last, *, staff=False):
        user = User.objects.create(
            username=email.split("@")[0][:150],
            email=email,
            first_name=first,
            last_name=last,
            password=password,
            is_staff=staff,
            date_joined=timezone.now() - timezone.timedelta(days=rng.randint(1, 900)),
        )
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        if staff and staff_group:
            user.groups.add(staff_group)
        return user

    people = [(STAFF_EMAIL, "Camille", "Rousseau", True, Metier.COORDINATEUR), (MEMBER_EMAIL, "Lucie", "Martin", False, Metier.MEDIATEUR)]
    metiers = [m for m, w in METIER_WEIGHTS for _ in range(w)]
    seen = {STAFF_EMAIL, MEMBER_EMAIL}
    while len(people) < members:
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}".lower().replace(" ", "-").replace("'", "") + "@exemple.fr"
        email = normalize(email).replace(" ", "-")
        if email in seen:
            continue
        seen.add(email)
        staff = len(people) < 5
        people.append((email, first, last, staff, rng.choice(metiers)))

    for index, (email, first, last, staff, metier) in enumerate(people):
        user = make_user(email, first, last, staff=staff)
        org = organisations[index % len(organisations)] if index != 0 else None
        commune = org.commune if org and rng.random() < 0.8 else rng.choice(communes)
        profile = Profile.objects.get(user=user)
        profile.display_name = f"{first} {last}"
        profile.metier = metier
        profile.organisation = org
        profile.commune = commune
        profile.department = commune.department
        profile.status = MemberStatus.APPROVED
        profile.approved_at = user.date_joined
        profile.bio = rng.choice(
            [
                f"{Metier(metier).label} à {commune.name}. J'accompagne les habitants dans leurs démarches en ligne.",
                f"Je coordonne les ateliers numériques de mon territoire ({commune.department.name}). Toujours partant·e pour échanger des outils !",
                "Passionné·e de médiation numérique, j'anime des ateliers **smartphone** et *démarches administratives*.",
                "Ancien·ne travailleur·se social·e, je fais le lien entre accès aux droits et autonomie numérique.",
                "",
            ]
        )
        if rng.random() < 0.15:
            profile.visibility = {**profile.visibility, "skills": Visibility.PRIVATE}
        if index == 0:
            profile.bio = "Coordinatrice du hub territorial. Écrivez-moi pour toute question sur le réseau, l'agenda ou le label."
        profile.save()
        if email == MEMBER_EMAIL and org is not None:
            org.managers.add(user)  # the demo member manages their structure's page (logo, presentation)
        profile.skills.set(rng.sample(skills, rng.randint(1, 5)), through_defaults={"level": rng.choice(SkillLevel.values)})
        profile.interests.set(rng.sample(skills, rng.randint(0, 3)))
    # The newest arrivals in the stream, a few days apart, welcomed by colleagues.
    newest = list(Profile.objects.filter(status=MemberStatus.APPROVED).select_related("user", "department").order_by("-pk")[:8])
    welcomers = list(User.objects.filter(profile__status=MemberStatus.APPROVED).order_by("pk")[:6])
    for days, profile in enumerate(newest):
        member_joined_record(profile=profile)
        item = Activity.objects.filter(object_ref=f"community.profile:{profile.pk}").first()
        Activity.objects.filter(pk=item.pk).update(created_at=timezone.now() - timezone.timedelta(days=days, hours=3 * days + 1))
        for welcomer in rng.sample(welcomers, rng.randint(0, 3)):
            activity_like_toggle(actor=welcomer, pk=item.pk)
        if days % 3 == 0:
            activity_comment_create(actor=welcomers[days % len(welcomers)], pk=item.pk, body="Bienvenue dans le réseau !")
    # Two people still waiting for approval, to show the staff queue.
    for first, last in (("Hugo", "Lefebvre"), ("Inès", "Garnier")):
        email = f"{first}.{last}@exemple.fr".lower().replace("è", "e")
        user = make_user(email, first, last)
        profile = Profile.objects.get(user=user)
        profile.display_name, profile.status = f"{first} {last}", MemberStatus.PENDING
        profile.department = Department.objects.get(code="21")
        profile.save()
    if stdout:
        stdout.write(f"  community: {len(people)} members, {len(organisations)} organisations")
