"""Demo agenda: a believable season of the hub, relative to today so it never looks stale.

Past and upcoming ateliers, webinaires, a café réseau every other Friday in visio, a visite
apprenante, a formation, a collective-intelligence session with proposals, and nearly full
events with a waiting list. Idempotent: returns at once if the demo agenda is there.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from community.demo import MEMBER_EMAIL, STAFF_EMAIL
from community.models import Commune, User

from . import services
from .models import Event, Registration

MARKER = "Café réseau du hub"


def _at(days: int, hour: int, minute: int = 0) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next_friday_offset() -> int:
    return (4 - timezone.localdate().weekday()) % 7 or 7


def load_events_demo(stdout=None) -> None:
    if Event.objects.filter(title=MARKER).exists():
        return
    staff = User.objects.filter(email=STAFF_EMAIL).first()
    member = User.objects.filter(email=MEMBER_EMAIL).first()
    if staff is None or member is None:
        return
    rng = random.Random(4)  # noqa: S311 - deterministic demo data
    people = list(User.objects.filter(profile__status="approved", is_staff=False).exclude(pk=member.pk).order_by("pk")[:80])
    communes = {
        c.name: c
        for c in Commune.objects.filter(
            name__in=["Dijon", "Besançon", "Dole", "Auxerre", "Belfort", "Nevers", "Mâcon", "Lons-le-Saunier", "Vesoul"]
        )
    }

    def sign_up(event, users):
        for u in users:
            if not Registration.objects.filter(event=event, email=u.email).exists():
                reg = services.registration_add(actor=staff, event=event, member=u, answers=None)
                if u.pk % 3:  # two in three chose to appear in "Qui vient"
                    Registration.objects.filter(pk=reg.pk).update(shown_to_members=True)

    with transaction.atomic():
        # A café réseau every other Friday, in visio, 12 dates (3 already past).
        series = services.series_create(
            actor=staff,
            interval_weeks=2,
            count=12,
            signup_scope="series",
            title=MARKER,
            summary="Une heure pour se retrouver entre pairs, partager une actu, une galère, une réussite.",
            description="Chaque vendredi sur deux, **en visio**, sans inscription préalable au programme : venez comme vous êtes.\n\n- 10 min de tour de table\n- 30 min sur un sujet proposé\n- 20 min d'échanges libres",
            type="cafe",
            format="online",
            online_url="https://visio.exemple.fr/cafe-reseau",
            audience="members",
            tags="réseau, visio",
            state="published",
            capacity=40,
            start=_at(_next_friday_offset() - 42, 12, 30),
            end=_at(_next_friday_offset() - 42, 13, 30),
        )
        for occurrence in series.occurrences.order_by("start")[:5]:
            sign_up(occurrence, rng.sample(people, 12))

        def event(days, hour, hours, **fields):
            return services.event_create(
                actor=staff, start=_at(days, hour), end=_at(days, hour) + timedelta(hours=hours), state="published", **fields
            )

        pix = event(
            9,
            14,
            3,
            title="Atelier : accompagner avec Pix",
            type="atelier",
            format="onsite",
            address="Médiathèque Champollion, 14 rue Camille Desmoulins",
            commune=communes.get("Dijon"),
            audience="public",
            capacity=12,
            max_guests=1,
            confirm_within_hours=24,
            tags="Pix, compétences numériques",
            summary="Prendre en main Pix pour évaluer et faire progresser les personnes accompagnées.",
            description="Un atelier pratique : création d'un parcours, suivi des résultats, cas concrets.\n\nApportez votre ordinateur portable si vous en avez un.",
        )
        services.question_save(actor=staff, event=pix, label="Votre structure", kind="short", required=True)
        services.question_save(actor=staff, event=pix, label="Avez-vous déjà utilisé Pix Orga ?", kind="yesno", required=True)
        services.question_save(actor=staff, event=pix, label="Besoins d'accessibilité", kind="long", help_text="Nous adaptons l'accueil.")
        services.question_save(actor=staff, event=pix, label="J'accepte d'apparaître sur les photos de l'atelier", kind="consent")
        sign_up(pix, people[:12])
        sign_up(pix, [member, *people[12:15]])  # full: the demo member is on the waiting list

        webinaire = event(
            4,
            10,
            1.5,
            title="Webinaire : la fin des démarches papier, et après ?",
            type="webinaire",
            format="online",
            online_url="https://visio.exemple.fr/webinaire-demarches",
            audience="members",
            capacity=100,
            tags="accès aux droits",
            summary="Point d'étape avec les partenaires de l'accès aux droits.",
        )
        sign_up(webinaire, [member, *people[20:60]])

        event(
            16,
            9,
            7,
            title="Visite apprenante : le tiers-lieu de Lons",
            type="visite",
            format="onsite",
            address="La Fabrique, 3 rue des Salines",
            commune=communes.get("Lons-le-Saunier"),
            audience="members",
            capacity=15,
            tags="tiers-lieux",
            summary="Une journée pour découvrir un tiers-lieu rural qui mêle fablab, France services et café associatif.",
        )
        formation = event(
            23,
            9,
            7,
            title="Formation : accueillir les publics allophones",
            type="formation",
            format="hybrid",
            address="Maison des associations, 2 place de la Révolution",
            commune=communes.get("Besançon"),
            online_url="https://visio.exemple.fr/formation",
            audience="members",
            capacity=8,
            tags="publics allophones, formation",
            summary="Une journée de formation avec des outils concrets de traduction et d'accueil.",
        )
        sign_up(formation, people[60:67])  # one seat left

        speed = event(
            -20,
            17,
            2,
            title="Speed-meeting des médiateurs et médiatrices",
            type="rencontre",
            format="onsite",
            address="Hôtel de région",
            commune=communes.get("Dijon"),
            audience="members",
            capacity=30,
            summary="Rencontrer 10 pairs en 1 heure.",
        )
        sign_up(speed, [member, *people[:20]])
        for reg in Registration.objects.filter(event=speed, status="confirmed")[:16]:
            Registration.objects.filter(pk=reg.pk).update(attended_at=speed.start)

        # A collective-intelligence afternoon: proposals in, some accepted, sub-groups ready.
        seance = event(
            12,
            14,
            3,
            title="Séance d'intelligence collective : vos projets 2027",
            type="intelligence",
            format="onsite",
            address="Tiers-lieu La Vapeur",
            commune=communes.get("Dijon"),
            audience="members",
            capacity=40,
            accepts_proposals=True,
            tags="intelligence collective, projets",
            summary="Apportez un projet ou une question : le groupe vous aide à avancer.",
            description="Déroulé : plénière (20 min), sous-groupes par projet (1 h 30), restitutions croisées (40 min).",
        )
        sign_up(seance, [member, *people[30:55]])
        ideas = [
            (
                member,
                "Un atelier numérique itinérant en zone rurale",
                "Nous avons un minibus et des ordinateurs reconditionnés.",
                "Des idées de financement et de partenaires.",
            ),
            (
                people[31],
                "Former les agents d'accueil des mairies",
                "Les secrétaires de mairie sont en première ligne.",
                "Un format court qui marche.",
            ),
            (
                people[32],
                "Mesurer l'impact de nos accompagnements",
                "Nous ne savons pas montrer ce que nous faisons.",
                "Des indicateurs simples.",
            ),
            (people[33], "Une permanence numérique au marché", "Aller là où sont les gens.", "Retours d'expérience."),
        ]
        proposals = [services.proposal_create(event=seance, actor=a, title=t, pitch=p, wants=w) for a, t, p, w in ideas]
        services.proposal_decide(proposal=proposals[0], actor=staff, accept=True, size_limit=8)
        services.proposal_decide(proposal=proposals[1], actor=staff, accept=True)
        services.proposal_decide(proposal=proposals[2], actor=staff, accept=False)

        past_seance = event(
            -35,
            14,
            3,
            title="Séance d'intelligence collective : nos réussites 2026",
            type="intelligence",
            format="onsite",
            commune=communes.get("Besançon"),
            audience="members",
            capacity=30,
            accepts_proposals=True,
        )
        sign_up(past_seance, [member, *people[40:50]])
        p = services.proposal_create(
            event=past_seance, actor=people[41], title="Lancer un repair café numérique", pitch="Réparer plutôt que jeter."
        )
        services.proposal_decide(proposal=p, actor=staff, accept=True)
        b = p.breakout
        services.restitution_publish(
            breakout=b,
            actor=staff,
            text="**Trois pistes retenues** :\n\n1. s'adosser à un repair café existant ;\n2. demander un local à la médiathèque ;\n3. former deux bénévoles référents.",
        )
        Event.objects.filter(pk__in=[past_seance.pk, speed.pk]).update(state="published")
    if stdout:
        stdout.write("events: agenda de démonstration chargé\n")
